//! `do-missing-migration`: a Durable Object class hosted by this worker that no migration creates
//! and no live `exports` entry declares.

use std::collections::HashSet;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{Env, LifecycleMode, Origin, ProjectKind, Worker};
use crate::source::Format;

pub static RULE: Rule = Rule {
    name: "do-missing-migration",
    category: Category::Lifecycle,
    default_severity: Severity::Error,
    summary: "A Durable Object class hosted by this Worker that no migration creates and no live `exports` entry declares",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
For every environment (the top level and each `env.<name>`, with its *effective* `migrations`
and `exports`), takes each Durable Object binding whose class this Worker hosts — no
`script_name`, or a `script_name` equal to the environment's own Worker name — and flags the
class when the migration history never creates it (`new_sqlite_classes`, `new_classes`, a rename
or transfer target) and no live `exports` entry (`type = "durable-object"`, state `created` or
`expecting-transfer`) declares it. One finding per class and environment.

In a blueprint with an explicit `migrations:` history, every class declared under
`durable_objects` (and not `deleted: true`) must be created by that history. Without
`migrations:`, doforge plans the history itself and the rule has nothing to say.

## Why it matters
A class only becomes a Durable Object namespace through a migration (or an `exports` entry). The
upload fails with `Cannot create binding for class 'Room' because it is not currently configured
to implement Durable Objects. Ensure a --new-class migration has been applied to it.
[code: 10061]`. Wrangler warns about this only when `migrations` is empty; add a second class to
a Worker that already has migrations and forget its step, and wrangler says nothing until the
API refuses the deploy.

It is an error because the deploy certainly fails: nothing but a migration or a live export
makes the binding resolvable. Test-only configs (vitest-pool-workers, e2e fixtures), which bind
classes they never migrate on purpose, are exempt by default (the `test-paths` setting); a class
hosted by another Worker takes `script_name`, which this rule leaves alone.

## Example
```toml
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
```

## Use instead
Append a step (never edit one that was deployed):
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Room"]
```
or declare the classes in `exports` instead of `migrations` (wrangler ≥ 4.107).

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/
- https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
- https://github.com/cloudflare/workers-sdk/issues/10034
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        match cx.project.kind {
            ProjectKind::Blueprint => blueprint(cx, worker, &mut out),
            ProjectKind::Wrangler => {
                for env in &worker.envs {
                    wrangler_env(cx, env, &mut out);
                }
            }
        }
    }
    out
}

fn wrangler_env(cx: &Ctx, env: &Env, out: &mut Vec<Diagnostic>) {
    let lc = &env.lifecycle;
    let history = lc.history();
    let exports = lc.durable_object_exports();
    let mut seen = HashSet::new();
    for (_, d) in env.durable_objects() {
        let class = d.class_name.as_str();
        if !env.hosts(d) || !seen.insert(class) {
            continue;
        }
        // Removed by the history or a tombstone: `deleted-class-still-bound` reports it.
        if history.get(class).is_some() || exports.contains_key(class) {
            continue;
        }
        let uses_exports = !exports.is_empty() && lc.migrations.is_empty();
        let message = if lc.migrations.is_empty() && exports.is_empty() {
            format!(
                "Durable Object class `{class}` is bound here, but there is no `migrations` or `exports` entry for it"
            )
        } else if uses_exports {
            format!(
                "Durable Object class `{class}` is bound here, but `exports` has no entry for it"
            )
        } else {
            format!("Durable Object class `{class}` is bound here, but no migration creates it")
        };
        let help = if uses_exports || lc.migrations.is_empty() {
            format!(
                "declare the class: add {} (or a `migrations` step creating it); without it the deploy fails with error 10061",
                export_snippet(cx.file().format, class)
            )
        } else {
            format!(
                "append a migration step that creates it, e.g. {} — never edit a step that was already deployed; without it the deploy fails with error 10061",
                migration_snippet(cx.file().format, &lc.next_tag(), class)
            )
        };
        let mut diag = cx
            .diag(d.class_name.span, message)
            .with_help(help)
            .with_env(env.name_str())
            .with_fix(crate::fix::build::missing_migration(
                cx,
                env,
                class,
                uses_exports,
            ));
        if let Some(origin) = lc.migrations_origin.filter(|_| !lc.migrations.is_empty()) {
            if let Some(key) = origin.key_span {
                let label = if origin.origin == Origin::Inherited {
                    "migration history (inherited from the top level)"
                } else {
                    "migration history declared here"
                };
                diag = diag.with_secondary(cx.label(key, label));
            }
        }
        out.push(diag);
    }
}

/// A blueprint with an explicit history: every live class of this worker must be created by it.
fn blueprint(cx: &Ctx, worker: &Worker, out: &mut Vec<Diagnostic>) {
    let lc = &worker.top().lifecycle;
    if lc.planned || cx.project.lifecycle_mode == LifecycleMode::Exports {
        return;
    }
    let history = lc.history();
    let Some(id) = &worker.id else { return };
    for class in &cx.project.classes {
        let hosted = class.worker.as_ref().is_some_and(|w| w.value == id.value);
        if !hosted || class.deleted || history.is_live(class.class_name.as_str()) {
            continue;
        }
        let name = class.class_name.as_str();
        let mut diag = cx
            .diag(
                class.class_name.span,
                format!(
                    "Durable Object class `{name}` is declared here, but the explicit `migrations` history never creates it"
                ),
            )
            .with_help(format!(
                "append a step to `migrations`, e.g. {}, or remove `migrations:` and let doforge plan the history",
                migration_snippet(Format::Blueprint, &lc.next_tag(), name)
            ));
        if let Some(key) = lc.migrations_origin.and_then(|o| o.key_span) {
            diag = diag.with_secondary(cx.label(key, "migration history declared here"));
        }
        out.push(diag);
    }
}

fn migration_snippet(format: Format, tag: &str, class: &str) -> String {
    match format {
        Format::WranglerToml => {
            format!("`[[migrations]] tag = \"{tag}\" new_sqlite_classes = [\"{class}\"]`")
        }
        Format::WranglerJson => {
            format!("`{{ \"tag\": \"{tag}\", \"new_sqlite_classes\": [\"{class}\"] }}`")
        }
        Format::Blueprint | Format::Source => {
            format!("`- {{ tag: {tag}, new_sqlite_classes: [{class}] }}`")
        }
    }
}

fn export_snippet(format: Format, class: &str) -> String {
    match format {
        Format::WranglerToml => {
            format!("`[exports.{class}] type = \"durable-object\" storage = \"sqlite\"`")
        }
        _ => format!(
            "`\"exports\": {{ \"{class}\": {{ \"type\": \"durable-object\", \"storage\": \"sqlite\" }} }}`"
        ),
    }
}
