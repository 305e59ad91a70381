//! `websocket-without-hibernation`: a Durable Object that serves WebSockets with the standard
//! `accept()` API instead of the Hibernation API.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::source_scan::{ident_after, ident_before, skip_ws, skip_ws_back, Lang, Source};
use crate::model::{DoClass, DoKind, Project};
use crate::source::{Node, Span};

use super::blueprint_or_code::classes_or_sources;

pub static RULE: Rule = Rule {
    name: "websocket-without-hibernation",
    category: Category::Usage,
    default_severity: Severity::Warning,
    summary: "A Durable Object accepts WebSockets with the standard `accept()` API instead of the Hibernation API, so it stays in memory and billed while sockets are open",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Flags a Durable Object that serves WebSockets without the WebSocket Hibernation API.

- **Blueprints:** `chat_room` and `session` classes are generated with the Hibernation API, so
  they never fire. A `custom` class declares how it serves WebSockets in its options:
  `options: { websockets: true, hibernation: false }` fires; `websockets: true` alone (hibernation
  is the default) does not.
- **Wrangler configs:** the Worker source is searched (same files and bounds as
  `global-singleton`) for a Durable Object class — a JS/TS `class` that `extends DurableObject` or
  whose name is a Durable Object class of the config (a binding without `script_name`, a
  migration or an `exports` entry); in Rust an `impl` block for a `#[durable_object]` struct or a
  configured class — whose body calls `.accept()` with no arguments, in a file that mentions
  `WebSocket`. The finding is at the call, with a secondary label at the class's binding.

Limits: a class is recognised by its declaration in the same file as the call; a helper function
outside the class body that accepts the socket is not seen. `.accept()` on an outgoing socket
(`response.webSocket.accept()`) is skipped: outgoing WebSockets cannot hibernate. Put
`// doforge-ignore: websocket-without-hibernation -- reason` on the line before a call to keep it.

## Why it matters
With `server.accept()` the runtime must keep the object in memory for as long as any socket is
open, and Cloudflare bills duration (GB-s) for all of that time — for a chat room or a live
dashboard, around the clock, even when nobody types. With `ctx.acceptWebSocket(server)` the object
can be evicted between messages while the connections stay open: "Billable Duration (GB-s)
charges do not accrue during hibernation". Messages then arrive at `webSocketMessage()` /
`webSocketClose()` methods instead of event listeners, and per-connection state goes into
`ws.serializeAttachment()`.

## Example
```ts
export class ChatRoom extends DurableObject {
  async fetch(request: Request) {
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (e) => this.broadcast(e.data));
    return new Response(null, { status: 101, webSocket: client });
  }
}
```

## Use instead
```ts
export class ChatRoom extends DurableObject {
  async fetch(request: Request) {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }
  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    this.broadcast(message);
  }
}
```
In Rust (workers-rs): `self.state.accept_web_socket(&server)` and `websocket_message` in
`impl DurableObject`.

## References
- https://developers.cloudflare.com/durable-objects/best-practices/websockets/
- https://developers.cloudflare.com/durable-objects/best-practices/rules-of-durable-objects/
- https://developers.cloudflare.com/durable-objects/api/state/#acceptwebsocket
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    classes_or_sources(cx, blueprint_class, do_classes, accepts)
}

fn blueprint_class(cx: &Ctx, class: &DoClass) -> Option<Diagnostic> {
    // chat_room and session are generated with the Hibernation API (the schema has no switch).
    if class.kind != DoKind::Custom {
        return None;
    }
    let options = class.options.as_ref()?;
    let websockets = options.entry("websockets")?;
    let hibernation = options.entry("hibernation")?;
    if websockets.value.as_bool() != Some(true) || hibernation.value.as_bool() != Some(false) {
        return None;
    }
    Some(
        cx.diag(
            pair(hibernation.key_span, &hibernation.value),
            format!(
                "class `{}` serves WebSockets without hibernation: each object stays in memory, billed for duration, as long as any socket is open",
                class.class_name.value
            ),
        )
        .with_secondary(cx.label(
            pair(websockets.key_span, &websockets.value),
            "declared as serving WebSockets here",
        ))
        .with_help("remove `hibernation: false` and accept sockets with `ctx.acceptWebSocket(server)`, handling them in `webSocketMessage` / `webSocketClose`"),
    )
}

fn pair(key: Span, value: &Node) -> Span {
    Span::new(key.start, value.span.end.max(key.end))
}

/// Durable Object classes this config's Worker hosts, with the span of a binding to each.
fn do_classes(project: &Project) -> HashMap<String, Option<(String, Span)>> {
    let mut out: HashMap<String, Option<(String, Span)>> = HashMap::new();
    for worker in &project.workers {
        for env in &worker.envs {
            for (b, d) in env.durable_objects() {
                let external = d.script_name.as_ref().is_some_and(|s| {
                    Some(s.as_str()) != env.script_name.as_ref().map(|n| n.as_str())
                });
                if external {
                    continue;
                }
                let slot = out.entry(d.class_name.value.clone()).or_default();
                if slot.is_none() {
                    *slot = Some((b.name.value.clone(), b.name.span));
                }
            }
            let lc = &env.lifecycle;
            for m in &lc.migrations {
                let created = m.new_classes.iter().chain(&m.new_sqlite_classes);
                let moved = m
                    .renamed_classes
                    .iter()
                    .filter_map(|r| r.to.as_ref())
                    .chain(m.transferred_classes.iter().filter_map(|t| t.to.as_ref()));
                for c in created.chain(moved) {
                    out.entry(c.value.clone()).or_default();
                }
            }
            for e in lc
                .exports
                .iter()
                .filter(|e| e.is_durable_object() && e.is_live())
            {
                out.entry(e.name.value.clone()).or_default();
            }
        }
    }
    out
}

/// Byte ranges of Durable Object class bodies in a source file, with the class name.
fn class_bodies(
    source: &Source,
    classes: &HashMap<String, Option<(String, Span)>>,
) -> Vec<(String, usize, usize)> {
    let text = source.text();
    let lx = &source.lexed;
    let mut out = Vec::new();
    match source.lang {
        Lang::Js => {
            for at in lx.find_word(text, "class") {
                let Some(name) = ident_after(text, skip_ws(text, at + 5)) else {
                    continue;
                };
                let Some(open) = header_end(source, name.end, 400) else {
                    continue;
                };
                let name = &text[name.start..name.end];
                let header = &text[at..open];
                if !(header.contains("DurableObject") || classes.contains_key(name)) {
                    continue;
                }
                if let Some(close) = lx.matching_brace(text, open) {
                    out.push((name.to_owned(), open, close));
                }
            }
        }
        Lang::Rust => {
            // `#[durable_object]` structs, plus the configured classes.
            let mut structs: HashSet<String> = HashSet::new();
            for at in lx.find_word(text, "durable_object") {
                let before = skip_ws_back(text, at);
                if before == 0 || !text[..before].ends_with("#[") {
                    continue;
                }
                if let Some(s) = lx.find_word(text, "struct").find(|&s| s > at) {
                    if let Some(n) = ident_after(text, skip_ws(text, s + 6)) {
                        structs.insert(text[n.start..n.end].to_owned());
                    }
                }
            }
            for at in lx.find_word(text, "impl") {
                let Some(open) = header_end(source, at + 4, 300) else {
                    continue;
                };
                let Some(ty) = impl_type(source, at + 4, open) else {
                    continue;
                };
                if !(structs.contains(&ty) || classes.contains_key(&ty)) {
                    continue;
                }
                if let Some(close) = lx.matching_brace(text, open) {
                    out.push((ty, open, close));
                }
            }
        }
    }
    out
}

/// The `{` opening the body of a declaration whose header starts at `from` (None when a `;` or
/// `}` comes first, or nothing within `limit` bytes).
fn header_end(source: &Source, from: usize, limit: usize) -> Option<usize> {
    let text = source.text();
    let b = text.as_bytes();
    (from..b.len().min(from + limit))
        .filter(|&i| source.lexed.is_code(i))
        .find(|&i| matches!(b[i], b'{' | b';' | b'}'))
        .filter(|&i| b[i] == b'{')
}

/// The self type of `impl … {`: after `for` when there is one, else the first path segment's
/// last identifier (`impl<T> Chat<T>` → `Chat`).
fn impl_type(source: &Source, from: usize, open: usize) -> Option<String> {
    let text = source.text();
    let header = &text[from..open];
    let target = match source
        .lexed
        .find_word(text, "for")
        .find(|&i| i > from && i < open)
    {
        Some(f) => &text[f + 3..open],
        None => {
            // Skip the impl's own generics.
            let h = header.trim_start();
            if let Some(rest) = h.strip_prefix('<') {
                let mut depth = 1usize;
                let mut cut = rest.len();
                for (i, c) in rest.char_indices() {
                    match c {
                        '<' => depth += 1,
                        '>' => {
                            depth -= 1;
                            if depth == 0 {
                                cut = i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                &rest[cut.min(rest.len())..]
            } else {
                h
            }
        }
    };
    let path = target.trim_start().split(['<', ' ', '\n', '{']).next()?;
    let name = path.rsplit("::").next()?.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

fn accepts(
    cx: &Ctx,
    source: &Source,
    classes: &HashMap<String, Option<(String, Span)>>,
) -> Vec<Diagnostic> {
    let text = source.text();
    if !text.contains("WebSocket") {
        return Vec::new();
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let bodies = class_bodies(source, classes);
    if bodies.is_empty() {
        return out;
    }
    for at in source.lexed.find_word(text, "accept") {
        let dot = skip_ws_back(text, at);
        if dot == 0 || b[dot - 1] != b'.' {
            continue;
        }
        let open = skip_ws(text, at + "accept".len());
        if b.get(open) != Some(&b'(') {
            continue;
        }
        let close = skip_ws(text, open + 1);
        if b.get(close) != Some(&b')') {
            continue;
        }
        // The innermost class body holding the call.
        let Some((class, _, _)) = bodies
            .iter()
            .filter(|(_, o, c)| *o < at && at < *c)
            .min_by_key(|(_, o, c)| c - o)
        else {
            continue;
        };
        let receiver_end = skip_ws_back(text, dot - 1);
        let receiver = ident_before(text, receiver_end);
        let outgoing = text[..receiver_end]
            .trim_end_matches(['!', '?'])
            .ends_with("webSocket");
        if outgoing {
            continue;
        }
        let span = Span::new(receiver.map_or(dot - 1, |r| r.start), close + 1);
        if !seen.insert(span) || source.suppressed(RULE.name, span) {
            continue;
        }
        let call = &text[span.start..span.end];
        let mut d = Diagnostic::new(
            RULE.name,
            RULE.default_severity,
            format!(
                "`{call}` in Durable Object class `{class}` accepts a WebSocket without hibernation: the object stays in memory, billed for duration, as long as the socket is open"
            ),
            Label::new(&source.file, span),
        )
        .with_help({
            let socket = receiver.map_or("server", |r| &text[r.start..r.end]);
            match source.lang {
                Lang::Js => format!("accept it with the Hibernation API: `this.ctx.acceptWebSocket({socket})`, and handle messages in `webSocketMessage(ws, message)` / `webSocketClose(ws, …)` methods instead of `addEventListener`"),
                Lang::Rust => format!("accept it with the Hibernation API: `self.state.accept_web_socket(&{socket})`, and handle messages in `websocket_message` / `websocket_close` of `impl DurableObject`"),
            }
        });
        if let Some(Some((name, span))) = classes.get(class) {
            d = d.with_secondary(cx.label(*span, format!("`{name}` binds class `{class}` here")));
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::source_scan::{lex_js, lex_rust};
    use crate::source::{Format, SourceFile};

    fn source(lang: Lang, text: &str) -> Source {
        let lexed = match lang {
            Lang::Js => lex_js(text),
            Lang::Rust => lex_rust(text),
        };
        Source {
            file: SourceFile::new("x", Format::Source, text.to_owned()),
            lang,
            lexed,
        }
    }

    fn bodies(lang: Lang, text: &str, configured: &[&str]) -> Vec<String> {
        let classes = configured.iter().map(|c| ((*c).to_owned(), None)).collect();
        class_bodies(&source(lang, text), &classes)
            .into_iter()
            .map(|(name, _, _)| name)
            .collect()
    }

    #[test]
    fn js_classes_are_found_by_base_class_or_config() {
        let text = "class A extends DurableObject<Env> { f() {} }\nclass B { }\nclass C { }\nconst x = { class: 1 };";
        assert_eq!(bodies(Lang::Js, text, &["C"]), ["A", "C"]);
    }

    #[test]
    fn rust_impls_of_durable_objects() {
        let text = "#[durable_object]\npub struct Chat { s: State }\nimpl DurableObject for Chat { }\nimpl<T: X> worker::Other<T> { }\nimpl Chat { fn a(&self) {} }\nimpl Helper { }";
        assert_eq!(bodies(Lang::Rust, text, &[]), ["Chat", "Chat"]);
        assert_eq!(
            bodies(Lang::Rust, text, &["Other"]),
            ["Chat", "Other", "Chat"]
        );
    }
}
