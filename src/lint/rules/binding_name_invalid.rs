//! `binding-name-invalid`: a binding, var or secret name the Worker cannot use as `env.NAME` (not
//! a JavaScript identifier) or that is a JavaScript reserved word.
//!
//! Also holds the identifier helpers `class-name-invalid` shares.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::ProjectKind;

pub static RULE: Rule = Rule {
    name: "binding-name-invalid",
    category: Category::Naming,
    default_severity: Severity::Error,
    summary: "A binding, var or secret name that is not a JavaScript identifier (`env.NAME` cannot read it) or is a reserved word",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Checks the name of every binding a Worker sees in every environment — Durable Objects, KV, R2,
D1, queues, services, Analytics Engine, the assets binding, AI, Hyperdrive, Workflows, … — and
every `vars` and `secrets.required` name (they are read as `env.NAME` too). It flags:

- a name that is not a JavaScript identifier: empty, starting with a digit, or holding characters
  other than letters, digits, `_` and `$` (`MY-KV`, `api.key`, `2FA_SECRET`);
- a name that is a JavaScript reserved word in a module (strict mode): `default`, `class`, `new`,
  `delete`, `let`, `static`, `await`, `eval`, `arguments`, … (the comparison is case-sensitive:
  `DEFAULT` is fine).

In blueprints the schema already requires SCREAMING_SNAKE_CASE binding and secret names and
identifier-shaped var names, so this rule only adds the reserved-word check there (var names may
be lower case, e.g. `default`).

## Why it matters
Bindings become properties of the `env` object. `env.MY-KV` is parsed as `env.MY - KV`, so such a
binding can only be reached as `env["MY-KV"]`; `wrangler types` has to quote it, and the usual
`const { MY_KV } = env` is impossible. A reserved word works as `env.default`, but
`const { default } = env` is a syntax error, and generated bindings code (TypeScript interfaces,
Rust accessors) has to special-case it. Wrangler accepts all of these silently.

## Example
```toml
[[kv_namespaces]]
binding = "SESSION-CACHE"
id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"

[vars]
default = "en"
```

## Use instead
```toml
[[kv_namespaces]]
binding = "SESSION_CACHE"
id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"

[vars]
DEFAULT_LOCALE = "en"
```

## References
- https://developers.cloudflare.com/workers/runtime-apis/bindings/
- https://developers.cloudflare.com/workers/wrangler/configuration/#bindings
- https://tc39.es/ecma262/#sec-keywords-and-reserved-words
"#;

/// Words a JavaScript module cannot use as a binding identifier: the reserved words, the words
/// reserved in strict mode (modules are strict), `await` (reserved in modules), and `eval` /
/// `arguments` (which strict code cannot bind).
pub(crate) const JS_RESERVED: &[&str] = &[
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Rust keywords (strict and reserved, 2024 edition): a Rust struct cannot be named after one.
pub(crate) const RUST_KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// A JavaScript IdentifierName (Unicode letters approximate `ID_Start`/`ID_Continue`).
pub(crate) fn is_js_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '$' || first == '_' || first.is_alphabetic())
        && chars.all(|c| {
            c == '$' || c == '_' || c.is_alphanumeric() || c == '\u{200C}' || c == '\u{200D}'
        })
}

pub(crate) fn is_js_reserved(s: &str) -> bool {
    JS_RESERVED.contains(&s)
}

/// `s` with every character that cannot appear in an identifier replaced by `_` (and a leading
/// `_` when it starts with a digit): a rename suggestion that keeps the author's spelling.
fn identifier_like(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c == '$' || c == '_' || c.is_alphanumeric() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.chars().next().is_none_or(|c| c.is_numeric()) {
        out.insert(0, '_');
    }
    out
}

/// What a name is, in messages.
fn what(key: &str) -> String {
    match key {
        "vars" => "var".to_owned(),
        "secrets" => "secret".to_owned(),
        key => format!("`{key}` binding"),
    }
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    // The blueprint schema already checks the shape of every name; only reserved words pass it.
    let shape_checked = cx.project.kind == ProjectKind::Blueprint;
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let names = env
                .bindings
                .iter()
                .map(|b| (&b.name, b.wrangler_key()))
                .chain(env.vars.iter().map(|v| (&v.name, "vars")))
                .chain(env.secrets.iter().map(|s| (s, "secrets")));
            for (name, key) in names {
                let n = name.as_str();
                let d = if !is_js_identifier(n) {
                    if shape_checked {
                        continue;
                    }
                    let message = if n.is_empty() {
                        format!("{} name is empty", what(key))
                    } else {
                        format!(
                            "{} name `{n}` is not a JavaScript identifier, so the Worker cannot read it as `env.{n}`",
                            what(key)
                        )
                    };
                    cx.diag(name.span, message).with_help(format!(
                        "rename it to letters, digits, `_` and `$`, not starting with a digit, e.g. `{}`{}",
                        identifier_like(n),
                        if key == "vars" { "" } else { " (and update the code that reads it)" }
                    ))
                } else if is_js_reserved(n) {
                    cx.diag(
                        name.span,
                        format!(
                            "{} name `{n}` is a JavaScript reserved word: `const {{ {n} }} = env` is a syntax error and generated bindings code must special-case it",
                            what(key)
                        ),
                    )
                    .with_help(format!(
                        "rename it, e.g. `{}` (bindings are conventionally SCREAMING_SNAKE_CASE)",
                        n.to_uppercase()
                    ))
                } else {
                    continue;
                };
                out.push(d.with_env(env.name_str()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        for ok in ["CACHE", "_x", "$y", "camelCase", "Café", "A1"] {
            assert!(is_js_identifier(ok), "{ok}");
        }
        for bad in ["", "MY-KV", "1A", "a.b", "a b", "env[x]"] {
            assert!(!is_js_identifier(bad), "{bad}");
        }
        assert!(is_js_reserved("default") && !is_js_reserved("DEFAULT"));
        assert_eq!(identifier_like("my-kv"), "my_kv");
        assert_eq!(identifier_like("2FA"), "_2FA");
        assert_eq!(identifier_like(""), "_");
    }
}
