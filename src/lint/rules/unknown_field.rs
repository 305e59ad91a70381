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
        "A key wrangler does not know, at any depth, including inside `env.*` and binding entries",
    docs: DOCS,
    applies_to: Input::WRANGLER,
    check,
};

const DOCS: &str = r#"## What it does
Compares every key of a wrangler config — top level, inside each `env.<name>`, inside every
binding entry, migration and export — with the keys wrangler 4.x accepts (derived from the
`config-schema.json` that ships with wrangler), and flags the ones it does not know, suggesting
the closest known key.

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

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    unknown_keys(cx.root, wrangler_config())
        .into_iter()
        .map(|u| {
            let key_path = u.key_path();
            let place = if u.path.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("in `{}`", u.path)
            };
            let help = match &u.suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None if u.known.len() <= 12 => format!("known keys here: {}", u.known.join(", ")),
                None => {
                    "remove it, or check the key against the wrangler configuration docs".to_owned()
                }
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
        })
        .collect()
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
}
