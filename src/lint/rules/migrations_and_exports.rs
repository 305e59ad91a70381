//! `migrations-and-exports`: `migrations` alongside `durable-object` entries in `exports`.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::Origin;

pub static RULE: Rule = Rule {
    name: "migrations-and-exports",
    category: Category::Lifecycle,
    default_severity: Severity::Error,
    summary: "`migrations` alongside `exports` entries of type `durable-object` (they are mutually exclusive)",
    docs: DOCS,
    applies_to: Input::WRANGLER,
    check,
};

const DOCS: &str = r#"## What it does
For every environment, flags an effective `exports` map that has `type = "durable-object"`
entries while the effective `migrations` list is not empty. `exports` entries of
`type = "worker"` may sit beside `migrations` and are not flagged.

## Why it matters
`migrations` (the legacy, tagged history) and the declarative `exports` map are two ways of
declaring the same Durable Object lifecycle, and wrangler refuses a config that uses both:
"`migrations` and `exports` are mutually exclusive. Choose one or the other to declare your
Durable Object lifecycle, but not both." Wrangler checks the top level and the environment being
deployed; this rule checks every environment at once, including an `env.<name>` that brings its
own `exports` while inheriting the top-level `migrations`.

## Example
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[exports.Counter]
type = "durable-object"
storage = "sqlite"
```

## Use instead
Keep one of them. For a Worker that already deployed its migrations, either keep `migrations`:
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
```
or move to `exports` by describing the classes as they exist now (and removing `migrations`):
```toml
[exports.Counter]
type = "durable-object"
storage = "sqlite"
```

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
- https://developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let lc = &env.lifecycle;
            if lc.migrations.is_empty() {
                continue;
            }
            let Some(export) = lc.exports.iter().find(|e| e.is_durable_object()) else {
                continue;
            };
            let own =
                |o: Option<crate::model::KeyOrigin>| o.is_some_and(|o| o.origin == Origin::Own);
            let env_name = if !env.is_top() && (own(lc.migrations_origin) || own(lc.exports_origin))
            {
                env.name_str()
            } else {
                None
            };
            let mut d = cx
                .diag(
                    export.name.span,
                    format!(
                        "`exports.{}` declares a Durable Object, but this Worker also has `migrations`; the two are mutually exclusive",
                        export.name.value
                    ),
                )
                .with_help(
                    "declare the Durable Object lifecycle one way: keep `migrations` and remove the `durable-object` entries from `exports`, or describe every class in `exports` and remove `migrations` (`worker` entries may stay)",
                )
                .with_env(env_name);
            if let Some(key) = lc.migrations_origin.and_then(|o| o.key_span) {
                d = d.with_secondary(cx.label(key, "`migrations` declared here"));
            }
            out.push(d);
        }
    }
    out
}
