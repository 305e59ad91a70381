use super::*;

/// A missing key in a map that has no key of its own is reported at the map's first key.
fn first_key_of(root: &Node, path: &str) -> Span {
    root.pointer(path).unwrap().0.as_map().unwrap()[0].key_span
}

#[test]
fn class_names_follow_the_schema() {
    assert!(is_valid_class_name("ChatRoom"));
    assert!(!is_valid_class_name("chat_room"));
    assert!(!is_valid_class_name("Response"));
    assert!(!is_valid_class_name(&"A".repeat(65)));
}
use crate::source::{Entry, Format};

/// Build a Node tree from JSON with fake but distinct spans (one byte each, in document
/// order), so tests can check *which* node a diagnostic points at.
fn node(v: &Value, next: &mut usize) -> Node {
    let start = *next;
    *next += 1;
    let kind = match v {
        Value::Null => NodeKind::Null,
        Value::Bool(b) => NodeKind::Bool(*b),
        Value::Number(n) if n.is_i64() => NodeKind::Int(n.as_i64().unwrap()),
        Value::Number(n) => NodeKind::Float(n.as_f64().unwrap()),
        Value::String(s) => NodeKind::Str(s.clone()),
        Value::Array(a) => NodeKind::Seq(a.iter().map(|x| node(x, next)).collect()),
        Value::Object(o) => NodeKind::Map(
            o.iter()
                .map(|(k, x)| {
                    let key_span = Span::new(*next, *next + 1);
                    *next += 1;
                    Entry {
                        key: k.clone(),
                        key_span,
                        value: node(x, next),
                    }
                })
                .collect(),
        ),
    };
    Node::new(kind, Span::new(start, start + 1))
}

fn run_json(v: Value) -> (Node, Vec<Diagnostic>) {
    let mut next = 0;
    let root = node(&v, &mut next);
    let file = SourceFile::new("blueprint.yaml", Format::Blueprint, " ".repeat(next + 1));
    let diags = check(&file, &root);
    (root, diags)
}

fn run_yaml(text: &str) -> (Arc<SourceFile>, Vec<Diagnostic>) {
    let file = SourceFile::new("blueprint.yaml", Format::Blueprint, text.to_owned());
    let root = crate::source::parse(&file, &crate::source::Limits::default())
        .expect("test blueprint loads");
    let diags = check(&file, &root);
    (file, diags)
}

fn span_of(root: &Node, path: &str) -> Span {
    root.pointer(path).unwrap().0.span
}
fn key_span_of(root: &Node, path: &str) -> Span {
    root.pointer(path).unwrap().1.unwrap()
}

fn minimal() -> Value {
    serde_json::json!({
        "project_name": "realtime-app",
        "provider": "cloudflare",
        "resources": [{ "id": "main-worker", "type": "cloudflare_worker" }],
    })
}

fn with(mut base: Value, key: &str, v: Value) -> Value {
    base[key] = v;
    base
}

const SEED_002: &str = include_str!("../../../examples/00-seed-002-verbatim/blueprint.yaml");

#[test]
fn schema_compiles_and_is_2020_12() {
    let c = compiled();
    assert_eq!(
        c.schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

/// Every property we define carries a description and examples (editors show them). The
/// conditions of `if` and the refinements in `then` (a bare `$ref` to a kind-specific shape)
/// are not properties of their own.
#[test]
fn every_property_is_documented() {
    fn walk(v: &Value, path: &str, missing: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::Object(props)) = o.get("properties") {
                    for (k, s) in props {
                        let forbidden = s.get("not") == Some(&serde_json::json!({}));
                        let refinement = path.contains("/then") && s.get("$ref").is_some();
                        if refinement {
                            continue;
                        }
                        if s.get("description").is_none() {
                            missing.push(format!("{path}/properties/{k}: description"));
                        }
                        if !forbidden && s.get("examples").is_none() {
                            missing.push(format!("{path}/properties/{k}: examples"));
                        }
                    }
                }
                for (k, x) in o {
                    if k != "if" {
                        walk(x, &format!("{path}/{k}"), missing);
                    }
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{path}/{i}"), missing);
                }
            }
            _ => {}
        }
    }
    let mut missing = Vec::new();
    walk(&compiled().schema, "", &mut missing);
    assert!(missing.is_empty(), "undocumented properties: {missing:#?}");
}

/// Objects we define are closed, except the open maps listed here on purpose.
#[test]
fn objects_are_closed_except_intended_open_maps() {
    const OPEN: &[&str] = &[
        "/$defs/resource", // closed by the branch of its `type`
        "/$defs/worker_config",
        "/$defs/binding_config",
        "/$defs/observability",
        "/$defs/worker_config/properties/assets",
        "/$defs/worker_config/properties/limits",
        "/$defs/worker_config/properties/placement",
        "/$defs/worker_config/properties/build",
    ];
    let schema = &compiled().schema;
    let defs = schema["$defs"].as_object().unwrap();
    let mut open = Vec::new();
    let mut check_obj = |path: String, s: &Value| {
        if s.get("properties").is_some()
            && s.get("additionalProperties").is_none()
            && !OPEN.contains(&path.as_str())
        {
            open.push(path);
        }
    };
    check_obj(String::new(), schema);
    for (name, s) in defs {
        check_obj(format!("/$defs/{name}"), s);
        if let Some(Value::Object(props)) = s.get("properties") {
            for (k, p) in props {
                check_obj(format!("/$defs/{name}/properties/{k}"), p);
            }
        }
    }
    // The Durable Object `options` base is open; kind-specific branches close it.
    open.retain(|p| p != "/$defs/durable_object/properties/options");
    assert!(
        open.is_empty(),
        "objects without additionalProperties: {open:#?}"
    );
}

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

// ---- Through the real YAML loader (line/column). These need `crate::source::parse`.

#[test]
fn yaml_seed_002_example_is_valid() {
    let (_, diags) = run_yaml(SEED_002);
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn yaml_fixtures_have_the_expected_outcome() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blueprints");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") {
            continue;
        }
        seen += 1;
        let (_, diags) = run_yaml(&std::fs::read_to_string(&path).unwrap());
        if name.starts_with("valid") {
            assert!(diags.is_empty(), "{name}: {diags:#?}");
        } else {
            assert_eq!(diags.len(), 1, "{name}: {diags:#?}");
        }
        if std::env::var_os("DOFORGE_PRINT_SCHEMA_FIXTURES").is_some() {
            for d in &diags {
                let (l, c) = d.primary.start();
                eprintln!("{name}:{l}:{c}: {} [help: {:?}]", d.message, d.help);
            }
        }
    }
    assert!(seen >= 6);
    let v1 = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/00-seed-002-verbatim/blueprint.yaml"),
    )
    .unwrap();
    assert!(run_yaml(&v1).1.is_empty());
}

#[test]
fn yaml_misspelt_key_line_and_column() {
    let text = "project_name: realtime-app\nprovider: cloudflare\ndurable_object:\n  - class_name: ChatRoom\nresources:\n  - id: main-worker\n    type: cloudflare_worker\n";
    let (file, diags) = run_yaml(text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(file.line_col(diags[0].primary.span.start), (3, 1));
    assert!(diags[0]
        .help
        .as_deref()
        .unwrap()
        .contains("durable_objects"));
}

#[test]
fn yaml_bad_class_names_line_and_column() {
    for (name, col) in [("../evil", 17), ("\"Chat Room\"", 17)] {
        let text = format!(
            "project_name: realtime-app\nprovider: cloudflare\nresources:\n  - id: main-worker\n    type: cloudflare_worker\ndurable_objects:\n  - class_name: {name}\n"
        );
        let (file, diags) = run_yaml(&text);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(
            file.line_col(diags[0].primary.span.start),
            (7, col),
            "{name}"
        );
    }
}

#[test]
fn yaml_missing_provider_at_root() {
    let text = "project_name: realtime-app\nresources:\n  - id: main-worker\n    type: cloudflare_worker\n";
    let (file, diags) = run_yaml(text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(file.line_col(diags[0].primary.span.start), (1, 1));
    // One line underlined (`project_name`), not the 4-line document.
    assert_eq!(diags[0].primary.span.len(), "project_name".len());
}

#[test]
fn a_missing_key_in_a_list_item_points_at_its_first_key() {
    let text = "project_name: realtime-app\nprovider: cloudflare\nresources:\n  - type: cloudflare_worker\n    config:\n      main: src/index.ts\n";
    let (file, diags) = run_yaml(text);
    let d = diags
        .iter()
        .find(|d| d.message.contains("\"id\""))
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(file.line_col(d.primary.span.start), (4, 5));
    assert_eq!(d.primary.span.len(), "type".len());
}

#[test]
fn a_missing_key_in_an_empty_document_map_points_at_its_start() {
    let (file, diags) = run_yaml("{}\n");
    assert!(!diags.is_empty());
    for d in &diags {
        assert!(d.primary.span.len() <= 2, "{d:#?}");
        assert_eq!(file.line_col(d.primary.span.start), (1, 1));
    }
}
