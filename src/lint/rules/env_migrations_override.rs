//! `env-migrations-override`: an `env.<name>.migrations` list, which replaces the top-level
//! history for that environment.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{Migration, Origin};

pub static RULE: Rule = Rule {
    name: "env-migrations-override",
    category: Category::Lifecycle,
    default_severity: Severity::Info,
    summary: "An `env.<name>.migrations` list, which replaces (not extends) the top-level migration history",
    docs: DOCS,
    applies_to: Input::WRANGLER,
    check,
};

const DOCS: &str = r#"## What it does
Points out every environment that declares its own `migrations` list, and says how it differs
from the top-level history: top-level steps it lacks, and steps with the same tag but different
contents.

## Why it matters
`migrations` is inheritable, and inheriting means *replacing*: an `env.<name>.migrations` list is
that environment's whole history, and the top-level list is ignored for it. A step added to the
top level later is therefore never applied in that environment unless it is added there too, and
the environment's Worker ends up without the class (error 10061 when a binding needs it). Some
projects keep a separate list on purpose (for example, preview Workers that are deployed fresh),
so this is information, not an error.

## Example
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Room"]

[env.staging]
[[env.staging.migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
```

## Use instead
Let environments inherit the top-level list (remove `env.staging.migrations`), or keep every
environment's list in step with the top level:
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Room"]
```

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/
- https://developers.cloudflare.com/workers/wrangler/configuration/
- https://developers.cloudflare.com/workers/wrangler/environments/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        let top = worker.top();
        let top_key = top.lifecycle.migrations_origin.and_then(|o| o.key_span);
        let top_steps = by_tag(&top.lifecycle.migrations);
        for env in worker.envs.iter().skip(1) {
            let lc = &env.lifecycle;
            let Some(origin) = lc.migrations_origin else {
                continue;
            };
            let (Origin::Own, Some(key)) = (origin.origin, origin.key_span) else {
                continue;
            };
            let Some(name) = env.name_str() else { continue };
            let own = by_tag(&lc.migrations);
            let missing: Vec<&str> = top
                .lifecycle
                .migrations
                .iter()
                .filter_map(|m| m.tag.as_ref().map(|t| t.as_str()))
                .filter(|t| !own.contains_key(t))
                .collect();
            let mut differing: Vec<(usize, &str)> = own
                .iter()
                .filter_map(|(tag, (i, m))| {
                    let (_, t) = top_steps.get(tag)?;
                    (!m.same_directives(t)).then_some((*i, *tag))
                })
                .collect();
            differing.sort_unstable();
            let differing: Vec<&str> = differing.into_iter().map(|(_, t)| t).collect();
            let mut notes = Vec::new();
            if !missing.is_empty() {
                notes.push(format!(
                    "it lacks the top-level step{} {}",
                    if missing.len() == 1 { "" } else { "s" },
                    quoted(&missing)
                ));
            }
            if !differing.is_empty() {
                notes.push(format!(
                    "{} {} different content{} than at the top level",
                    quoted(&differing),
                    if differing.len() == 1 { "has" } else { "have" },
                    if differing.len() == 1 { "" } else { "s" }
                ));
            }
            let message = if top.lifecycle.migrations.is_empty() {
                format!("`env.{name}.migrations` gives this environment its own migration history")
            } else if notes.is_empty() {
                format!(
                    "`env.{name}.migrations` replaces the top-level migration history for this environment"
                )
            } else {
                format!(
                    "`env.{name}.migrations` replaces the top-level migration history for this environment: {}",
                    notes.join("; ")
                )
            };
            let mut d = cx
                .diag(key, message)
                .with_help(format!(
                    "an environment's `migrations` replace the top-level list, they are not merged with it; remove `env.{name}.migrations` to inherit the top-level history, or keep both lists in step (append every new step to each)"
                ))
                .with_env(Some(name));
            if let Some(top_key) = top_key {
                d = d.with_secondary(
                    cx.label(top_key, "top-level history, ignored in this environment"),
                );
            }
            out.push(d);
        }
    }
    out
}

fn quoted(tags: &[&str]) -> String {
    let shown: Vec<String> = tags.iter().take(5).map(|t| format!("`{t}`")).collect();
    if tags.len() > shown.len() {
        format!("{} and {} more", shown.join(", "), tags.len() - shown.len())
    } else {
        shown.join(", ")
    }
}

/// Steps by tag (the first step with a tag wins, as in wrangler), with their position.
fn by_tag(steps: &[Migration]) -> HashMap<&str, (usize, &Migration)> {
    let mut map = HashMap::new();
    for (i, m) in steps.iter().enumerate() {
        if let Some(t) = &m.tag {
            map.entry(t.as_str()).or_insert((i, m));
        }
    }
    map
}
