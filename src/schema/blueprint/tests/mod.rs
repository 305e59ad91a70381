use super::*;

/// A missing key in a map that has no key of its own is reported at the map's first key.
fn first_key_of(root: &Node, path: &str) -> Span {
    root.pointer(path).unwrap().0.as_map().unwrap()[0].key_span
}

#[test]
fn class_names_follow_the_schema() {
    assert!(is_valid_class_name("ChatRoom"));
    assert!(!is_valid_class_name("chat_room"));
    assert!(!is_valid_class_name("Response"));
    assert!(!is_valid_class_name(&"A".repeat(65)));
}
use crate::source::{Entry, Format};

/// Build a Node tree from JSON with fake but distinct spans (one byte each, in document
/// order), so tests can check *which* node a diagnostic points at.
fn node(v: &Value, next: &mut usize) -> Node {
    let start = *next;
    *next += 1;
    let kind = match v {
        Value::Null => NodeKind::Null,
        Value::Bool(b) => NodeKind::Bool(*b),
        Value::Number(n) if n.is_i64() => NodeKind::Int(n.as_i64().unwrap()),
        Value::Number(n) => NodeKind::Float(n.as_f64().unwrap()),
        Value::String(s) => NodeKind::Str(s.clone()),
        Value::Array(a) => NodeKind::Seq(a.iter().map(|x| node(x, next)).collect()),
        Value::Object(o) => NodeKind::Map(
            o.iter()
                .map(|(k, x)| {
                    let key_span = Span::new(*next, *next + 1);
                    *next += 1;
                    Entry {
                        key: k.clone(),
                        key_span,
                        value: node(x, next),
                    }
                })
                .collect(),
        ),
    };
    Node::new(kind, Span::new(start, start + 1))
}

fn run_json(v: Value) -> (Node, Vec<Diagnostic>) {
    let mut next = 0;
    let root = node(&v, &mut next);
    let file = SourceFile::new("blueprint.yaml", Format::Blueprint, " ".repeat(next + 1));
    let diags = check(&file, &root);
    (root, diags)
}

fn run_yaml(text: &str) -> (Arc<SourceFile>, Vec<Diagnostic>) {
    let file = SourceFile::new("blueprint.yaml", Format::Blueprint, text.to_owned());
    let root = crate::source::parse(&file, &crate::source::Limits::default())
        .expect("test blueprint loads");
    let diags = check(&file, &root);
    (file, diags)
}

fn span_of(root: &Node, path: &str) -> Span {
    root.pointer(path).unwrap().0.span
}
fn key_span_of(root: &Node, path: &str) -> Span {
    root.pointer(path).unwrap().1.unwrap()
}

fn minimal() -> Value {
    serde_json::json!({
        "project_name": "realtime-app",
        "provider": "cloudflare",
        "resources": [{ "id": "main-worker", "type": "cloudflare_worker" }],
    })
}

fn with(mut base: Value, key: &str, v: Value) -> Value {
    base[key] = v;
    base
}

const SEED_002: &str = include_str!("../../../../examples/00-seed-002-verbatim/blueprint.yaml");

// The tests, by what they exercise: the schema document itself; validation of hand-built
// node trees (which node a finding points at); the real YAML loader (line and column).
mod shape;
mod tree;
mod yaml;
