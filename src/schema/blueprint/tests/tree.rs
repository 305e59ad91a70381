//! Validation of hand-built node trees with distinct spans: which node each finding points at.

use super::*;

#[test]
fn minimal_blueprint_is_valid() {
    let (_, diags) = run_json(minimal());
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn seed_002_example_is_valid() {
    // Parsed through a JSON copy, so this test does not depend on the YAML loader.
    let v = serde_json::json!({
        "project_name": "realtime-app",
        "provider": "cloudflare",
        "architecture_type": "workers_durable",
        "resources": [{
            "id": "main-worker",
            "type": "cloudflare_worker",
            "name": "realtime-app",
            "provider": "cloudflare",
            "config": {
                "main": "src/index.ts",
                "compatibility_date": "2024-01-01",
                "durable_objects": [
                    { "name": "CHAT_ROOM", "class_name": "ChatRoom" },
                    { "name": "RATE_LIMITER", "class_name": "RateLimiter" },
                    { "name": "COUNTER", "class_name": "Counter" }
                ]
            }
        }]
    });
    let (_, diags) = run_json(v);
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn misspelt_top_level_key_points_at_the_key() {
    let v = with(minimal(), "durable_object", serde_json::json!([]));
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d.rule, "schema");
    assert_eq!(d.primary.span, key_span_of(&root, "/durable_object"));
    assert!(d.message.contains("\"durable_object\""), "{}", d.message);
    assert!(
        d.help.as_deref().unwrap().contains("durable_objects"),
        "{d:?}"
    );
}

#[test]
fn bad_class_names_point_at_the_value() {
    for (name, expect) in [
        ("../evil", "\"Evil\""),
        ("Chat Room", "\"ChatRoom\""),
        ("Response", "clashes"),
        ("Self", "reserved word in Rust"),
    ] {
        let v = with(
            minimal(),
            "durable_objects",
            serde_json::json!([{ "class_name": name }]),
        );
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{name}: {diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            span_of(&root, "/durable_objects/0/class_name")
        );
        assert!(diags[0].message.contains(expect), "{}", diags[0].message);
    }
}

#[test]
fn chat_room_message_reads_well() {
    let v = with(
        minimal(),
        "durable_objects",
        serde_json::json!([{ "class_name": "Chat Room" }]),
    );
    let (_, diags) = run_json(v);
    assert_eq!(
        diags[0].message,
        "class name \"Chat Room\" is not a valid identifier: use PascalCase letters and digits, e.g. \"ChatRoom\""
    );
}

#[test]
fn class_name_in_worker_config_shorthand_is_checked() {
    let mut v = minimal();
    v["resources"][0]["config"] =
        serde_json::json!({ "durable_objects": [{ "name": "CHAT", "class_name": "chat-room" }] });
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(
        diags[0].primary.span,
        span_of(&root, "/resources/0/config/durable_objects/0/class_name")
    );
}

#[test]
fn missing_provider_is_reported_at_the_root() {
    let mut v = minimal();
    v.as_object_mut().unwrap().remove("provider");
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    // The document's first key, not the whole document.
    let first = root.as_map().unwrap()[0].key_span;
    assert_eq!(diags[0].primary.span, first);
    assert!(
        diags[0].message.contains("\"provider\""),
        "{}",
        diags[0].message
    );
    assert_eq!(diags[0].help.as_deref(), Some("add `provider: cloudflare`"));
}

#[test]
fn a_misspelt_required_key_is_one_error() {
    let mut v = minimal();
    let provider = v.as_object_mut().unwrap().remove("provider").unwrap();
    v["provder"] = provider;
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].primary.span, key_span_of(&root, "/provder"));
    assert_eq!(diags[0].help.as_deref(), Some("did you mean \"provider\"?"));
}

#[test]
fn missing_keys_are_merged_into_one_finding() {
    let (_, diags) =
        run_json(serde_json::json!({ "resources": [{ "id": "w", "type": "cloudflare_worker" }] }));
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(
        diags[0]
            .message
            .contains("\"project_name\" and \"provider\""),
        "{}",
        diags[0].message
    );
}

#[test]
fn missing_key_in_a_mapping_value_points_at_its_key() {
    let mut v = minimal();
    v["durable_objects"] =
        serde_json::json!([{ "class_name": "A", "transferred_from": { "worker": "old" } }]);
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(
        diags[0].primary.span,
        key_span_of(&root, "/durable_objects/0/transferred_from")
    );
    assert!(diags[0].message.contains("\"class\""));
}

#[test]
fn wrong_type_points_at_the_value() {
    let v = with(minimal(), "resources", serde_json::json!("x"));
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].primary.span, span_of(&root, "/resources"));
    assert_eq!(
        diags[0].message,
        "`resources` must be a list, found the string \"x\""
    );
}

#[test]
fn a_non_map_document_is_one_error() {
    let (_, diags) = run_json(serde_json::json!(["a"]));
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(diags[0].message.contains("must be a map"));
    let (_, diags) = run_json(Value::Null);
    assert_eq!(diags[0].message, "the blueprint is empty");
}

#[test]
fn one_error_per_bad_resource_not_a_branch_flood() {
    let mut v = minimal();
    v["resources"] = serde_json::json!([
        { "id": "main-worker", "type": "cloudflare_worker" },
        { "id": "cache", "type": "cloudflare_kv", "config": { "id": "x" } },
        { "id": "docs", "type": "cloudflare_r2_bucket", "config": { "bucket_nme": "docs" } },
        { "type": "cloudflare_queue" },
    ]);
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    assert_eq!(diags[0].primary.span, span_of(&root, "/resources/1/type"));
    assert_eq!(
        diags[0].help.as_deref(),
        Some("did you mean \"cloudflare_kv_namespace\"?")
    );
    assert_eq!(
        diags[1].primary.span,
        key_span_of(&root, "/resources/2/config/bucket_nme")
    );
    assert_eq!(
        diags[1].help.as_deref(),
        Some("did you mean \"bucket_name\"?")
    );
    assert_eq!(diags[2].primary.span, first_key_of(&root, "/resources/3"));
    assert!(diags[2].message.contains("\"id\""));
}

#[test]
fn one_diagnostic_per_unexpected_key() {
    let mut v = minimal();
    v["resources"][0]["nme"] = serde_json::json!("x");
    v["resources"][0]["confg"] = serde_json::json!({});
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    assert_eq!(
        diags[0].primary.span,
        key_span_of(&root, "/resources/0/nme")
    );
    assert_eq!(diags[0].help.as_deref(), Some("did you mean \"name\"?"));
    assert_eq!(
        diags[1].primary.span,
        key_span_of(&root, "/resources/0/confg")
    );
    assert_eq!(diags[1].help.as_deref(), Some("did you mean \"config\"?"));
}

#[test]
fn worker_config_passes_unknown_keys_but_catches_near_misses() {
    let mut v = minimal();
    v["resources"][0]["config"] = serde_json::json!({
        "compatiblity_date": "2025-01-01",
        "some_future_wrangler_key": { "x": 1 },
        "unsafe": {},
    });
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(
        diags[0].primary.span,
        key_span_of(&root, "/resources/0/config/compatiblity_date")
    );
    assert!(diags[0]
        .help
        .as_deref()
        .unwrap()
        .contains("\"compatibility_date\""));
}

#[test]
fn forbidden_worker_config_keys_point_at_the_key() {
    let mut v = minimal();
    v["resources"][0]["config"] = serde_json::json!({ "migrations": [] });
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(
        diags[0].primary.span,
        key_span_of(&root, "/resources/0/config/migrations")
    );
    assert!(diags[0]
        .help
        .as_deref()
        .unwrap()
        .contains("top-level `migrations`"));
}

#[test]
fn bindings_need_a_name_unless_consumer() {
    let mut v = minimal();
    v["bindings"] = serde_json::json!([
        { "target": "cache" },
        { "target": "q", "role": "consumer" },
        { "target": "q", "role": "consumer", "name": "Q" },
        { "target": "q", "name": "bad-name" },
    ]);
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    assert_eq!(
        diags[0].primary.span,
        first_key_of(&root, "/bindings/0"),
        "{diags:#?}"
    );
    assert!(diags[0].message.contains("\"name\""));
    assert_eq!(
        diags[1].primary.span,
        key_span_of(&root, "/bindings/2/name")
    );
    assert!(diags[1].message.contains("consumer"));
    assert_eq!(diags[2].primary.span, span_of(&root, "/bindings/3/name"));
    assert!(
        diags[2].message.contains("\"BAD_NAME\""),
        "{}",
        diags[2].message
    );
}

#[test]
fn kind_specific_options() {
    let mut v = minimal();
    v["durable_objects"] = serde_json::json!([
        { "class_name": "Limiter", "kind": "rate_limiter", "options": { "requests": 10, "window": "1m" } },
        { "class_name": "Limiter2", "kind": "rate_limiter", "options": { "reqests": 10, "window": "60 sec" } },
        { "class_name": "Log", "kind": "audit_log", "options": { "retention": "30d" } },
        { "class_name": "Other", "kind": "custom", "options": { "anything": [1, 2] } },
        { "class_name": "Count", "kind": "counter", "options": { "start": 1 } },
    ]);
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    assert_eq!(
        diags[0].primary.span,
        key_span_of(&root, "/durable_objects/1/options/reqests")
    );
    assert_eq!(diags[0].help.as_deref(), Some("did you mean \"requests\"?"));
    assert_eq!(
        diags[1].primary.span,
        span_of(&root, "/durable_objects/1/options/window")
    );
    assert!(
        diags[1].message.starts_with("duration \"60 sec\""),
        "{}",
        diags[1].message
    );
    assert_eq!(
        diags[2].help.as_deref(),
        Some("A counter takes no options.")
    );
}

#[test]
fn environment_names_and_overrides() {
    let mut v = minimal();
    v["resources"] = serde_json::json!([
        { "id": "main-worker", "type": "cloudflare_worker" },
        { "id": "docs", "type": "cloudflare_r2_bucket", "config": { "bucket_name": "docs" } },
    ]);
    v["environments"] = serde_json::json!({
        "Staging": {},
        "production": { "resources": {
            "docs": { "bucket_nam": "docs-prod" },
            "main-worker": { "routs": [] },
            "unknown-id": { "whatever": 1 },
        } },
    });
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    assert_eq!(
        diags[0].primary.span,
        key_span_of(&root, "/environments/Staging")
    );
    assert!(diags[0].message.starts_with("environment name \"Staging\""));
    assert_eq!(
        diags[1].primary.span,
        key_span_of(&root, "/environments/production/resources/docs/bucket_nam")
    );
    assert_eq!(
        diags[2].primary.span,
        key_span_of(
            &root,
            "/environments/production/resources/main-worker/routs"
        )
    );
}

#[test]
fn duplicate_secret_points_at_the_repeat() {
    let v = with(minimal(), "secrets", serde_json::json!(["A", "B", "A"]));
    let (root, diags) = run_json(v);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].primary.span, span_of(&root, "/secrets/2"));
}

#[test]
fn word_helpers() {
    assert_eq!(pascal("Chat Room"), "ChatRoom");
    assert_eq!(pascal("../evil"), "Evil");
    assert_eq!(pascal("chat_room"), "ChatRoom");
    assert_eq!(screaming("chatRoom"), "CHAT_ROOM");
    assert_eq!(screaming("bad-name"), "BAD_NAME");
    assert_eq!(slug("Bad_Name"), "bad-name");
    assert_eq!(dotted("/resources/0/config"), "resources[0].config");
    assert_eq!(field("/resources/3"), "`resources[3]`");
    assert_eq!(
        close_match("compatiblity_date", ["compatibility_date"]),
        Some("compatibility_date".into())
    );
    assert_eq!(close_match("unsafe", ["assets", "main"]), None);
    assert_eq!(
        suggest("durable_object", ["durable_objects", "resources"]),
        Some("durable_objects".into())
    );
}
