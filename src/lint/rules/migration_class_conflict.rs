//! `migration-class-conflict`: a migration step that contradicts the history before it.

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::lifecycle::{Conflict, History, Removal};
use crate::model::ProjectKind;
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "migration-class-conflict",
    category: Category::Lifecycle,
    default_severity: Severity::Error,
    summary: "A migration step that contradicts the history before it: a class created twice, renamed, deleted or transferred inconsistently",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Replays each migration history (the top-level `migrations`, every `env.<name>.migrations`, a
blueprint's explicit `migrations:`) step by step, the way Cloudflare applies it, and flags a step
that contradicts what came before:

* a class created while it already exists (`new_sqlite_classes` / `new_classes` twice, including
  a later attempt to switch a class to SQLite with `new_sqlite_classes`);
* a class listed in both `new_classes` and `new_sqlite_classes` of one step;
* a rename whose `from` does not exist at that point of the history (never created, already
  deleted or renamed), whose `to` already exists, or whose `from` and `to` are the same;
* a delete of a class that does not exist at that point;
* a transfer without its source (`from` / `from_script` missing) or onto a class that already
  exists; a rename or transfer entry missing a field.

## Why it matters
Such a history cannot be applied. Wrangler 4.x replays the list when it deploys and stops with
`Cannot apply new_sqlite_classes migration to existing class Counter` or `Cannot apply
renamed_classes migration to non-existent class Rooms` — but only for the environment being
deployed, and only at deploy time; a transfer without `from_script` is refused when the config is
read. A rename or transfer onto a class that already exists passes wrangler and is rejected by the
API. The docs are explicit that a deployed class cannot be switched to SQLite by creating it again
with `new_sqlite_classes`, and that a rename or transfer creates the destination class itself
("You should not create the destination Durable Object class before running a Rename or Transfer
migration").

Within one step, classes are processed in wrangler's order: `deleted_classes`, `renamed_classes`,
`new_classes`, `new_sqlite_classes`, then `transferred_classes`.

## Example
```toml
[[migrations]]
tag = "v1"
new_classes = ["Counter"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v3"
renamed_classes = [{ from = "Room", to = "ChatRoom" }]
```

## Use instead
```toml
[[migrations]]
tag = "v1"
new_classes = ["Counter"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["CounterV2"]   # a new SQLite class; move the binding to it
```
and rename only classes the history created (`from` must exist, `to` must not).

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let blueprint = cx.project.kind == ProjectKind::Blueprint;
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let lc = &env.lifecycle;
            // An inherited list is the top level's: checked there, once.
            if lc.migrations_inherited() {
                continue;
            }
            for conflict in History::replay(&lc.migrations).conflicts {
                // The blueprint schema already requires every field of these entries.
                if blueprint && matches!(conflict, Conflict::Incomplete { .. }) {
                    continue;
                }
                out.push(diagnostic(cx, conflict).with_env(env.name_str()));
            }
        }
    }
    out
}

fn removal_label(cx: &Ctx, removed: Option<&(Removal, Span)>) -> Option<Label> {
    let (how, at) = removed?;
    Some(match how {
        Removal::Deleted => cx.label(*at, "deleted here"),
        Removal::RenamedTo(to) => cx.label(*at, format!("renamed to `{to}` here")),
    })
}

const HELP_TWICE: &str = "a class can be created once; a deployed class cannot be switched to another storage backend by creating it again. Remove this entry, or create a class with a new name and move the binding to it";
const HELP_BOTH: &str = "pick one storage backend: `new_sqlite_classes` (recommended, and required on the Free plan) or `new_classes` (legacy key-value storage)";
const HELP_RENAME_FROM: &str = "`from` must be a class that exists at this point of the history; check the spelling, or whether earlier steps were removed from the list (the history is append-only)";
const HELP_RENAME_TO: &str = "a rename creates its destination class itself: remove the step that creates it, or rename to an unused name";
const HELP_DELETE: &str = "only a class that exists at this point of the history can be deleted; check the spelling (after a rename, delete the new name)";
const HELP_TRANSFER_TO: &str =
    "a transfer creates its destination class itself: transfer to an unused class name";

/// What an earlier step did to a class that a later step expects to exist.
fn earlier(removed: Option<&(Removal, Span)>, already: &str) -> Option<String> {
    Some(match &removed?.0 {
        Removal::Deleted => format!("which an earlier step {already}deleted"),
        Removal::RenamedTo(to) => format!("which an earlier step {already}renamed to `{to}`"),
    })
}

fn diagnostic(cx: &Ctx, conflict: Conflict) -> Diagnostic {
    match conflict {
        Conflict::CreatedTwice { class, first } => {
            let message = format!(
                "class `{}` is created again, but an earlier step already created it",
                class.value
            );
            cx.diag(class.span, message)
                .with_secondary(cx.label(first, "first created here"))
                .with_help(HELP_TWICE)
        }
        Conflict::BothStorages { class, other } => {
            let message = format!(
                "class `{}` is in both `new_classes` and `new_sqlite_classes` of one step",
                class.value
            );
            cx.diag(class.span, message)
                .with_secondary(cx.label(other, "also created here"))
                .with_help(HELP_BOTH)
        }
        Conflict::RenameFromUnknown {
            from,
            entry,
            removed,
        } => {
            let why = earlier(removed.as_ref(), "")
                .unwrap_or_else(|| "but no earlier step creates that class".to_owned());
            let d = cx
                .diag(from.span, format!("renames `{}`, {why}", from.value))
                .with_help(HELP_RENAME_FROM);
            match removal_label(cx, removed.as_ref()) {
                Some(l) => d.with_secondary(l),
                None if from.span != entry => d.with_secondary(cx.label(entry, "in this rename")),
                None => d,
            }
        }
        Conflict::RenameToExisting { to, existing, .. } => {
            let message = format!("renames a class to `{}`, which already exists", to.value);
            cx.diag(to.span, message)
                .with_secondary(cx.label(existing, "created here"))
                .with_help(HELP_RENAME_TO)
        }
        Conflict::RenameToSelf { class, entry } => cx
            .diag(entry, format!("renames `{}` to itself", class.value))
            .with_help("`from` and `to` must differ; remove this entry"),
        Conflict::DeleteUnknown { class, removed } => {
            let why = earlier(removed.as_ref(), "already ")
                .unwrap_or_else(|| "but no earlier step creates that class".to_owned());
            let d = cx
                .diag(class.span, format!("deletes `{}`, {why}", class.value))
                .with_help(HELP_DELETE);
            match removal_label(cx, removed.as_ref()) {
                Some(l) => d.with_secondary(l),
                None => d,
            }
        }
        Conflict::TransferToExisting { to, existing, .. } => {
            let message = format!(
                "transfers a class in as `{}`, which already exists in this Worker",
                to.value
            );
            cx.diag(to.span, message)
                .with_secondary(cx.label(existing, "created here"))
                .with_help(HELP_TRANSFER_TO)
        }
        Conflict::Incomplete {
            list,
            entry,
            missing,
        } => {
            let fields: Vec<String> = missing.iter().map(|f| format!("`{f}`")).collect();
            let what = if list == "transferred_classes" && missing.iter().any(|f| *f != "to") {
                "a transfer without its source"
            } else {
                "an incomplete entry"
            };
            let shape = if list == "transferred_classes" {
                "{ from, from_script, to }"
            } else {
                "{ from, to }"
            };
            let message = format!("`{list}` has {what}: {} missing", fields.join(" and "));
            cx.diag(entry, message).with_help(format!(
                "every `{list}` entry needs `{shape}`; wrangler refuses the config without them"
            ))
        }
    }
}
