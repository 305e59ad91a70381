//! `wrangler.toml` → [`Node`], through toml's span-keeping `DeTable` parser.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::depth::{self, Syntax};
use super::{Entry, Limits, LoadError, Node, NodeKind, Span};

pub fn parse(text: &str, limits: &Limits) -> Result<Node, LoadError> {
    depth::check(text, Syntax::Toml, limits)?;
    let table = DeTable::parse(text).map_err(|e| {
        let span = e
            .span()
            .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        let message = e.message().trim_end().to_owned();
        if message.contains("recursion limit") {
            // Dotted keys (`a.b.c…`) nest without brackets, so the pre-scan cannot see them.
            return limits.too_deep(deep_dotted_line(text, limits).unwrap_or(span));
        }
        LoadError::new(format!("TOML syntax error: {message}"), span)
            .with_help("fix the TOML syntax at this position")
    })?;
    let span = Span::new(0, text.len());
    convert_table(table.get_ref(), span, 0, limits)
}

/// The first line with more dots than the depth limit (where a dotted key nests too deep).
fn deep_dotted_line(text: &str, limits: &Limits) -> Option<Span> {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if line.bytes().filter(|&b| b == b'.').count() > limits.max_depth {
            let end = start + line.trim_end().len().min(1);
            return Some(Span::new(start, end));
        }
        start += line.len();
    }
    None
}

fn convert(value: &Spanned<DeValue<'_>>, depth: usize, limits: &Limits) -> Result<Node, LoadError> {
    let r = value.span();
    let span = Span::new(r.start, r.end);
    let kind = match value.get_ref() {
        DeValue::String(s) => NodeKind::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => NodeKind::Int(v),
            Err(_) => return Err(LoadError::new("integer does not fit in 64 bits", span)),
        },
        DeValue::Float(f) => {
            NodeKind::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN))
        }
        DeValue::Boolean(b) => NodeKind::Bool(*b),
        DeValue::Datetime(d) => NodeKind::Datetime(d.to_string()),
        DeValue::Array(items) => {
            if depth >= limits.max_depth {
                return Err(limits.too_deep(span));
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(convert(item, depth + 1, limits)?);
            }
            NodeKind::Seq(out)
        }
        DeValue::Table(t) => return convert_table(t, span, depth, limits),
    };
    Ok(Node::new(kind, span))
}

fn convert_table(
    table: &DeTable<'_>,
    span: Span,
    depth: usize,
    limits: &Limits,
) -> Result<Node, LoadError> {
    if depth >= limits.max_depth {
        return Err(limits.too_deep(span));
    }
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        let k = key.span();
        entries.push(Entry {
            key: key.get_ref().to_string(),
            key_span: Span::new(k.start, k.end),
            value: convert(value, depth + 1, limits)?,
        });
    }
    Ok(Node::new(NodeKind::Map(entries), span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Node, LoadError> {
        parse(text, &Limits::default())
    }

    #[test]
    fn tables_arrays_and_spans() {
        let text = "name = \"app\"\n\n[[durable_objects.bindings]]\nname = \"A\"\nclass_name = \"A\"\n\n[vars]\nX = 1\n";
        let n = load(text).unwrap();
        assert_eq!(n.get("name").unwrap().as_str(), Some("app"));
        let bindings = n.get("durable_objects").unwrap().get("bindings").unwrap();
        let first = &bindings.as_seq().unwrap()[0];
        let class = first.entry("class_name").unwrap();
        assert_eq!(
            &text[class.key_span.start..class.key_span.end],
            "class_name"
        );
        assert_eq!(&text[class.value.span.start..class.value.span.end], "\"A\"");
        let keys: Vec<_> = n.as_map().unwrap().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["name", "durable_objects", "vars"]);
    }

    #[test]
    fn syntax_error_has_a_position() {
        let text = "name = \"app\"\nmain = \n";
        let e = load(text).unwrap_err();
        assert!(e.message.starts_with("TOML syntax error"), "{}", e.message);
        assert!(e.span.start >= text.find("main").unwrap(), "{:?}", e.span);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = load("a = 1\na = 2\n").unwrap_err();
        assert!(e.message.contains("duplicate"), "{}", e.message);
    }

    #[test]
    fn datetimes_are_kept() {
        let n = load("[vars]\nD = 2024-01-01\n").unwrap();
        assert!(matches!(
            n.get("vars").unwrap().get("D").unwrap().kind,
            NodeKind::Datetime(_)
        ));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("a = {}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = load(&text).unwrap_err();
        assert!(e.message.contains("nesting"), "{}", e.message);
    }
}
