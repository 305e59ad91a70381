//! YAML (blueprints) → [`Node`], from saphyr-parser's event stream.
//!
//! saphyr-parser is a state machine, so nesting depth cannot overflow its stack; we build the tree
//! with an explicit stack, reject duplicate keys, resolve plain scalars by the YAML 1.2 core schema
//! (so `2024-01-01` stays a string and `no` is not a boolean), expand aliases under a node budget
//! (alias bombs fail fast) and apply `<<` merge keys.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use super::{Entry, Limits, LoadError, Node, NodeKind, Span};

/// Byte offsets of saphyr's character indices (identity for ASCII text).
struct Offsets<'a> {
    text: &'a str,
    /// `byte_of[char_index]`, only built for non-ASCII text.
    byte_of: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let byte_of = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            v.push(text.len());
            v
        });
        Offsets { text, byte_of }
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.byte_of {
            None => char_index.min(self.text.len()),
            Some(v) => v.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }
    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span::new(self.byte(s.start.index()), self.byte(s.end.index()))
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        index: HashMap<String, usize>,
        /// Keys that came from a `<<` merge: an explicit key may override them once.
        merged: Vec<bool>,
        start: usize,
        anchor: usize,
        pending_key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    limits: &'a Limits,
    text: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
}

pub fn parse(text: &str, limits: &Limits) -> Result<Node, LoadError> {
    let offsets = Offsets::new(text);
    let mut b = Builder {
        limits,
        text,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    let mut documents = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| scan_error(&offsets, &e))?;
        let span = offsets.span(&span);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(LoadError::new(
                        "a blueprint must be a single YAML document, but a second one starts here",
                        span,
                    )
                    .with_help("remove the `---` separator and the second document, or split it into its own file"));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let kind = resolve_scalar(&value, style, tag.as_deref().map(|t| t.suffix.as_str()));
                let node = Node::new(kind, span);
                b.count(1, span)?;
                if anchor > 0 {
                    b.anchors.insert(anchor, (node.clone(), 1));
                }
                b.push_value(node)?;
            }
            Event::Alias(id) => {
                let Some((node, count)) = b.anchors.get(&id).cloned() else {
                    return Err(LoadError::new("alias refers to an unknown anchor", span));
                };
                b.count(count, span)?;
                // The alias's own position is more useful to diagnostics than the anchor's.
                let mut node = node;
                node.span = span;
                b.push_value(node)?;
            }
            Event::SequenceStart(anchor, _) => {
                b.open(span)?;
                b.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span.start,
                    anchor,
                });
            }
            Event::MappingStart(anchor, _) => {
                b.open(span)?;
                b.stack.push(Frame::Map {
                    entries: Vec::new(),
                    index: HashMap::new(),
                    merged: Vec::new(),
                    start: span.start,
                    anchor,
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = b.stack.pop().expect("parser balances start/end events");
                let end = span.end.max(span.start);
                let (node, anchor) = match frame {
                    Frame::Seq {
                        items,
                        start,
                        anchor,
                    } => (
                        Node::new(NodeKind::Seq(items), Span::new(start, end)),
                        anchor,
                    ),
                    Frame::Map {
                        entries,
                        start,
                        anchor,
                        ..
                    } => (
                        Node::new(NodeKind::Map(entries), Span::new(start, end)),
                        anchor,
                    ),
                };
                b.count(1, node.span)?;
                if anchor > 0 {
                    let count = count_nodes(&node);
                    b.anchors.insert(anchor, (node.clone(), count));
                }
                b.push_value(node)?;
            }
        }
    }
    Ok(b.root
        .unwrap_or_else(|| Node::new(NodeKind::Null, Span::new(0, 0))))
}

impl Builder<'_> {
    fn count(&mut self, n: usize, span: Span) -> Result<(), LoadError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(LoadError::new(
                format!(
                    "the document expands to more than {} values (aliases included)",
                    self.limits.max_nodes
                ),
                span,
            )
            .with_help(
                "this looks like an alias bomb; write the values out or reduce the aliases (a genuine document this large can raise the limit with --max-yaml-nodes)",
            ));
        }
        Ok(())
    }

    fn open(&mut self, span: Span) -> Result<(), LoadError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.limits.too_deep(span));
        }
        Ok(())
    }

    /// Attach a finished value to the frame on top of the stack (or make it the root).
    fn push_value(&mut self, node: Node) -> Result<(), LoadError> {
        let text = self.text;
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                index,
                merged,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let key = match &node.kind {
                        NodeKind::Str(s) => s.clone(),
                        NodeKind::Null => "null".to_owned(),
                        NodeKind::Bool(_) | NodeKind::Int(_) | NodeKind::Float(_) => {
                            text[node.span.start..node.span.end].trim().to_owned()
                        }
                        _ => {
                            return Err(LoadError::new(
                                "a mapping key must be a plain value, not a list or mapping",
                                node.span,
                            ))
                        }
                    };
                    *pending_key = Some((key, node.span));
                }
                Some((key, key_span)) if key == "<<" => {
                    merge_into(entries, index, merged, node, key_span)?;
                }
                Some((key, key_span)) => {
                    if let Some(&i) = index.get(&key) {
                        if merged[i] {
                            merged[i] = false;
                            entries[i] = Entry {
                                key,
                                key_span,
                                value: node,
                            };
                            return Ok(());
                        }
                        let first = entries[i].key_span;
                        let line = text[..first.start].matches('\n').count() + 1;
                        return Err(LoadError::new(
                            format!("duplicate key `{key}` (first defined on line {line})"),
                            key_span,
                        )
                        .with_help(
                            "a key may appear once per mapping; remove or merge one of them",
                        ));
                    }
                    index.insert(key.clone(), entries.len());
                    merged.push(false);
                    entries.push(Entry {
                        key,
                        key_span,
                        value: node,
                    });
                }
            },
        }
        Ok(())
    }
}

/// Apply a `<<` merge: keys of the merged mapping(s) that the mapping does not set itself.
fn merge_into(
    entries: &mut Vec<Entry>,
    index: &mut HashMap<String, usize>,
    merged: &mut Vec<bool>,
    node: Node,
    key_span: Span,
) -> Result<(), LoadError> {
    let sources = match node.kind {
        NodeKind::Map(m) => vec![m],
        NodeKind::Seq(items) => {
            let mut maps = Vec::new();
            for item in items {
                match item.kind {
                    NodeKind::Map(m) => maps.push(m),
                    _ => {
                        return Err(LoadError::new(
                            "`<<` merges mappings only, but this list holds something else",
                            item.span,
                        ))
                    }
                }
            }
            maps
        }
        _ => {
            return Err(LoadError::new(
                "`<<` merges a mapping (or a list of mappings) into this one",
                key_span,
            ))
        }
    };
    for source in sources {
        for e in source {
            if !index.contains_key(&e.key) {
                index.insert(e.key.clone(), entries.len());
                merged.push(true);
                entries.push(e);
            }
        }
    }
    Ok(())
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0usize;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.kind {
            NodeKind::Seq(items) => todo.extend(items.iter()),
            NodeKind::Map(entries) => todo.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
}

fn scan_error(offsets: &Offsets, e: &ScanError) -> LoadError {
    let at = offsets.byte(e.marker().index());
    if e.info().contains("recursion limit") {
        return LoadError::new(
            "nesting is deeper than the YAML parser's limit (which no --max-depth can raise)",
            Span::new(at, at),
        )
        .with_help(
            "no blueprint nests this deep; check the file for a generated or corrupted section",
        );
    }
    LoadError::new(
        format!("YAML syntax error: {}", e.info()),
        Span::new(at, at),
    )
    .with_help("fix the YAML syntax at this position (check indentation, quotes and `:` spacing)")
}

/// Resolve a scalar by the YAML 1.2 core schema. Quoted and block scalars are always strings.
fn resolve_scalar(value: &str, style: ScalarStyle, tag: Option<&str>) -> NodeKind {
    match tag {
        Some("str") => return NodeKind::Str(value.to_owned()),
        Some("null") => return NodeKind::Null,
        Some("bool") | Some("int") | Some("float") => return plain(value),
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return NodeKind::Str(value.to_owned());
    }
    plain(value)
}

fn plain(value: &str) -> NodeKind {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return NodeKind::Null,
        "true" | "True" | "TRUE" => return NodeKind::Bool(true),
        "false" | "False" | "FALSE" => return NodeKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return NodeKind::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return NodeKind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return NodeKind::Float(f64::NAN),
        _ => {}
    }
    if let Some(hex) = value.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return NodeKind::Int(i);
        }
    }
    if let Some(oct) = value.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return NodeKind::Int(i);
        }
    }
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        if let Ok(i) = value.parse::<i64>() {
            return NodeKind::Int(i);
        }
    }
    if is_core_float(digits) {
        if let Ok(f) = value.parse::<f64>() {
            return NodeKind::Float(f);
        }
    }
    NodeKind::Str(value.to_owned())
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` (sign already stripped).
fn is_core_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
                && !(a.is_empty() && b.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Node, LoadError> {
        parse(text, &Limits::default())
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let n =
            load("a: 2024-01-01\nb: no\nc: 10\nd: 1.5\ne: ~\nf: '10'\ng: true\nh: 60s\n").unwrap();
        assert_eq!(n.get("a").unwrap().as_str(), Some("2024-01-01"));
        assert_eq!(n.get("b").unwrap().as_str(), Some("no"));
        assert_eq!(n.get("c").unwrap().as_i64(), Some(10));
        assert!(matches!(n.get("d").unwrap().kind, NodeKind::Float(f) if f == 1.5));
        assert!(n.get("e").unwrap().is_null());
        assert_eq!(n.get("f").unwrap().as_str(), Some("10"));
        assert_eq!(n.get("g").unwrap().as_bool(), Some(true));
        assert_eq!(n.get("h").unwrap().as_str(), Some("60s"));
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "name: x\nnested:\n  key: \"välue\"\n  other: 1\n";
        let n = load(text).unwrap();
        let nested = n.entry("nested").unwrap();
        assert_eq!(&text[nested.key_span.start..nested.key_span.end], "nested");
        let other = nested.value.entry("other").unwrap();
        assert_eq!(&text[other.key_span.start..other.key_span.end], "other");
        let key = nested.value.get("key").unwrap();
        assert_eq!(&text[key.span.start..key.span.end], "\"välue\"");
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let text = "a: 1\nb: 2\na: 3\n";
        let e = load(text).unwrap_err();
        assert_eq!(e.span.start, text.rfind('a').unwrap());
        assert!(
            e.message.contains("first defined on line 1"),
            "{}",
            e.message
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = load("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.message.starts_with("YAML syntax error"));
    }

    #[test]
    fn alias_bombs_hit_the_node_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let e = load(&text).unwrap_err();
        assert!(e.message.contains("expands to more than"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = "[".repeat(100_000);
        let e = load(&text).unwrap_err();
        assert!(
            e.message.contains("nesting") || e.message.contains("syntax"),
            "{}",
            e.message
        );
    }

    #[test]
    fn merge_keys_fill_in_missing_keys() {
        let n = load("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n").unwrap();
        let item = n.get("item").unwrap();
        assert_eq!(item.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(item.get("y").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn second_document_is_refused() {
        assert!(load("a: 1\n---\nb: 2\n").is_err());
    }

    #[test]
    fn empty_document_is_null() {
        assert!(load("# only a comment\n").unwrap().is_null());
    }
}
