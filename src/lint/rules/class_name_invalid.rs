//! `class-name-invalid`: a Durable Object class name no Worker can export — not a JavaScript
//! identifier or a reserved word (and, in a workers-rs project, not a Rust struct name).

use std::collections::HashSet;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{Env, ProjectKind, Sp};
use crate::source::Node;

use super::binding_name_invalid::{is_js_identifier, is_js_reserved, RUST_KEYWORDS};

pub static RULE: Rule = Rule {
    name: "class-name-invalid",
    category: Category::Naming,
    default_severity: Severity::Error,
    summary: "A Durable Object class name that is not a valid JavaScript (or, for workers-rs, Rust) identifier, or is a reserved word",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Checks every Durable Object class name of a wrangler config — `durable_objects.bindings[].class_name`,
every class in `migrations` (`new_classes`, `new_sqlite_classes`, `renamed_classes`,
`deleted_classes`, `transferred_classes`) and every `exports` entry of type `durable-object` — in
every environment, and flags a name that:

- is not a JavaScript identifier (`Chat-Room`, `chat room`, `1Room`): no module can export a
  class under that name;
- is a JavaScript reserved word in a module (`default`, `class`, `new`, `let`, `eval`, …);
- in a workers-rs project (a `build.command` running `worker-build`, or `main` pointing at its
  `build/worker/shim.mjs`), is not a Rust identifier (`$Room`) or is a Rust keyword (`Self`), for
  the classes the current code must define (local bindings, live `exports`, and classes the
  migrations leave in place).

For blueprints the schema already requires a PascalCase name that is not one of ~190 names the
generated Rust and JavaScript would clash with, wherever a class is declared (top-level
`durable_objects`, the worker `config.durable_objects` shorthand, environment overrides). It only
requires a JavaScript identifier shape for names of classes that already exist (`renamed_from`,
`transferred_from.class`, explicit `migrations`), so there this rule adds the reserved-word check.
The clash list is not applied to wrangler configs: a hand-written Worker may export a class named
`Storage` or `Queue`; only doforge's generated code cannot.

## Why it matters
Cloudflare finds a Durable Object class by its export name in the Worker's entry module. A name
that cannot be an exported class can never be satisfied: wrangler's bundler reports it only as
"Your Worker depends on the following Durable Objects, which are not exported in your entrypoint
file: chat-room" (and not at all for a binding with `script_name`), and a migration naming it
creates or deletes a class no code can implement. Wrangler does not check class names in
bindings or migrations (its config validation checks only `exports[].renamed_to` against an
identifier pattern).

## Example
```toml
[[durable_objects.bindings]]
name = "ROOM"
class_name = "chat-room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["chat-room"]
```

## Use instead
```toml
[[durable_objects.bindings]]
name = "ROOM"
class_name = "ChatRoom"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["ChatRoom"]
```

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
- https://developers.cloudflare.com/workers/wrangler/configuration/#durable-objects
- https://tc39.es/ecma262/#sec-keywords-and-reserved-words
- https://doc.rust-lang.org/reference/keywords.html
"#;

/// One class name and where it appears.
struct Place<'a> {
    name: &'a Sp<String>,
    /// "`durable_objects.bindings` (`ROOM`)", "`new_sqlite_classes` of migration `v1`", …
    place: String,
    /// The current code must define this class (Rust naming rules apply in workers-rs projects).
    live: bool,
    /// The name of a class that existed before (deleted, renamed away, or in another Worker): it
    /// cannot be renamed, only written as it was exported.
    historical: bool,
}

fn places(env: &Env) -> Vec<Place<'_>> {
    let mut out = Vec::new();
    for (b, d) in env.durable_objects() {
        out.push(Place {
            name: &d.class_name,
            place: format!("Durable Object binding `{}`", b.name.value),
            live: d.script_name.is_none(),
            historical: false,
        });
    }
    out.extend(migration_places(env));
    for e in env
        .lifecycle
        .exports
        .iter()
        .filter(|e| e.is_durable_object())
    {
        out.push(Place {
            name: &e.name,
            place: "`exports`".to_owned(),
            live: e.is_live(),
            historical: !e.is_live(),
        });
    }
    out
}

/// Classes the effective `migrations` leave in place (created, renamed or transferred here, and
/// not deleted or renamed away since).
fn live_after_migrations(env: &Env) -> HashSet<&str> {
    let mut live = HashSet::new();
    for m in &env.lifecycle.migrations {
        for c in m.new_classes.iter().chain(&m.new_sqlite_classes) {
            live.insert(c.as_str());
        }
        for r in &m.renamed_classes {
            if let Some(from) = &r.from {
                live.remove(from.as_str());
            }
            if let Some(to) = &r.to {
                live.insert(to.as_str());
            }
        }
        for t in &m.transferred_classes {
            if let Some(to) = &t.to {
                live.insert(to.as_str());
            }
        }
        for d in &m.deleted_classes {
            live.remove(d.as_str());
        }
    }
    live
}

/// Every class named in the effective `migrations` list.
fn migration_places<'a>(env: &'a Env) -> Vec<Place<'a>> {
    let live = live_after_migrations(env);
    let mut out = Vec::new();
    for m in &env.lifecycle.migrations {
        let tag = m.tag.as_ref().map_or_else(
            || "a migration".to_owned(),
            |t| format!("migration `{}`", t.value),
        );
        let mut push = |key: &str, name: &'a Sp<String>, historical: bool| {
            out.push(Place {
                name,
                place: format!("`{key}` of {tag}"),
                live: !historical && live.contains(name.as_str()),
                historical,
            });
        };
        for n in m.new_classes.iter() {
            push("new_classes", n, false);
        }
        for n in m.new_sqlite_classes.iter() {
            push("new_sqlite_classes", n, false);
        }
        for n in m.deleted_classes.iter() {
            push("deleted_classes", n, true);
        }
        for r in &m.renamed_classes {
            r.from.iter().for_each(|n| push("renamed_classes", n, true));
            r.to.iter().for_each(|n| push("renamed_classes", n, false));
        }
        for t in &m.transferred_classes {
            t.from
                .iter()
                .for_each(|n| push("transferred_classes", n, true));
            t.to.iter()
                .for_each(|n| push("transferred_classes", n, false));
        }
    }
    out
}

/// Blueprint places the schema checks only for identifier shape: names of existing classes.
fn blueprint_places<'a>(cx: &Ctx<'a>) -> Vec<Place<'a>> {
    let mut out = Vec::new();
    for c in &cx.project.classes {
        if let Some(r) = &c.renamed_from {
            out.push(Place {
                name: r,
                place: format!("`renamed_from` of class `{}`", c.class_name.value),
                live: false,
                historical: true,
            });
        }
        if let Some((_, class)) = &c.transferred_from {
            out.push(Place {
                name: class,
                place: format!("`transferred_from` of class `{}`", c.class_name.value),
                live: false,
                historical: true,
            });
        }
    }
    // Explicit migrations are the project's own; every env holds the same list.
    if let Some(top) = cx.project.workers.first().map(|w| w.top()) {
        out.extend(migration_places(top));
    }
    out
}

/// A workers-rs project: its build runs `worker-build`, or `main` is worker-build's shim.
fn is_workers_rs(root: &Node) -> bool {
    let tables = std::iter::once(root).chain(
        root.get("env")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| &e.value),
    );
    tables.into_iter().any(|t| {
        t.get("build")
            .and_then(|b| b.get("command"))
            .and_then(Node::as_str)
            .is_some_and(|c| c.contains("worker-build"))
            || t.get("main")
                .and_then(Node::as_str)
                .is_some_and(|m| m.contains("build/worker/shim.mjs"))
    })
}

/// `chat-room` → `ChatRoom`: the PascalCase spelling of a name, for suggestions.
fn pascal_case(s: &str) -> String {
    let mut out = String::new();
    for part in s.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.chars().next().is_none_or(|c| c.is_numeric()) {
        out.insert_str(0, "Do");
    }
    out
}

fn problem(name: &str, rust: bool, historical: bool) -> Option<(String, String)> {
    let as_exported = "write the class's name exactly as its Worker exported it";
    if !is_js_identifier(name) {
        let what = if name.is_empty() {
            "is empty".to_owned()
        } else {
            "is not a JavaScript identifier".to_owned()
        };
        return Some((
            format!("{what}: no Worker can export a class under that name"),
            if historical {
                as_exported.to_owned()
            } else {
                format!(
                    "use the exported class's exact name, e.g. `{}`",
                    pascal_case(name)
                )
            },
        ));
    }
    if is_js_reserved(name) {
        return Some((
            "is a JavaScript reserved word: no module can declare or export a class with that name"
                .to_owned(),
            if historical {
                as_exported.to_owned()
            } else {
                format!("rename the class, e.g. `{}Object`", pascal_case(name))
            },
        ));
    }
    if rust && name.contains('$') {
        return Some((
            "is not a Rust identifier: a workers-rs `#[durable_object]` struct cannot be named that".to_owned(),
            format!("rename the class, e.g. `{}`", pascal_case(name)),
        ));
    }
    if rust && RUST_KEYWORDS.contains(&name) {
        return Some((
            "is a Rust keyword: a workers-rs `#[durable_object]` struct cannot be named that"
                .to_owned(),
            format!("rename the class, e.g. `{}Object`", pascal_case(name)),
        ));
    }
    None
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut report = |p: &Place, rust: bool, env: Option<&str>| {
        let Some((what, help)) = problem(p.name.as_str(), rust && p.live, p.historical) else {
            return;
        };
        let d = cx
            .diag(
                p.name.span,
                format!(
                    "Durable Object class name `{}` in {} {what}",
                    p.name.value, p.place
                ),
            )
            .with_help(help)
            .with_env(env);
        out.push(d);
    };
    if cx.project.kind == ProjectKind::Blueprint {
        for p in blueprint_places(cx) {
            // The schema already checked the shape; a reserved word is what it lets through.
            if is_js_identifier(p.name.as_str()) {
                report(&p, false, None);
            }
        }
        return out;
    }
    let rust = is_workers_rs(cx.root);
    for worker in &cx.project.workers {
        for env in &worker.envs {
            for p in places(env) {
                report(&p, rust, env.name_str());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems() {
        assert!(problem("ChatRoom", true, false).is_none());
        assert!(problem("$Room", false, false).is_none());
        assert!(problem("$Room", true, false).is_some());
        assert!(problem("Self", false, false).is_none());
        assert!(problem("Self", true, false)
            .unwrap()
            .0
            .contains("Rust keyword"));
        assert!(problem("default", false, false)
            .unwrap()
            .0
            .contains("reserved"));
        assert!(problem("chat-room", false, false)
            .unwrap()
            .1
            .contains("`ChatRoom`"));
        assert_eq!(pascal_case("1room"), "Do1room");
    }
}
