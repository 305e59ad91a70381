//! `global-singleton`: one Durable Object instance for all traffic — a constant instance name in a
//! blueprint, or `idFromName("literal")` / `getByName("literal")` in Worker code.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::source_scan::{self, ident_before, skip_ws, skip_ws_back, Lang, Source};
use crate::model::{DoClass, Project};
use crate::source::Span;

use super::blueprint_or_code::classes_or_sources;

pub static RULE: Rule = Rule {
    name: "global-singleton",
    category: Category::Usage,
    default_severity: Severity::Warning,
    summary: "One Durable Object instance for all traffic: a constant instance name (blueprint `instances.key`, or `idFromName(\"…\")` in Worker code)",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Flags a Durable Object namespace that sends every request to the same instance.

- **Blueprints:** a class whose `instances.key` has no `{…}` placeholder at all (`key: "global"`),
  or `instances.singleton: true` without a reason. `singleton: { reason: "…" }` states that one
  instance is intended and silences the rule. (A key with only `{date}` makes one instance per
  day; that is a placeholder and is not flagged.)
- **Wrangler configs:** the Worker source is searched for `idFromName`, `getByName` (JavaScript,
  TypeScript) and `id_from_name`, `get_by_name` (Rust, workers-rs) called on something with a
  string literal as the name — `"…"`, `'…'`, `` `…` `` without `${`. The finding is in the source
  file, with a secondary label at the config's Durable Object binding when the call names it
  (`env.TICKETS.idFromName("all")`).

What is searched, and the limits: the directory of the `main` entry point (relative to the
config's directory) and everything below it, plus `src/` when a `Cargo.toml` sits beside the
config; files ending in `.js .mjs .cjs .jsx .ts .mts .cts .tsx .rs`; skipping `node_modules`,
`target`, `dist`, `.wrangler`, hidden directories and test code (`test`/`tests`/`__tests__`
directories, `*.test.*`, `*.spec.*`). At most 400 files and 4 MiB in all; files over 512 KiB
(bundles) are skipped. Comments and strings are recognised, so commented-out code does not count.
A name held in a constant (`const ROOM = "lobby"; ns.idFromName(ROOM)`) is not followed; a config
that wrangler ignores (`both-config-files`) is not searched.

To keep an intended singleton in code, put `// doforge-ignore: global-singleton -- reason` on the
line before the call.

## Why it matters
A Durable Object instance is single-threaded: every request to it waits its turn. Cloudflare's
"Rules of Durable Objects" put it first among the anti-patterns — "Do not create a single global
Durable Object that handles all requests": one instance handles on the order of 500–1,000 simple
requests per second, and it lives in one location, so far-away users pay the round trip. A
constant name is right only for low-traffic coordination (configuration, an admin counter); the
usual design partitions by what the work is about — a room, user, tenant or document.

## Example
```ts
const id = env.TICKET_MANAGER.idFromName("global");
```
```yaml
durable_objects:
  - class_name: TicketManager
    instances: { route: "/tickets/*", key: "global" }
```

## Use instead
```ts
const id = env.TICKET_MANAGER.idFromName(`tickets-${ticketType}`);
```
```yaml
durable_objects:
  - class_name: TicketManager
    instances: { route: "/tickets/:type/*", key: "tickets-{type}" }
  - class_name: SiteConfig
    instances: { singleton: { reason: "read once per isolate, changed a few times a day" } }
```

## References
- https://developers.cloudflare.com/durable-objects/best-practices/rules-of-durable-objects/
- https://developers.cloudflare.com/durable-objects/api/namespace/
- https://developers.cloudflare.com/durable-objects/platform/limits/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    classes_or_sources(cx, blueprint_class, do_bindings, calls)
}

fn blueprint_class(cx: &Ctx, class: &DoClass) -> Option<Diagnostic> {
    let inst = &class.instances;
    let name = &class.class_name.value;
    if inst.singleton_reason.is_some() {
        return None;
    }
    if let Some(singleton) = inst.singleton.as_ref().filter(|s| s.value) {
        return Some(
            cx.diag(
                singleton.span,
                format!("`singleton: true`: every request goes to one instance of `{name}`, which handles them one at a time"),
            )
            .with_help("partition by what the work is about (`key: \"room:{room}\"`), or, if one instance is enough, say why: `singleton: { reason: \"…\" }`"),
        );
    }
    let key = inst.key.as_ref()?;
    if key.value.contains('{') {
        return None;
    }
    Some(
        cx.diag(
            key.span,
            format!(
                "instance key \"{}\" has no placeholder, so every request goes to the same instance of `{name}`, which handles them one at a time",
                key.value
            ),
        )
        .with_help("build the key from the request, e.g. `key: \"room:{room}\"` (route capture), `{header:Name}` or `{query:name}`; if one instance is intended, use `singleton: { reason: \"…\" }`"),
    )
}

/// Durable Object binding names of the config (any env), with the span of the first declaration.
fn do_bindings(project: &Project) -> HashMap<&str, Span> {
    let mut out = HashMap::new();
    for worker in &project.workers {
        for env in &worker.envs {
            for (b, _) in env.durable_objects() {
                out.entry(b.name.as_str()).or_insert(b.name.span);
            }
        }
    }
    out
}

fn calls(cx: &Ctx, source: &Source, bindings: &HashMap<&str, Span>) -> Vec<Diagnostic> {
    let text = source.text();
    let b = text.as_bytes();
    let methods: &[&str] = match source.lang {
        Lang::Js => &["idFromName", "getByName"],
        Lang::Rust => &["id_from_name", "get_by_name"],
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for method in methods {
        for at in source.lexed.find_word(text, method) {
            // A method call: `.idFromName(` with the literal as the (first) argument.
            let dot = skip_ws_back(text, at);
            if dot == 0 || b[dot - 1] != b'.' {
                continue;
            }
            let open = skip_ws(text, at + method.len());
            if b.get(open) != Some(&b'(') {
                continue;
            }
            let Some(lit) = source.lexed.string_at(skip_ws(text, open + 1)) else {
                continue;
            };
            if lit.interpolated {
                continue;
            }
            let after = skip_ws(text, lit.span.end);
            let end = match b.get(after) {
                Some(b')') => after + 1,
                Some(b',') => lit.span.end,
                _ => continue,
            };
            let span = Span::new(at, end);
            if !seen.insert(span) || source.suppressed(RULE.name, span) {
                continue;
            }
            // The name without its quotes (raw-string hashes and `r` prefix trimmed too).
            let literal = text[lit.span.start..lit.span.end]
                .trim_start_matches(['r', 'b', '#'])
                .trim_end_matches('#');
            let name = literal
                .get(1..literal.len().saturating_sub(1))
                .unwrap_or(literal);
            let binding = binding_of(text, dot - 1, bindings);
            let of = binding.map_or(String::new(), |(n, _)| format!(" of `{n}`"));
            let mut d = Diagnostic::new(
                RULE.name,
                RULE.default_severity,
                format!(
                    "`{method}` is given the constant name \"{name}\", so every request goes to the same Durable Object instance{of}, which handles them one at a time"
                ),
                Label::new(&source.file, span),
            )
            .with_help(match source.lang {
                Lang::Js => "derive the name from what the work is about (a room, user, tenant or document id: ``idFromName(`room:${roomId}`)``); if one instance is intended, put `// doforge-ignore: global-singleton -- reason` on the line before",
                Lang::Rust => "derive the name from what the work is about (`id_from_name(&format!(\"room:{room_id}\"))`); if one instance is intended, put `// doforge-ignore: global-singleton -- reason` on the line before",
            });
            if let Some((name, span)) = binding {
                d = d.with_secondary(cx.label(
                    span,
                    format!("Durable Object binding `{name}` declared here"),
                ));
            }
            out.push(d);
        }
    }
    out
}

/// The Durable Object binding the call at `dot` (the `.` before the method) is made on: the last
/// binding name in the same statement before it (`env.ROOMS.idFromName`, `this.env.ROOMS`,
/// Rust `env.durable_object("ROOMS")?.id_from_name`).
fn binding_of<'b>(
    text: &str,
    dot: usize,
    bindings: &HashMap<&'b str, Span>,
) -> Option<(&'b str, Span)> {
    let start = text[..dot]
        .rfind([';', '{', '}'])
        .map_or(0, |i| i + 1)
        .max(dot.saturating_sub(200));
    let start = (start..=dot).find(|&i| text.is_char_boundary(i))?;
    let stmt = &text[start..dot];
    let mut best: Option<(usize, &'b str, Span)> = None;
    for (&name, &span) in bindings {
        for (i, _) in stmt.match_indices(name) {
            let end = start + i + name.len();
            let whole = ident_before(text, end).is_some_and(|s| s.start == start + i)
                && !text
                    .as_bytes()
                    .get(end)
                    .is_some_and(|&c| source_scan::is_ident_byte(c));
            if whole && best.is_none_or(|(at, _, _)| i > at) {
                best = Some((i, name, span));
            }
        }
    }
    best.map(|(_, n, s)| (n, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binding_is_the_last_name_in_the_statement() {
        let bindings: HashMap<&str, Span> = [("ROOMS", Span::new(1, 2)), ("ROOM", Span::new(3, 4))]
            .into_iter()
            .collect();
        let text = "x(env.ROOM); const id = this.env.ROOMS.idFromName(\"a\")";
        let dot = text.find(".idFromName").unwrap();
        assert_eq!(binding_of(text, dot, &bindings).map(|b| b.0), Some("ROOMS"));
        let text = "let ns = env.durable_object(\"ROOM\")?.id_from_name(\"a\")";
        let dot = text.find(".id_from_name").unwrap();
        assert_eq!(binding_of(text, dot, &bindings).map(|b| b.0), Some("ROOM"));
        let text = "env.ROOMS; ns.idFromName(\"a\")";
        let dot = text.find(".idFromName").unwrap();
        assert_eq!(binding_of(text, dot, &bindings), None);
    }
}
