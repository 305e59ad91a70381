//! Cloudflare-worded messages for the fields people get wrong, keyed by schema location.

use super::*;

/// `(message, help)` for an error at a known schema location; `v` is the offending string.
pub(super) fn known_message(
    schema_path: &str,
    v: &str,
    shown: &str,
) -> Option<(String, Option<String>)> {
    let m = |message: String, help: Option<String>| Some((message, help));
    match schema_path {
        "/properties/project_name/pattern" => m(
            format!("project name \"{v}\" is not a valid Worker name: use 1-63 lowercase letters, digits and \"-\", not starting or ending with \"-\""),
            example(&slug(v)),
        ),
        "/$defs/script_name/pattern" => m(
            format!("Worker name \"{v}\" is not a valid script name: use 1-63 lowercase letters, digits and \"-\", not starting or ending with \"-\""),
            example(&slug(v)),
        ),
        "/$defs/resource_id/pattern" => m(
            format!("resource id \"{v}\" is not valid: use lowercase letters, digits, \"-\" and \"_\", starting with a letter or digit"),
            example(&slug(v)),
        ),
        "/$defs/class_name/pattern" => m(
            format!("class name \"{v}\" is not a valid identifier: use PascalCase letters and digits, e.g. \"{}\"", pascal(v)),
            Some("class names become a Rust struct and a JavaScript class in generated code".into()),
        ),
        "/$defs/class_name/maxLength" => m(
            format!("class name \"{v}\" is longer than 64 characters"),
            None,
        ),
        "/$defs/class_name/not" if v == "Self" => m(
            "class name \"Self\" is a reserved word in Rust".into(),
            Some("pick another name, e.g. \"SelfDO\"".into()),
        ),
        "/$defs/class_name/not" => m(
            format!("class name \"{v}\" clashes with a name generated code already uses (a JavaScript global, a Workers runtime type or a Rust / workers-rs prelude name)"),
            Some(format!("pick a more specific name, e.g. \"{v}DO\"")),
        ),
        "/$defs/identifier/pattern" => m(
            format!("\"{v}\" is not a valid class identifier: use letters, digits and \"_\", not starting with a digit"),
            None,
        ),
        "/$defs/binding_name/pattern" => m(
            format!("binding name \"{v}\" is not valid: Workers read bindings as env.NAME, so use SCREAMING_SNAKE_CASE, e.g. \"{}\"", screaming(v)),
            None,
        ),
        "/$defs/secret_name/pattern" => m(
            format!("secret name \"{v}\" is not valid: use SCREAMING_SNAKE_CASE, e.g. \"{}\"", screaming(v)),
            None,
        ),
        "/$defs/var_name/pattern" => m(
            format!("variable name \"{v}\" is not a valid identifier: Workers read it as env.NAME"),
            Some(format!("e.g. \"{}\"", screaming(v))),
        ),
        "/$defs/env_name/pattern" => m(
            format!("environment name \"{v}\" is not valid: use lowercase letters, digits, \"-\" and \"_\""),
            example(&slug(v)),
        ),
        "/$defs/rule_name/pattern" => m(
            format!("lint rule name \"{v}\" is not valid: rule names are kebab-case, e.g. \"compat-date-stale\""),
            Some("`doforge explain` lists the rules".into()),
        ),
        "/$defs/date/pattern" => m(
            format!("compatibility date \"{v}\" is not a date: write YYYY-MM-DD, e.g. \"2025-10-08\""),
            None,
        ),
        "/$defs/duration/pattern" | "/$defs/duration/minimum" => m(
            format!("duration {} is not valid: write a whole number and a unit (ms, s, m, h, d), e.g. \"60s\", \"1h\", \"30d\", or a number of seconds", shown),
            None,
        ),
        "/$defs/instances/properties/route/pattern" => m(
            format!("instance route \"{v}\" must start with \"/\""),
            Some(format!("e.g. \"/{}\"", v.trim_start_matches('/'))),
        ),
        "/$defs/binding/properties/target/pattern" => m(
            format!("binding target \"{v}\" is neither a resource id (lowercase) nor a Durable Object class name (PascalCase)"),
            None,
        ),
        "/properties/provider/const" | "/$defs/res_worker/properties/provider/const" => m(
            format!("provider {} is not supported: doforge only knows \"cloudflare\"", shown),
            Some("use `provider: cloudflare`".into()),
        ),
        "/$defs/resource_type/enum" => m(
            format!("unknown resource type {}", shown),
            Some(match resource_types()
                .into_iter()
                .find(|t| v.len() >= 4 && t.starts_with(v))
                .map(str::to_owned)
                .or_else(|| suggest(v, resource_types()))
            {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("known types: {}", resource_types().join(", ")),
            }),
        ),
        "/$defs/durable_object/properties/deleted/const" => m(
            "`deleted` can only be true (a tombstone that plans the class's deletion)".into(),
            Some("remove `deleted` to keep the class".into()),
        ),
        "/$defs/singleton/then/const" | "/$defs/singleton/type" | "/$defs/singleton/else/type" => m(
            "`singleton` must be true or { reason: \"…\" }".into(),
            Some("remove `singleton` when each key gets its own instance".into()),
        ),
        "/$defs/binding/then/properties/name/not" => m(
            "a queue consumer binding has no `name`".into(),
            Some("remove `name`, or use `role: producer` to send messages under that name".into()),
        ),
        "/properties/resources/minItems" => m(
            "`resources` must list at least one resource".into(),
            Some("add a `type: cloudflare_worker` entry".into()),
        ),
        p if p.starts_with("/$defs/res_") && p.ends_with("/properties/provider/const") => m(
            format!("provider {} is not supported: doforge only knows \"cloudflare\"", shown),
            Some("use `provider: cloudflare`, or leave it out".into()),
        ),
        p if p.ends_with("/bucket_name/pattern") || p.ends_with("/preview_bucket_name/pattern") => m(
            format!("R2 bucket name \"{v}\" is not valid: use 3-63 lowercase letters, digits and \"-\""),
            example(&slug(v)),
        ),
        "/$defs/res_queue/properties/config/properties/queue/pattern" => m(
            format!("queue name \"{v}\" is not valid: use 1-63 lowercase letters, digits and \"-\""),
            example(&slug(v)),
        ),
        _ => None,
    }
}

/// The resource types the schema knows, for the "unknown resource type" help.
pub(super) fn resource_types() -> Vec<&'static str> {
    compiled().schema["$defs"]["resource_type"]["enum"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

pub(super) fn example(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| format!("e.g. \"{s}\""))
}

/// Advice for a missing key.
pub(super) fn required_help(schema_path: &str, key: &str) -> Option<String> {
    if schema_path == "/$defs/binding/else/required" {
        return Some(
            "a binding needs a `name` (the env.NAME the Worker uses); only a queue consumer (`role: consumer`) has none".into(),
        );
    }
    Some(match key {
        "provider" => "add `provider: cloudflare`".into(),
        "project_name" => "add `project_name: my-app` (lowercase letters, digits and \"-\")".into(),
        "resources" => {
            "add a `resources:` list with at least one `type: cloudflare_worker` entry".into()
        }
        "id" => "add `id: <resource id>`; other sections refer to the resource by it".into(),
        "type" => format!("add `type:` with one of {}", resource_types().join(", ")),
        "class_name" => "add `class_name:` with the class's PascalCase name".into(),
        "target" => "add `target:` with a resource id or a Durable Object class name".into(),
        "reason" => "say why one instance for all traffic is fine".into(),
        _ => return None,
    })
}

/// Advice for an unexpected key that is a common mistake rather than a typo.
pub(super) fn special_key_help(parent: &str, key: &str) -> Option<String> {
    let resource_config =
        parent.starts_with("/$defs/res_") && parent.ends_with("/properties/config");
    let resource = parent.starts_with("/$defs/res_") && !parent.contains("/properties/");
    match key {
        "binding" if resource_config => Some(
            "binding names are declared under top-level `bindings:`, e.g. `{ worker: main-worker, name: CACHE, target: <resource id> }`".into(),
        ),
        "name" if resource => Some(
            "a resource's Cloudflare name goes in its `config` (bucket_name, database_name, queue, dataset …); only a cloudflare_worker has `name`".into(),
        ),
        _ => None,
    }
}
