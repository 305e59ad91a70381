//! `unknown-field`: a key wrangler does not know, at any depth, checked against the key tree
//! derived from wrangler's own `config-schema.json`.

use crate::diagnostics::{Applicability, Diagnostic, Fix, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::schema::wrangler_keys::{unknown_keys, wrangler_config};

pub static RULE: Rule = Rule {
    name: "unknown-field",
    category: Category::Structure,
    default_severity: Severity::Warning,
    summary:
        "A key wrangler does not know (or has deprecated), at any depth, including inside `env.*` and binding entries",
    docs: DOCS,
    applies_to: Input::WRANGLER,
    check,
};

const DOCS: &str = r#"## What it does
Compares every key of a wrangler config — top level, inside each `env.<name>`, inside every
binding entry, migration and export — with the keys wrangler 4.x accepts (derived from the
`config-schema.json` that ships with wrangler), and flags the ones it does not know, suggesting
the closest known key.

Keys wrangler 4 deprecated or removed are named as such, with their replacement:
`containers[].instances` (use `max_instances`), `containers[].durable_objects` (`class_name`),
`containers[].wrangler_ssh` (`ssh`), `containers[].configuration`, `constraints.tier`
(`tiers`), `pipelines[].pipeline` (`stream`), `queues.producers[].delivery_delay` (no effect),
`site.entry-point` (`main`), `node_compat` (the `nodejs_compat` flag), `legacy_env`,
`usage_model`, and the wrangler 1 keys `type`, `zone_id`, `webpack_config`,
`durable_objects.classes` (`bindings`) and `build.upload`, `build.upload_dir`,
`build.upload_format` (the top-level `main`).

## Why it matters
Wrangler only *warns* about unexpected fields ("Unexpected fields found in … field") and then
ignores them, so a typo silently drops configuration: `new_sqlite_class` creates no class,
`durable_objects.classes` binds nothing, `kv_namespace` inside an env leaves the env without its
KV binding. The deploy succeeds and the Worker fails at runtime.

## Example
```toml
[durable_objects]
classes = [{ binding = "SESSION_STATE", class_name = "SessionStateDO" }]

[[migrations]]
tag = "v1"
new_sqlite_class = ["SessionStateDO"]
```

## Use instead
```toml
[[durable_objects.bindings]]
name = "SESSION_STATE"
class_name = "SessionStateDO"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["SessionStateDO"]
```

## References
- https://developers.cloudflare.com/workers/wrangler/configuration/
- https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
"#;

/// Keys wrangler 4 deprecated or removed: (place, key, what to write instead). Places are written
/// as in [`place_of`]: env prefixes dropped, list indices as `[]`. Unknown to wrangler's schema
/// unless listed in [`KNOWN_DEPRECATED`].
const DEPRECATED: &[(&str, &str, &str)] = &[
    ("containers[]", "instances", "use `max_instances`"),
    ("containers[]", "durable_objects", "use `class_name`"),
    ("containers[]", "wrangler_ssh", "use `ssh`"),
    ("containers[]", "configuration", "move its fields to the container entry itself (`configuration.image` → `image`; set limits with `instance_type`)"),
    ("containers[].constraints", "tier", "use `tiers` (a list)"),
    ("", "node_compat", "removed in wrangler 4: add the `nodejs_compat` compatibility flag instead"),
    ("", "legacy_env", "removed in wrangler 4: delete it (every env deploys as its own Worker `<name>-<env>`, as `legacy_env = true` did)"),
    ("", "usage_model", "no longer has any effect: delete it"),
    ("", "type", "a wrangler 1 key that wrangler 4 ignores: delete it (workers-rs builds with `[build] command = \"worker-build --release\"`)"),
    ("", "zone_id", "a wrangler 1 key: give the zone per route instead (`routes = [{ pattern = \"…\", zone_id = \"…\" }]`)"),
    ("", "webpack_config", "a wrangler 1 key that wrangler 4 ignores: delete it and bundle with wrangler's own esbuild, or a `[build]` command"),
    ("pipelines[]", "pipeline", "use `stream`"),
    ("queues.producers[]", "delivery_delay", "it has no effect: set the queue's delay with `wrangler queues update --delivery-delay-secs`"),
    ("site", "entry-point", "delete it and set the top-level `main` to the Worker's entry module"),
    // wrangler 1/2 build keys, still in old workers-rs and demo configs: wrangler 4 accepts only
    // `command`, `cwd` and `watch_dir` in `build`.
    ("build", "upload", "a wrangler 1/2 key that wrangler 4 ignores: set the top-level `main` to the entry module (`build/worker/shim.mjs` for workers-rs) and move `upload.rules` to the top-level `rules`"),
    ("build", "upload_dir", "a wrangler 1 key that wrangler 4 ignores: set the top-level `main` to the entry module"),
    ("build", "upload_format", "a wrangler 1 key that wrangler 4 ignores: the module format follows from `main`"),
    ("durable_objects", "classes", "a wrangler 1 key that binds nothing in wrangler 4: use `bindings`, with `name` instead of `binding` (`[[durable_objects.bindings]] name = \"…\" class_name = \"…\"`)"),
];

/// Deprecated keys that are still in wrangler's schema (it accepts them, with a warning).
const KNOWN_DEPRECATED: &[&str] = &["pipeline", "delivery_delay", "entry-point"];

/// `env.production.containers[0]` → `containers[]`.
fn place_of(path: &str) -> String {
    let rest = match env_of(path) {
        Some(env) => {
            let after = path
                .strip_prefix("env.")
                .and_then(|p| p.strip_prefix(env))
                .or_else(|| {
                    path.strip_prefix("env[\"")
                        .and_then(|p| p.strip_prefix(env))
                        .and_then(|p| p.strip_prefix("\"]"))
                })
                .unwrap_or("");
            after.trim_start_matches('.')
        }
        None => path,
    };
    let mut out = String::new();
    let mut in_index = false;
    for c in rest.chars() {
        match c {
            '[' if !in_index => {
                in_index = true;
                out.push_str("[]");
            }
            ']' if in_index => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

fn deprecated(path: &str, key: &str) -> Option<&'static str> {
    let place = place_of(path);
    DEPRECATED
        .iter()
        .find(|(p, k, _)| *p == place && *k == key)
        .map(|(_, _, instead)| *instead)
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = known_deprecated(cx);
    out.extend(
        unknown_keys(cx.root, wrangler_config())
            .into_iter()
            .map(|u| {
                let key_path = u.key_path();
                if let Some(instead) = deprecated(&u.path, &u.key) {
                    return cx
                        .diag(
                            u.key_span,
                            format!("`{key_path}` is deprecated or removed in wrangler 4"),
                        )
                        .with_help(instead.to_owned())
                        .with_env(env_of(&key_path));
                }
                let place = if u.path.is_empty() {
                    "at the top level".to_owned()
                } else {
                    format!("in `{}`", u.path)
                };
                let help = match &u.suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if u.known.len() <= 12 => {
                        format!("known keys here: {}", u.known.join(", "))
                    }
                    None => "remove it, or check the key against the wrangler configuration docs"
                        .to_owned(),
                };
                cx.diag(
                    u.key_span,
                    format!("wrangler does not know the key `{}` {place}", u.key),
                )
                .with_help(help)
                .with_env(env_of(&key_path))
                .with_fix(
                    u.suggestion
                        .as_deref()
                        .map(|s| rename(cx, &u.path, u.key_span, s)),
                )
            }),
    );
    out.sort_by_key(|d| d.primary.span.start);
    out
}

/// Deprecated keys wrangler's schema still accepts, at the top level and in every env.
fn known_deprecated(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let envs = cx
        .root
        .get("env")
        .and_then(|e| e.as_map())
        .unwrap_or_default();
    let tables = std::iter::once((None, cx.root))
        .chain(envs.iter().map(|e| (Some(e.key.as_str()), &e.value)));
    for (env, table) in tables {
        let prefix = env.map_or_else(String::new, |e| format!("env.{e}."));
        let mut at = |place: &str, node: &crate::source::Node, index: Option<usize>| {
            for e in node.as_map().unwrap_or_default() {
                if !KNOWN_DEPRECATED.contains(&e.key.as_str()) {
                    continue;
                }
                let Some(instead) = DEPRECATED
                    .iter()
                    .find(|(p, k, _)| *p == place && *k == e.key)
                    .map(|(_, _, i)| *i)
                else {
                    continue;
                };
                let shown = match index {
                    Some(i) => format!("{prefix}{}[{i}].{}", place.trim_end_matches("[]"), e.key),
                    None => format!("{prefix}{place}.{}", e.key),
                };
                out.push(
                    cx.diag(e.key_span, format!("`{shown}` is deprecated in wrangler 4"))
                        .with_help(instead.to_owned())
                        .with_env(env),
                );
            }
        };
        if let Some(site) = table.get("site") {
            at("site", site, None);
        }
        for (i, p) in table
            .get("pipelines")
            .and_then(|p| p.as_seq())
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            at("pipelines[]", p, Some(i));
        }
        let producers = table
            .get("queues")
            .and_then(|q| q.get("producers"))
            .and_then(|p| p.as_seq());
        for (i, p) in producers.unwrap_or_default().iter().enumerate() {
            at("queues.producers[]", p, Some(i));
        }
    }
    out
}

/// Rename a near-miss to the known key. Unsafe inside `migrations`: that rewrites a step that
/// may have been applied already (see `fix::catalog`).
fn rename(cx: &Ctx, path: &str, key_span: crate::source::Span, to: &str) -> Fix {
    let in_migrations = path.starts_with("migrations") || path.contains(".migrations");
    let applicability = if in_migrations {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    Fix::new(
        format!("rename the key to `{to}`"),
        applicability,
        vec![crate::fix::edit::rename_key(cx.file(), key_span, to)],
    )
}

/// `env.<name>…` paths belong to that environment.
fn env_of(path: &str) -> Option<&str> {
    if let Some(quoted) = path.strip_prefix("env[\"") {
        // Quoted env names come JSON-escaped; names needing escapes are not worth decoding here.
        return quoted.split("\"]").next();
    }
    let rest = path.strip_prefix("env.")?;
    rest.split(['.', '[']).next().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_is_taken_from_the_path() {
        assert_eq!(env_of("env.staging.kv_namespace"), Some("staging"));
        assert_eq!(env_of("env.production"), Some("production"));
        assert_eq!(env_of("kv_namespaces[0].idd"), None);
        assert_eq!(env_of("env[\"my.env\"].vars"), Some("my.env"));
    }

    #[test]
    fn deprecated_keys_are_found_in_every_env() {
        assert_eq!(place_of("env.production.containers[0]"), "containers[]");
        assert_eq!(
            place_of("containers[12].constraints"),
            "containers[].constraints"
        );
        assert_eq!(place_of(""), "");
        assert_eq!(place_of("env.staging"), "");
        assert!(deprecated("env.staging.containers[1]", "instances").is_some());
        assert!(deprecated("containers[1]", "image").is_none());
    }
}
