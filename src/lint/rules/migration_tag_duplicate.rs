//! `migration-tag-duplicate`: two steps of one migration history with the same tag.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};

pub static RULE: Rule = Rule {
    name: "migration-tag-duplicate",
    category: Category::Lifecycle,
    default_severity: Severity::Error,
    summary: "Two migration steps with the same tag",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Flags a migration step whose `tag` an earlier step of the same history already uses — in the
top-level `migrations`, in each `env.<name>.migrations` list, and in a blueprint's explicit
`migrations:`. The finding points at the second tag, with the first one as a related place.

## Why it matters
Tags are how Cloudflare knows which steps were applied: wrangler reads the deployed script's
last tag, finds it in your list and uploads every step *after* it. With a duplicate, it finds
the first occurrence, so a Worker whose last applied step is the second `v2` gets the steps in
between sent again (and the API rejects them, e.g. with error 10074), or a new step is skipped.
Wrangler itself only checks that `tag` is a string.

## Example
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
```

## Use instead
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Room"]
```
If both steps were already deployed under the same tag, do not renumber the first one: give the
*later* step a new tag, since wrangler only compares tags.

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let lc = &env.lifecycle;
            // An inherited list is the top level's: checked there, once.
            if lc.migrations_inherited() {
                continue;
            }
            let mut first = HashMap::new();
            for m in &lc.migrations {
                let Some(tag) = &m.tag else { continue };
                let Some(prev) = first.get(tag.as_str()) else {
                    first.insert(tag.as_str(), tag.span);
                    continue;
                };
                let d = cx
                    .diag(
                        tag.span,
                        format!("migration tag `{}` is used twice", tag.value),
                    )
                    .with_secondary(cx.label(*prev, "first used here"))
                    .with_help(format!(
                        "tags must be unique: wrangler resumes after the first step with the deployed tag, so steps would be re-sent or skipped; give this step a new tag such as `{}`",
                        lc.next_tag()
                    ))
                    .with_env(env.name_str());
                out.push(d);
            }
        }
    }
    out
}
