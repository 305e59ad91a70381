//! `deleted-class-still-bound`: a binding to a class that the lifecycle deletes, renames away or
//! marks as a tombstone.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::lifecycle::Removal;
use crate::model::{DoClass, Env, ProjectKind};
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "deleted-class-still-bound",
    category: Category::Lifecycle,
    default_severity: Severity::Error,
    summary: "A binding to a Durable Object class that the lifecycle deletes, renames away or marks as a tombstone",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
For every environment, takes each Durable Object binding whose class this Worker hosts (no
`script_name`, or the environment's own Worker name) and flags it when the effective lifecycle
says the class no longer exists:

* the migration history deletes it (`deleted_classes`) and does not create it again;
* the history renames it away (`renamed_classes.from`): bindings must use the new name;
* its `exports` entry is a tombstone (`state = "deleted"`, `"renamed"` or `"transferred"`).

In a blueprint, any binding whose `target` is a class marked `deleted: true` (or deleted by the
explicit `migrations:`) is flagged.

## Why it matters
Cloudflare refuses to delete a class that a binding still references: `Cannot apply
--delete-class migration to class 'Room' without also removing the binding that references it.
[code: 10061]`. After a rename, a binding to the old name points at a class that is no longer a
Durable Object namespace, and the upload fails with 10061 as well. Wrangler does not check
either locally (it only warns for a tombstone `exports` entry, and only when `migrations` is
empty).

## Example
```toml
[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Room", to = "ChatRoom" }]
```

## Use instead
```toml
[[durable_objects.bindings]]
name = "ROOM"
class_name = "ChatRoom"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Room", to = "ChatRoom" }]
```
To delete a class, remove its bindings (and deploy) first, then add the `deleted_classes` step.
Deleting a class deletes all of its stored data.

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/
- https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
- https://github.com/cloudflare/workers-sdk/issues/8210
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let tombstones: HashMap<&str, &DoClass> = cx
        .project
        .classes
        .iter()
        .filter(|c| c.deleted)
        .map(|c| (c.class_name.as_str(), c))
        .collect();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            env_bindings(cx, env, &tombstones, &mut out);
        }
    }
    out
}

fn env_bindings(
    cx: &Ctx,
    env: &Env,
    tombstones: &HashMap<&str, &DoClass>,
    out: &mut Vec<Diagnostic>,
) {
    let blueprint = cx.project.kind == ProjectKind::Blueprint;
    let history = env.lifecycle.history();
    let exports = env.lifecycle.durable_object_exports();
    for (_, d) in env.durable_objects() {
        // In a blueprint a class is deleted for every worker that binds it.
        if !blueprint && !env.hosts(d) {
            continue;
        }
        let class = d.class_name.as_str();
        let found: Option<(String, Span, &str, String)> = if let Some(c) = tombstones.get(class) {
            Some((
                format!("Durable Object class `{class}` is bound here, but it is marked `deleted: true`"),
                class_key_span(cx, c, "deleted"),
                "marked deleted here",
                format!("remove this binding: a deleted class has no Durable Objects left (its data is deleted with it); to keep `{class}`, drop `deleted: true`"),
            ))
        } else if let Some(rec) = history.get(class).filter(|r| !r.live) {
            match &rec.removed {
                Some((Removal::Deleted, at)) => Some((
                    format!("Durable Object class `{class}` is bound here, but the migration history deletes it"),
                    *at,
                    "deleted here",
                    "remove this binding, and deploy that before the `deleted_classes` step: Cloudflare refuses to delete a class that a binding still references (error 10061)".to_owned(),
                )),
                Some((Removal::RenamedTo(to), at)) => Some((
                    format!("Durable Object class `{class}` is bound here, but the migration history renames it to `{to}`"),
                    *at,
                    "renamed here",
                    format!("bind the new name: `class_name = \"{to}\"` (the rename keeps the data under `{to}`; `{class}` is no longer a Durable Object class)"),
                )),
                None => None,
            }
        } else if let Some(e) = exports.get(class).filter(|e| !e.is_live()) {
            let state = e.state.as_ref().map_or("", |s| s.as_str());
            let help = match state {
                "renamed" => "bind the class it was renamed to (`renamed_to`) instead".to_owned(),
                "transferred" => "the class now lives in another Worker: bind it there with `script_name` set to that Worker".to_owned(),
                _ => "remove this binding: a deleted class has no Durable Objects left".to_owned(),
            };
            Some((
                format!("Durable Object class `{class}` is bound here, but its `exports` entry is a tombstone (`state = \"{state}\"`)"),
                e.state.as_ref().map_or(e.name.span, |s| s.span),
                "tombstone declared here",
                help,
            ))
        } else {
            None
        };
        let Some((message, at, label, help)) = found else {
            continue;
        };
        out.push(
            cx.diag(d.class_name.span, message)
                .with_secondary(cx.label(at, label))
                .with_help(help)
                .with_env(env.name_str()),
        );
    }
}

/// The span of a key's value in a blueprint class entry, else its `class_name`.
fn class_key_span(cx: &Ctx, class: &DoClass, key: &str) -> Span {
    cx.root
        .get("durable_objects")
        .and_then(|d| d.as_seq())
        .and_then(|items| items.iter().find(|n| n.span == class.span))
        .and_then(|n| n.get(key))
        .map_or(class.class_name.span, |n| n.span)
}
