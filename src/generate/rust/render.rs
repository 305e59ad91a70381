//! The embedded templates and the Handlebars registry that renders them.
//!
//! No template value reaches the output raw: the escape function lets through only identifier
//! characters (validated names, numbers, `true`/`false`) and turns anything else into a
//! `compile_error!`, so a template that forgot a helper fails the generated project's build (and
//! doforge's snapshot and build tests) instead of emitting broken or injected code. Every other
//! value goes through a helper: `rust_str` / `rust_opt_str` (a Rust string literal by `{:?}`),
//! `doc` (one line of comment text) or `md_code` (a Markdown code span).

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderErrorReason,
};
use serde::Serialize;

/// `(name, text)` of every Handlebars template.
const TEMPLATES: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../../../templates/rust/lib.rs.hbs")),
    (
        "objects/mod.rs",
        include_str!("../../../templates/rust/objects_mod.rs.hbs"),
    ),
    (
        "logic/mod.rs",
        include_str!("../../../templates/rust/logic_mod.rs.hbs"),
    ),
    (
        "README.md",
        include_str!("../../../templates/rust/README.md.hbs"),
    ),
    (
        "jobs.rs",
        include_str!("../../../templates/rust/jobs.rs.hbs"),
    ),
    // The user's fallback handler, written once (it forwards to the upstream when there is one).
    ("app.rs", include_str!("../../../templates/rust/app.rs")),
    (
        "upstream.rs",
        include_str!("../../../templates/rust/upstream.rs.hbs"),
    ),
    (
        "clients/mod.rs",
        include_str!("../../../templates/rust/clients/mod.rs.hbs"),
    ),
    (
        "clients/class.rs",
        include_str!("../../../templates/rust/clients/class.rs.hbs"),
    ),
    (
        "counter",
        include_str!("../../../templates/rust/objects/counter.rs.hbs"),
    ),
    (
        "rate_limiter",
        include_str!("../../../templates/rust/objects/rate_limiter.rs.hbs"),
    ),
    (
        "chat_room",
        include_str!("../../../templates/rust/objects/chat_room.rs.hbs"),
    ),
    (
        "audit_log",
        include_str!("../../../templates/rust/objects/audit_log.rs.hbs"),
    ),
    (
        "session",
        include_str!("../../../templates/rust/objects/session.rs.hbs"),
    ),
    (
        "custom",
        include_str!("../../../templates/rust/objects/custom.rs.hbs"),
    ),
];

/// Files copied as they are (after the `@generated` header): `(path in the project, text)`.
pub const STATIC_FILES: &[(&str, &str)] = &[
    (
        "src/http.rs",
        include_str!("../../../templates/rust/http.rs"),
    ),
    (
        "src/router.rs",
        include_str!("../../../templates/rust/router.rs"),
    ),
    (
        "src/clients/transport.rs",
        include_str!("../../../templates/rust/clients/transport.rs"),
    ),
];

/// The kinds' client contracts: `(kind, text)`, copied to `src/clients/kinds/<kind>.rs` when a
/// bound class has the kind.
pub const CLIENT_KINDS: &[(&str, &str)] = &[
    (
        "audit_log",
        include_str!("../../../templates/rust/clients/kinds/audit_log.rs"),
    ),
    (
        "chat_room",
        include_str!("../../../templates/rust/clients/kinds/chat_room.rs"),
    ),
    (
        "counter",
        include_str!("../../../templates/rust/clients/kinds/counter.rs"),
    ),
    (
        "rate_limiter",
        include_str!("../../../templates/rust/clients/kinds/rate_limiter.rs"),
    ),
    (
        "session",
        include_str!("../../../templates/rust/clients/kinds/session.rs"),
    ),
];

/// The user\'s hooks around every request, written once.
pub const HOOKS_RS: &str = include_str!("../../../templates/rust/hooks.rs");
pub const GITIGNORE: &str = include_str!("../../../templates/rust/gitignore");

/// The plain-Rust logic modules: `(module, text)`.
pub const LOGIC_MODULES: &[(&str, &str)] = &[
    (
        "audit",
        include_str!("../../../templates/rust/logic/audit.rs"),
    ),
    (
        "chat",
        include_str!("../../../templates/rust/logic/chat.rs"),
    ),
    (
        "counter",
        include_str!("../../../templates/rust/logic/counter.rs"),
    ),
    (
        "rate_limit",
        include_str!("../../../templates/rust/logic/rate_limit.rs"),
    ),
    (
        "route",
        include_str!("../../../templates/rust/logic/route.rs"),
    ),
    (
        "session",
        include_str!("../../../templates/rust/logic/session.rs"),
    ),
];

pub struct Renderer {
    hb: Handlebars<'static>,
}

impl Renderer {
    pub fn new() -> Result<Renderer, String> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(guard);
        for helper in STRING_HELPERS {
            hb.register_helper(helper.name, Box::new(helper));
        }
        hb.register_helper("rust_opt_str", Box::new(rust_opt_str));
        for (name, text) in TEMPLATES {
            hb.register_template_string(name, *text)
                .map_err(|e| format!("template {name}: {e}"))?;
        }
        Ok(Renderer { hb })
    }

    pub fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String, String> {
        self.hb
            .render(name, data)
            .map_err(|e| format!("template {name}: {e}"))
    }
}

/// The escape function: identifier characters pass, anything else cannot compile.
fn guard(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        s.to_owned()
    } else {
        format!(
            "compile_error!({:?})",
            format!("doforge: unescaped template value {s:?}")
        )
    }
}

fn string_param<'a>(h: &'a Helper<'_>, name: &'static str) -> Result<&'a str, RenderErrorReason> {
    h.param(0)
        .and_then(|p| p.value().as_str())
        .ok_or(RenderErrorReason::ParamTypeMismatchForName(
            name,
            "0".to_owned(),
            "string".to_owned(),
        ))
}

/// A helper that writes `escape` of its one string parameter.
#[derive(Clone, Copy)]
struct StringHelper {
    name: &'static str,
    escape: fn(&str) -> String,
}

const STRING_HELPERS: [StringHelper; 3] = [
    StringHelper {
        name: "rust_str",
        escape: rust_literal,
    },
    StringHelper {
        name: "doc",
        escape: doc_text,
    },
    StringHelper {
        name: "md_code",
        escape: markdown_code,
    },
];

impl HelperDef for StringHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        out.write(&(self.escape)(string_param(h, self.name)?))?;
        Ok(())
    }
}

fn rust_opt_str(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    match h.param(0).map(|p| p.value()) {
        Some(serde_json::Value::String(s)) => out.write(&format!("Some({})", rust_literal(s)))?,
        Some(serde_json::Value::Null) | None => out.write("None")?,
        Some(_) => {
            return Err(RenderErrorReason::ParamTypeMismatchForName(
                "rust_opt_str",
                "0".to_owned(),
                "string or null".to_owned(),
            )
            .into())
        }
    }
    Ok(())
}

pub fn rust_literal(s: &str) -> String {
    format!("{s:?}")
}

/// One line of comment text, in backticks: control characters become spaces, backticks quotes.
pub fn doc_text(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("`{clean}`")
}

/// A Markdown code span safe inside a table cell: a fence longer than any backtick run inside,
/// `|` escaped, line breaks as spaces.
pub fn markdown_code(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let (_, longest_run) = clean.chars().fold((0, 0), |(cur, max), c| {
        if c == '`' {
            (cur + 1, max.max(cur + 1))
        } else {
            (0, max)
        }
    });
    let fence = "`".repeat(longest_run + 1);
    if longest_run > 0 {
        format!("{fence} {clean} {fence}")
    } else {
        format!("{fence}{clean}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_lets_only_identifiers_through() {
        assert_eq!(guard("ChatRoom"), "ChatRoom");
        assert_eq!(guard("100"), "100");
        assert!(guard("a\"; panic!()").starts_with("compile_error!("));
        assert!(guard("").starts_with("compile_error!("));
    }

    #[test]
    fn literals_and_code_spans() {
        assert_eq!(rust_literal("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(rust_literal("räume"), "\"räume\"");
        assert_eq!(doc_text("a`b\nc"), "`a'b c`");
        assert_eq!(markdown_code("/a|b"), "`/a\\|b`");
        assert_eq!(markdown_code("x`y"), "`` x`y ``");
    }

    #[test]
    fn every_template_parses() {
        Renderer::new().unwrap();
    }
}
