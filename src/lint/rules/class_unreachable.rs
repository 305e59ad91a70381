//! `class-unreachable`: a blueprint Durable Object class that a Worker binds, but that no request
//! can reach: it has no `instances.route` for the generated router, and no Worker code found
//! uses its binding. (A class no Worker binds at all is `class-unbound`'s finding, not this one.)

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Severity};
use crate::generate::wrangler_config::is_rust_worker;
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::source_scan::{self, Source};
use crate::model::{BindingKind, DoClass, DoKind, Worker};

use super::class_unbound;
use super::naming::route_segment;

pub static RULE: Rule = Rule {
    name: "class-unreachable",
    category: Category::Usage,
    default_severity: Severity::Warning,
    summary: "A bound blueprint Durable Object class with no `instances.route` and no code that uses its binding: no request reaches it",
    docs: DOCS,
    applies_to: Input::BLUEPRINT,
    check,
};

const DOCS: &str = r#"## What it does
Flags a live class in a blueprint's `durable_objects` that some Worker binds but that nothing
calls:

- it has no `instances.route`, so the router `doforge generate` writes has no route to it (a
  `rate_limiter` is the exception: without a route it guards every request);
- and no Worker that binds it has code using the binding. For a Worker whose `main` is JavaScript
  or TypeScript, the files next to `main` (resolved from the blueprint's directory) are searched
  for the binding name (`env.CHAT_ROOM`); for a generated Rust Worker, `src/` beside the
  blueprint when a `Cargo.toml` is there (your `src/app.rs`).

It is a warning when doforge generates the Worker (the generated router is the only client) or
when the Worker's code was read and does not use the binding; an info when the Worker's `main`
is not there to read (the code may live elsewhere). A class no Worker binds is reported by
`class-unbound` instead.

## Why it matters
The class is migrated, deployed and billed for what it stores, but no request ever reaches it:
every path answers 404 from `src/app.rs`, and nothing says why. This is what the blueprint of seed
002 gives as written — three classes bound in the Worker's config, no routes — so the generated
Worker has an empty route table.

## Example
```yaml
durable_objects:
  - class_name: ChatRoom
    kind: chat_room
bindings:
  - { name: CHAT_ROOM, target: ChatRoom }
```

## Use instead
```yaml
durable_objects:
  - class_name: ChatRoom
    kind: chat_room
    instances: { route: "/room/:room/*", key: "room:{room}" }
bindings:
  - { name: CHAT_ROOM, target: ChatRoom }
```
Or write the code that calls it (`env.CHAT_ROOM.idFromName(…)`, or `env.durable_object("CHAT_ROOM")`
in your `src/app.rs`), or, when the class should go, tombstone it: `- { class_name: ChatRoom,
deleted: true }`.

## References
- https://developers.cloudflare.com/durable-objects/api/namespace/
- https://developers.cloudflare.com/workers/runtime-apis/bindings/
"#;

/// Whether a Worker's code reaches the class, as far as doforge can see.
enum Client {
    /// Code found that uses the binding.
    Found,
    /// Code read (or generated), none uses the binding.
    None,
    /// The Worker's code is not where `main` says: cannot tell.
    Unseen(String),
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let bound = class_unbound::bound_classes(cx.project);
    let dir = blueprint_dir(&cx.project.file.path);
    let mut out = Vec::new();
    for class in cx.project.classes.iter().filter(|c| {
        !c.deleted
            && c.instances.route.is_none()
            && c.kind != DoKind::RateLimiter
            && bound.contains(c.class_name.as_str())
    }) {
        let mut unseen = None;
        let mut bindings = Vec::new();
        let mut reached = false;
        let holders = bindings_of(cx, class);
        for &(worker, binding) in &holders {
            if !bindings.contains(&binding) {
                bindings.push(binding);
            }
            match client(worker, &dir, binding) {
                Client::Found => reached = true,
                Client::None => {}
                Client::Unseen(main) => unseen = Some(main),
            }
        }
        if reached {
            continue;
        }
        let names = bindings
            .iter()
            .map(|b| format!("`{b}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let rust = holders.iter().all(|(worker, _)| is_rust_worker(worker));
        let message = match (&unseen, rust) {
            (Some(main), _) => format!(
                "Durable Object class `{}` may be unreachable: it has no `instances.route` (a generated Rust router would not reach it), and the Worker's code (`{main}`) is not beside the blueprint to show a use of {names}",
                class.class_name.value
            ),
            (None, true) => format!(
                "Durable Object class `{}` is bound but unreachable: it has no `instances.route`, so the generated router never sends a request to it, and no code of yours uses {names}",
                class.class_name.value
            ),
            (None, false) => format!(
                "Durable Object class `{}` is bound but unreachable: it has no `instances.route`, and the Worker's code never uses {names}",
                class.class_name.value
            ),
        };
        let mut d = cx
            .diag(class.class_name.span, message)
            .with_help(format!(
                "give it a route, e.g. `instances: {{ route: \"/{}/:id/*\", key: \"{{id}}\" }}`; or call it from your code through {names}; or, if it should go, tombstone it with `deleted: true`",
                route_segment(&class.class_name.value)
            ));
        if unseen.is_some() {
            d.severity = Severity::Info;
        }
        out.push(d);
    }
    out
}

/// `(worker, binding name)` of every environment's binding to `class`.
fn bindings_of<'a>(cx: &Ctx<'a>, class: &DoClass) -> Vec<(&'a Worker, &'a str)> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            for b in &env.bindings {
                if let BindingKind::DurableObject(d) = &b.kind {
                    if d.class_name.as_str() == class.class_name.as_str() {
                        out.push((worker, b.name.as_str()));
                    }
                }
            }
        }
    }
    out
}

fn blueprint_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Does `worker`'s code (beside the blueprint) use `binding`?
fn client(worker: &Worker, dir: &Path, binding: &str) -> Client {
    let root = if is_rust_worker(worker) {
        // Generated: the router routes `instances.route` only; the user's code is in src/.
        if !dir.join("Cargo.toml").is_file() {
            return Client::None;
        }
        dir.join("src")
    } else {
        let Some(main) = &worker.top().main else {
            return Client::None;
        };
        let entry = dir.join(main.value.as_str());
        if !entry.is_file() {
            return Client::Unseen(main.value.clone());
        }
        match entry.parent() {
            Some(p) => p.to_path_buf(),
            None => return Client::None,
        }
    };
    if source_scan::load(&[root])
        .iter()
        .any(|s| mentions(s, binding))
    {
        Client::Found
    } else {
        Client::None
    }
}

/// `binding` as an identifier in code (`env.CHAT_ROOM`) or as a whole string literal
/// (`env.durable_object("CHAT_ROOM")`).
fn mentions(source: &Source, binding: &str) -> bool {
    let text = source.text();
    source.lexed.find_word(text, binding).next().is_some()
        || source
            .lexed
            .strings
            .iter()
            .any(|s| text.get(s.span.start + 1..s.span.end.saturating_sub(1)) == Some(binding))
}
