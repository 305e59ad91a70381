//! A small JSON-with-comments writer: an ordered tree of objects whose members may carry `//`
//! comment lines, rendered with 2-space indentation. Every key and every value goes through
//! `serde_json` (so strings are escaped exactly as JSON requires); comments are sanitized so no
//! text can end a comment early and become configuration.
//!
//! Layout: [`Item::Object`] members (the structural levels: the root, `env`, one env) are always
//! one member per line. A value object directly under such a level is also one member per line; a
//! list, or an object nested deeper, is written on one line when its children are all scalars
//! (or lists of scalars) and it fits in [`WIDTH`] columns, else one child per line.

use serde_json::Value;

/// Preferred maximum line width for values written on one line.
pub const WIDTH: usize = 100;

/// An ordered JSON object whose members may carry comments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object {
    members: Vec<Member>,
}

/// One `"key": value` line (or block), with the comment lines written before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub comments: Vec<String>,
    pub key: String,
    pub value: Item,
}

/// A member's value: plain JSON, or a nested structural object (whose members may have comments).
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Value(Value),
    Object(Object),
}

impl From<Value> for Item {
    fn from(v: Value) -> Item {
        Item::Value(v)
    }
}

impl From<Object> for Item {
    fn from(o: Object) -> Item {
        Item::Object(o)
    }
}

impl Object {
    pub fn new() -> Object {
        Object::default()
    }

    /// Append `key` (replacing its value, in place, when it is already there).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Item>) {
        self.insert_commented(key, value, None);
    }

    /// Append `key` with a comment (one `//` line per line of `comment`).
    pub fn insert_commented(
        &mut self,
        key: impl Into<String>,
        value: impl Into<Item>,
        comment: Option<&str>,
    ) {
        let key = key.into();
        let comments = comment.map(comment_lines).unwrap_or_default();
        let value = value.into();
        match self.members.iter_mut().find(|m| m.key == key) {
            Some(m) => {
                m.value = value;
                m.comments = comments;
            }
            None => self.members.push(Member {
                comments,
                key,
                value,
            }),
        }
    }

    /// Append every member of `other` (with its comments), replacing keys already here.
    pub fn append(&mut self, other: &Object) {
        for m in &other.members {
            match self.members.iter_mut().find(|x| x.key == m.key) {
                Some(x) => *x = m.clone(),
                None => self.members.push(m.clone()),
            }
        }
    }

    pub fn members(&self) -> &[Member] {
        &self.members
    }

    pub fn get(&self, key: &str) -> Option<&Item> {
        self.members.iter().find(|m| m.key == key).map(|m| &m.value)
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The object as plain JSON (comments dropped).
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.members
                .iter()
                .map(|m| {
                    let v = match &m.value {
                        Item::Value(v) => v.clone(),
                        Item::Object(o) => o.to_json(),
                    };
                    (m.key.clone(), v)
                })
                .collect(),
        )
    }
}

/// Split a comment into lines that are safe after `//` (or `#`): no line breaks of any kind and
/// no other control characters, trimmed at the end.
pub fn comment_lines(text: &str) -> Vec<String> {
    text.split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
        .map(|line| {
            line.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}

/// Render `root` as a JSONC document: `header` comment lines, then the object, then a newline.
pub fn render(header: &[&str], root: &Object) -> String {
    let mut out = String::new();
    for line in header.iter().flat_map(|h| comment_lines(h)) {
        push_comment(&mut out, 0, &line);
    }
    write_structural(&mut out, root, 0);
    out.push('\n');
    out
}

fn push_comment(out: &mut String, indent: usize, line: &str) {
    out.push_str(&" ".repeat(indent));
    out.push_str("//");
    if !line.is_empty() {
        out.push(' ');
        out.push_str(line);
    }
    out.push('\n');
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("JSON values and strings always serialize")
}

fn write_structural(out: &mut String, obj: &Object, indent: usize) {
    if obj.members.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    let inner = indent + 2;
    for (i, m) in obj.members.iter().enumerate() {
        for line in &m.comments {
            push_comment(out, inner, line);
        }
        out.push_str(&" ".repeat(inner));
        let key = json(&m.key);
        out.push_str(&key);
        out.push_str(": ");
        match &m.value {
            Item::Object(o) => write_structural(out, o, inner),
            Item::Value(v) => {
                // Objects right under a structural level are sections: one member per line.
                let inline_ok = !v.is_object();
                write_value(out, v, inner, inner + key.len() + 2, inline_ok);
            }
        }
        if i + 1 < obj.members.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str(&" ".repeat(indent));
    out.push('}');
}

/// A list or object whose children are all scalars, lists of scalars or empty objects.
fn is_flat(v: &Value) -> bool {
    let leaf = |c: &Value| !matches!(c, Value::Array(_) | Value::Object(_));
    let scalar = |c: &Value| match c {
        Value::Array(a) => a.iter().all(leaf),
        Value::Object(o) => o.is_empty(),
        _ => true,
    };
    match v {
        Value::Array(a) => a.iter().all(scalar),
        Value::Object(o) => o.values().all(scalar),
        _ => true,
    }
}

/// The one-line form of a flat value.
fn inline(v: &Value) -> String {
    match v {
        Value::Array(a) if !a.is_empty() => {
            let items: Vec<String> = a.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(o) if !o.is_empty() => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{}: {}", json(k), inline(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        other => json(other),
    }
}

/// Write `v` at the current position; `indent` is the indentation of the line it is on and
/// `column` the column it starts at.
fn write_value(out: &mut String, v: &Value, indent: usize, column: usize, inline_ok: bool) {
    let empty = match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => true,
    };
    if empty {
        out.push_str(&json(v));
        return;
    }
    if inline_ok && is_flat(v) {
        let one = inline(v);
        // +1 for a trailing comma.
        if column + one.len() < WIDTH {
            out.push_str(&one);
            return;
        }
    }
    let inner = indent + 2;
    let pad = " ".repeat(inner);
    match v {
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                write_value(out, item, inner, inner, true);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("{\n");
            for (i, (k, item)) in map.iter().enumerate() {
                let key = json(k);
                out.push_str(&pad);
                out.push_str(&key);
                out.push_str(": ");
                write_value(out, item, inner, inner + key.len() + 2, true);
                if i + 1 < map.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        _ => unreachable!("scalars are written above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{self, Format, Limits, SourceFile};
    use serde_json::json;

    fn parse(text: &str) -> Value {
        let file = SourceFile::new("wrangler.jsonc", Format::WranglerJson, text.to_owned());
        source::parse(&file, &Limits::default())
            .unwrap_or_else(|e| panic!("{e:?}\n{text}"))
            .to_json()
    }

    fn sample() -> Object {
        let mut env = Object::new();
        env.insert("vars", json!({ "A": "x" }));
        let mut envs = Object::new();
        envs.insert("staging", env);
        let mut root = Object::new();
        root.insert("name", json!("app"));
        root.insert("compatibility_flags", json!(["nodejs_compat"]));
        root.insert_commented(
            "vars",
            json!({ "LEVEL": "info", "N": 3 }),
            Some("Variables"),
        );
        root.insert(
            "durable_objects",
            json!({ "bindings": [{ "name": "ROOM", "class_name": "Room" }] }),
        );
        root.insert_commented("env", envs, Some("Environments"));
        root
    }

    #[test]
    fn layout_is_readable_and_stable() {
        let text = render(&["@generated by a test"], &sample());
        assert_eq!(
            text,
            r#"// @generated by a test
{
  "name": "app",
  "compatibility_flags": ["nodejs_compat"],
  // Variables
  "vars": {
    "LEVEL": "info",
    "N": 3
  },
  "durable_objects": {
    "bindings": [
      { "name": "ROOM", "class_name": "Room" }
    ]
  },
  // Environments
  "env": {
    "staging": {
      "vars": {
        "A": "x"
      }
    }
  }
}
"#
        );
        assert_eq!(parse(&text), sample().to_json());
    }

    #[test]
    fn hostile_strings_are_escaped_and_comments_cannot_break_out() {
        let nasty = "a\"b\\c\nd\u{0}e\u{2028}f // g /* h */ \t";
        let mut root = Object::new();
        root.insert_commented(
            nasty,
            json!({ nasty: [nasty, 1.5, -2, null, true] }),
            Some("line one\nline two\r\"name\": \"evil\",\u{2028}x\u{0}y"),
        );
        root.insert_commented("ok", json!(1), Some(nasty));
        let text = render(&["header\n\"injected\": true,"], &root);
        // Every comment line starts with `//` and nothing else became a key.
        assert_eq!(parse(&text), root.to_json(), "{text}");
        for line in text.lines() {
            let t = line.trim_start();
            assert!(
                t.starts_with("//")
                    || t.starts_with('"')
                    || t.starts_with(['{', '}', '[', ']'])
                    || t.starts_with(|c: char| c.is_ascii_digit() || c == '-')
                    || t.starts_with("null")
                    || t.starts_with("true"),
                "unexpected line {line:?} in\n{text}"
            );
        }
        assert!(text.starts_with("// header\n// \"injected\": true,\n{"));
    }

    #[test]
    fn long_lists_and_nested_values_break_over_lines() {
        let long: Vec<String> = (0..30).map(|i| format!("flag_{i}")).collect();
        let mut root = Object::new();
        root.insert("compatibility_flags", json!(long));
        root.insert(
            "observability",
            json!({ "enabled": true, "logs": { "enabled": true, "destinations": ["a"] } }),
        );
        let text = render(&[], &root);
        assert!(
            text.contains("\"compatibility_flags\": [\n    \"flag_0\",\n"),
            "{text}"
        );
        assert!(
            text.contains("\"logs\": { \"enabled\": true, \"destinations\": [\"a\"] }"),
            "{text}"
        );
        assert!(text.lines().all(|l| l.len() <= WIDTH), "{text}");
        assert_eq!(parse(&text), root.to_json());
    }

    #[test]
    fn empty_values_and_insert_replaces() {
        let mut root = Object::new();
        root.insert("a", json!([]));
        root.insert("b", json!({}));
        root.insert("e", Object::new());
        root.insert("a", json!([1]));
        let text = render(&[], &root);
        assert_eq!(text, "{\n  \"a\": [1],\n  \"b\": {},\n  \"e\": {}\n}\n");
        assert_eq!(render(&[], &Object::new()), "{}\n");
    }
}
