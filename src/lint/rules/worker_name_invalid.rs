//! `worker-name-invalid`: a wrangler `name` (top level or `env.<name>.name`) that wrangler refuses:
//! only lowercase letters, digits, `-` and `_`, not starting with `-`.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::source::Node;

pub static RULE: Rule = Rule {
    name: "worker-name-invalid",
    category: Category::Naming,
    default_severity: Severity::Error,
    summary: "A Worker `name` wrangler refuses (only lowercase letters, digits, `-` and `_`, not starting with `-`)",
    docs: DOCS,
    applies_to: Input::WRANGLER,
    check,
};

const DOCS: &str = r#"## What it does
Checks the Worker `name` at the top level and in every `env.<name>` of a wrangler config against
the pattern wrangler validates it with, `^[a-z0-9_][a-z0-9-_]*$`: lowercase ASCII letters, digits,
`-` and `_`, not starting with `-`. Uppercase letters, spaces, dots and non-ASCII letters are the
usual mistakes (`"My API"`, `"api.v2"`, `"café-api"`).

Blueprints do not need this rule: the blueprint schema only accepts Worker names of that shape.

## Why it matters
wrangler refuses the whole config ("Expected "name" to be of type string, alphanumeric and
lowercase with dashes only"), for every command — `deploy`, `dev`, `types` — so nothing
works until it is renamed. The name is also the Worker's `workers.dev` subdomain label and the
`script_name`/`service` other Workers bind to, so a rename later is a breaking change for them.

## Example
```toml
name = "Shop API"
main = "src/index.ts"
compatibility_date = "2026-01-15"
```

## Use instead
```toml
name = "shop-api"
main = "src/index.ts"
compatibility_date = "2026-01-15"
```

## References
- https://developers.cloudflare.com/workers/wrangler/configuration/#inheritable-keys
- https://developers.cloudflare.com/workers/configuration/routing/workers-dev/
"#;

/// wrangler's `isValidName`: `^$|^[a-z0-9_][a-z0-9-_]*$`.
pub fn is_valid_worker_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        None => true,
        Some(first) => {
            (first.is_ascii_lowercase() || first.is_ascii_digit() || first == b'_')
                && bytes
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        }
    }
}

/// The closest valid name, for the fix.
fn suggestion(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "my-worker".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut check_name = |node: Option<&Node>, env: Option<&str>| {
        let Some(node) = node else { return };
        let Some(name) = node.as_str() else { return };
        if is_valid_worker_name(name) {
            return;
        }
        let key = env.map_or_else(|| "name".to_owned(), |e| format!("env.{e}.name"));
        out.push(
            cx.diag(
                node.span,
                format!("Worker name {name:?} (`{key}`) is refused by wrangler: only lowercase letters, digits, `-` and `_` are allowed, and it cannot start with `-`"),
            )
            .with_help(format!(
                "rename it, e.g. `{}`, and update every `script_name`/`service` that binds to it",
                suggestion(name)
            ))
            .with_env(env),
        );
    };
    check_name(cx.root.get("name"), None);
    if let Some(envs) = cx.root.get("env").and_then(Node::as_map) {
        for e in envs {
            check_name(e.value.get("name"), Some(e.key.as_str()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_wranglers_pattern() {
        for ok in ["", "api", "shop-api", "_internal", "0day", "a_b-c"] {
            assert!(is_valid_worker_name(ok), "{ok:?}");
        }
        for bad in ["-api", "Shop", "shop api", "api.v2", "café", "a/b", "API"] {
            assert!(!is_valid_worker_name(bad), "{bad:?}");
        }
        assert_eq!(suggestion("My Shop_API"), "my-shop_api");
        assert_eq!(suggestion("-x-"), "x");
        assert_eq!(suggestion("!!!"), "my-worker");
    }
}
