//! `wrangler.json` / `wrangler.jsonc` → [`Node`]. Like wrangler, both accept `//` and `/* */`
//! comments and trailing commas, and nothing looser (no single quotes, no unquoted keys).

use std::collections::HashMap;

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::{CollectOptions, ParseOptions};

use super::depth::{self, Syntax};
use super::{Entry, Limits, LoadError, Node, NodeKind, Span};

pub fn parse(text: &str, limits: &Limits) -> Result<Node, LoadError> {
    depth::check(text, Syntax::Jsonc, limits)?;
    let options = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let result =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
            let r = e.range();
            LoadError::new(
                format!("JSON syntax error: {}", e.kind()),
                Span::new(r.start, r.end),
            )
            .with_help(
                "fix the JSON syntax at this position (comments and trailing commas are allowed)",
            )
        })?;
    match result.value {
        Some(value) => convert(&value, text),
        None => Ok(Node::new(NodeKind::Null, Span::new(0, 0))),
    }
}

fn convert(value: &Value<'_>, text: &str) -> Result<Node, LoadError> {
    Ok(match value {
        Value::StringLit(s) => Node::new(NodeKind::Str(s.value.to_string()), span(s.range)),
        Value::BooleanLit(b) => Node::new(NodeKind::Bool(b.value), span(b.range)),
        Value::NullKeyword(n) => Node::new(NodeKind::Null, span(n.range)),
        Value::NumberLit(n) => {
            let kind = match n.value.parse::<i64>() {
                Ok(i) => NodeKind::Int(i),
                Err(_) => NodeKind::Float(n.value.parse::<f64>().map_err(|_| {
                    LoadError::new(format!("invalid number `{}`", n.value), span(n.range))
                })?),
            };
            Node::new(kind, span(n.range))
        }
        Value::Array(a) => {
            let mut items = Vec::with_capacity(a.elements.len());
            for e in &a.elements {
                items.push(convert(e, text)?);
            }
            Node::new(NodeKind::Seq(items), span(a.range))
        }
        Value::Object(o) => {
            let mut entries: Vec<Entry> = Vec::with_capacity(o.properties.len());
            let mut seen: HashMap<String, usize> = HashMap::new();
            for p in &o.properties {
                let (key, key_range) = match &p.name {
                    ObjectPropName::String(s) => (s.value.to_string(), s.range),
                    ObjectPropName::Word(w) => (w.value.to_owned(), w.range),
                };
                let key_span = span(key_range);
                if let Some(&first) = seen.get(&key) {
                    let first = entries[first].key_span;
                    let line = text[..first.start].matches('\n').count() + 1;
                    return Err(LoadError::new(
                        format!("duplicate key `{key}` (first defined on line {line})"),
                        key_span,
                    )
                    .with_help("a key may appear once per object; remove or merge one of them"));
                }
                seen.insert(key.clone(), entries.len());
                entries.push(Entry {
                    key,
                    key_span,
                    value: convert(&p.value, text)?,
                });
            }
            Node::new(NodeKind::Map(entries), span(o.range))
        }
    })
}

fn span(r: jsonc_parser::common::Range) -> Span {
    Span::new(r.start, r.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Node, LoadError> {
        parse(text, &Limits::default())
    }

    #[test]
    fn comments_and_trailing_commas_are_accepted() {
        let text = "{\n  // c\n  \"name\": \"ä-app\", /* x */\n  \"vars\": {\"A\": 1,},\n}\n";
        let n = load(text).unwrap();
        let vars = n.entry("vars").unwrap();
        assert_eq!(&text[vars.key_span.start..vars.key_span.end], "\"vars\"");
        assert_eq!(vars.value.get("A").unwrap().as_i64(), Some(1));
        let name = n.get("name").unwrap();
        assert_eq!(&text[name.span.start..name.span.end], "\"ä-app\"");
    }

    #[test]
    fn loose_json5_is_refused() {
        assert!(load("{name: 'x'}").is_err());
        assert!(load("{\"a\": 1 \"b\": 2}").is_err());
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = load("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert!(
            e.message.contains("first defined on line 1"),
            "{}",
            e.message
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let e = load(&"[".repeat(100_000)).unwrap_err();
        assert!(e.message.contains("nesting"), "{}", e.message);
    }

    #[test]
    fn empty_file_is_null() {
        assert!(load("  // nothing\n").unwrap().is_null());
    }
}
