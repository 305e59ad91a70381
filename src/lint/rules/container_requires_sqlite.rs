//! `container-requires-sqlite`: a container attached to a Durable Object class whose storage is
//! the legacy key-value backend.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::lifecycle::History;
use crate::model::{Env, Storage, Worker};
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "container-requires-sqlite",
    category: Category::Lifecycle,
    default_severity: Severity::Error,
    summary: "A container attached to a Durable Object class that uses key-value storage instead of SQLite",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
For every environment, takes each `containers[]` entry's `class_name` (and each `exports` entry
with a `container`) and flags it when that Durable Object class's storage is not SQLite: the
class is created by a `new_classes` migration step (followed through renames), its `exports`
entry has `storage = "legacy-kv"`, or — in a blueprint — it has `storage: kv`.

## Why it matters
Containers are only supported on SQLite-backed Durable Objects. On the `exports` path wrangler
refuses the config as soon as it reads it ("Containers are not supported on Durable Objects using
the "legacy-kv" storage backend"). On the `migrations` path it finds out only during a real
deploy, while preparing the container ("…uses the legacy KV storage backend. Durable
Object-managed Containers require SQLite-backed Durable Objects."): `wrangler deploy --dry-run`
and config validation pass, and only the environment being deployed is checked. A class's backend
cannot be changed after it is deployed, so the fix is a new SQLite class.

## Example
```toml
[[durable_objects.bindings]]
name = "SANDBOX"
class_name = "Sandbox"

[[containers]]
class_name = "Sandbox"
image = "./Dockerfile"

[[migrations]]
tag = "v1"
new_classes = ["Sandbox"]
```

## Use instead
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Sandbox"]
```

## References
- https://developers.cloudflare.com/containers/
- https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
"#;

const HELP: &str = "containers need a SQLite-backed Durable Object: create the class with `new_sqlite_classes` (a class that is already deployed keeps its backend, so use a new SQLite class and point the container at it)";

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            env_containers(cx, worker, env, &mut out);
        }
    }
    out
}

/// Where and why a class is key-value backed.
fn kv_storage(
    cx: &Ctx,
    worker: &Worker,
    env: &Env,
    history: &History,
    class: &str,
) -> Option<(Span, String)> {
    let lc = &env.lifecycle;
    if let Some(e) = lc.durable_object_exports().get(class) {
        let s = e.storage.as_ref().filter(|s| s.value == "legacy-kv")?;
        return Some((s.span, "`storage = \"legacy-kv\"` here".to_owned()));
    }
    if lc.planned {
        let c = cx.project.classes.iter().find(|c| {
            c.class_name.value == class
                && c.worker.as_ref().map(|w| &w.value) == worker.id.as_ref().map(|w| &w.value)
        })?;
        if c.storage != Storage::Kv || c.deleted {
            return None;
        }
        let span = cx
            .root
            .get("durable_objects")
            .and_then(|d| d.as_seq())
            .and_then(|items| items.iter().find(|n| n.span == c.span))
            .and_then(|n| n.get("storage"))
            .map_or(c.class_name.span, |n| n.span);
        return Some((span, "`storage: kv` here".to_owned()));
    }
    let rec = history.get(class).filter(|r| r.live)?;
    if rec.storage != Some(Storage::Kv) {
        return None;
    }
    let origin = rec.storage_origin.as_ref()?;
    Some((origin.span, "created with `new_classes` here".to_owned()))
}

fn env_containers(cx: &Ctx, worker: &Worker, env: &Env, out: &mut Vec<Diagnostic>) {
    if env.containers.is_empty() && env.lifecycle.exports.is_empty() {
        return;
    }
    let history = env.lifecycle.history();
    for c in &env.containers {
        let Some(class) = &c.class_name else { continue };
        let Some((at, label)) = kv_storage(cx, worker, env, &history, class.as_str()) else {
            continue;
        };
        out.push(
            cx.diag(
                class.span,
                format!(
                    "a container is attached to Durable Object class `{}`, which uses key-value storage; containers require SQLite storage",
                    class.value
                ),
            )
            .with_secondary(cx.label(at, label))
            .with_help(HELP)
            .with_env(env.name_str()),
        );
    }
    for e in &env.lifecycle.exports {
        let (Some(container), Some(storage)) = (&e.container, &e.storage) else {
            continue;
        };
        if !e.is_durable_object() || storage.value != "legacy-kv" {
            continue;
        }
        // Already reported at the container's own `class_name`.
        let linked = env.containers.iter().any(|c| {
            c.class_name
                .as_ref()
                .is_some_and(|n| n.value == e.name.value)
        });
        if linked {
            continue;
        }
        out.push(
            cx.diag(
                container.span,
                format!(
                    "`exports.{}` attaches container `{}`, but its storage is `legacy-kv`; containers require SQLite storage",
                    e.name.value, container.value
                ),
            )
            .with_secondary(cx.label(storage.span, "`storage = \"legacy-kv\"` here"))
            .with_help("use `storage = \"sqlite\"` for a class that is not deployed yet; a deployed class keeps its backend, so attach the container to a new SQLite class")
            .with_env(env.name_str()),
        );
    }
}
