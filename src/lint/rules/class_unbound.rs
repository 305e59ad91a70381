//! `class-unbound`: a live blueprint Durable Object class that no Worker binds, so nothing can
//! reach it (and the generated router has no route for it).

use std::collections::HashSet;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{BindingKind, Project};

use super::naming::binding_name;

pub static RULE: Rule = Rule {
    name: "class-unbound",
    category: Category::Usage,
    default_severity: Severity::Warning,
    summary: "A blueprint Durable Object class that no Worker binds: unreachable, and its `instances.route` is never served",
    docs: DOCS,
    applies_to: Input::BLUEPRINT,
    check,
};

const DOCS: &str = r#"## What it does
Flags a live class in a blueprint's `durable_objects` (not a `deleted: true` tombstone) that no
binding of any Worker, in any environment, targets.

Wrangler configs are not checked: a class there may be bound by a Worker in another repository
through `script_name`, which a single config cannot know. A blueprint describes the whole system.

## Why it matters
A Worker reaches a Durable Object only through a binding (`env.ROOM.idFromName(…)` in
JavaScript, `env.durable_object("ROOM")` in workers-rs). A class without one is still created
by its migration and billed for what it stores, but no request can reach it. `doforge generate`
builds the router from the bindings, so the class's `instances.route` gets no route and every
request to it answers 404 — with nothing in the output saying why. Usually a `bindings:` entry was
forgotten, or the class was meant to be deleted.

## Example
```yaml
durable_objects:
  - class_name: ChatRoom
    kind: chat_room
    instances: { route: "/rooms/:room/*", key: "{room}" }
bindings: []
```

## Use instead
```yaml
durable_objects:
  - class_name: ChatRoom
    kind: chat_room
    instances: { route: "/rooms/:room/*", key: "{room}" }
bindings:
  - { name: CHAT_ROOM, target: ChatRoom }
```
Or, when the class and its data should go: `- { class_name: ChatRoom, deleted: true }`.

## References
- https://developers.cloudflare.com/durable-objects/get-started/
- https://developers.cloudflare.com/workers/runtime-apis/bindings/
"#;

/// The classes some binding of some Worker, in any environment, targets (`class-unreachable`
/// looks further at exactly these).
pub(crate) fn bound_classes(project: &Project) -> HashSet<&str> {
    project
        .workers
        .iter()
        .flat_map(|w| &w.envs)
        .flat_map(|e| &e.bindings)
        .filter_map(|b| match &b.kind {
            BindingKind::DurableObject(d) => Some(d.class_name.as_str()),
            _ => None,
        })
        .collect()
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let bound = bound_classes(cx.project);
    cx.project
        .classes
        .iter()
        .filter(|c| !c.deleted && !bound.contains(c.class_name.as_str()))
        .map(|c| {
            let route = c.instances.route.as_ref().map_or_else(String::new, |r| {
                format!("; its route `{}` is never served (404)", r.value)
            });
            cx.diag(
                c.class_name.span,
                format!(
                    "Durable Object class `{}` is declared but no Worker binds it, so nothing can reach it{route}",
                    c.class_name.value
                ),
            )
            .with_help(format!(
                "add a binding, e.g. `- {{ name: {}, target: {} }}` under `bindings:`; or, if the class should go, tombstone it: `- {{ class_name: {}, deleted: true }}`",
                binding_name(&c.class_name.value),
                c.class_name.value,
                c.class_name.value
            ))
        })
        .collect()
}
