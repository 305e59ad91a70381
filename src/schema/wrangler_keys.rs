//! Wrangler's key tree: every key wrangler 4.x accepts, at every depth, and a walker that finds
//! the keys of a loaded wrangler config that wrangler does not know.
//!
//! The tree is `schemas/wrangler-keys.json`, derived from the `config-schema.json` that ships in
//! the wrangler npm package by `scripts/gen-wrangler-keys.py` (the script documents the format;
//! `tests/wrangler_keys_match.rs` fails when the committed file is stale). Each place in a config
//! has a [`KeyShape`]:
//!
//! * `keys`: the known properties of an object there;
//! * `items`: the shape of the elements when the value is an array;
//! * `values`: the shape of the value of any key *not* in `keys` (maps such as `env`, `vars`,
//!   `exports`): such keys are accepted;
//! * `open`: keys not in `keys` are accepted and not checked.
//!
//! A scalar is the empty shape. An object is checked for unknown keys only where the shape has
//! `keys` and neither `values` nor `open`. Values whose type does not fit the shape (a string where
//! a table is expected, …) are not descended into: type errors are reported elsewhere.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::source::{Node, NodeKind, Span};

/// The accepted keys at one place of a wrangler config (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct KeyShape {
    /// Known properties of an object here.
    pub keys: BTreeMap<String, KeyShape>,
    /// Shape of array elements, when an array is accepted here.
    pub items: Option<Box<KeyShape>>,
    /// Shape of the values of keys not in `keys` (a map: any other key is accepted).
    pub values: Option<Box<KeyShape>>,
    /// Keys not in `keys` are accepted and not checked.
    pub open: bool,
}

impl KeyShape {
    /// Whether an object (table) is accepted here at all.
    pub fn accepts_map(&self) -> bool {
        !self.keys.is_empty() || self.values.is_some() || self.open
    }

    /// Whether `key` may appear in an object here.
    pub fn allows(&self, key: &str) -> bool {
        self.keys.contains_key(key) || self.values.is_some() || self.open
    }

    /// The shape of `key`'s value in an object here (`None` when the key is unknown or not checked).
    pub fn child(&self, key: &str) -> Option<&KeyShape> {
        self.keys.get(key).or(self.values.as_deref())
    }

    /// The shape one dotted path below this one. Segments are keys; `[]` steps into array items
    /// and `*` into map values: `"durable_objects.bindings[]"`, `"env.*.kv_namespaces"`.
    pub fn at(&self, path: &str) -> Option<&KeyShape> {
        let mut shape = self;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            let (name, mut arrays) = match seg.find("[]") {
                Some(i) => (&seg[..i], seg[i..].matches("[]").count()),
                None => (seg, 0),
            };
            if !name.is_empty() {
                shape = if name == "*" {
                    shape.values.as_deref()?
                } else {
                    shape.keys.get(name)?
                };
            }
            while arrays > 0 {
                shape = shape.items.as_deref()?;
                arrays -= 1;
            }
        }
        Some(shape)
    }

    /// Number of shapes in this tree, this one included.
    pub fn count(&self) -> usize {
        1 + self.keys.values().map(KeyShape::count).sum::<usize>()
            + self.items.as_deref().map_or(0, KeyShape::count)
            + self.values.as_deref().map_or(0, KeyShape::count)
    }
}

const KEYS_JSON: &str = include_str!("../../schemas/wrangler-keys.json");

/// Shape of a whole wrangler config file (top level).
pub fn wrangler_config() -> &'static KeyShape {
    static TREE: OnceLock<KeyShape> = OnceLock::new();
    TREE.get_or_init(|| {
        serde_json::from_str(KEYS_JSON).expect("schemas/wrangler-keys.json is a valid key tree")
    })
}

/// A key wrangler does not know, found while walking a config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// Where the object holding the key sits, dotted with `[i]` for list elements, e.g.
    /// `env.production.durable_objects.bindings[0]`; empty at the top level. Keys that are not
    /// plain identifiers are written `["my.env"]`.
    pub path: String,
    /// The unknown key itself, as written.
    pub key: String,
    /// Span of the key in its source file.
    pub key_span: Span,
    /// The closest known key at that place, when one is close enough.
    pub suggestion: Option<String>,
    /// The keys that are valid there, sorted.
    pub known: Vec<String>,
}

impl UnknownKey {
    /// The full path of the key: `path` joined with `key` (`env.staging.kv_namespace`).
    pub fn key_path(&self) -> String {
        let mut p = self.path.clone();
        push_key(&mut p, &self.key);
        p
    }
}

/// Walk `root` (a loaded wrangler config) and return every unknown key at any depth, in source order.
pub fn unknown_keys(root: &Node, shape: &KeyShape) -> Vec<UnknownKey> {
    let mut out = Vec::new();
    let mut path = String::new();
    walk(root, shape, &mut path, &mut out);
    // Tree order is source order for JSON; TOML tables may be declared in any order.
    out.sort_by_key(|u| u.key_span.start);
    out
}

// Recursion is bounded by the loaders' depth limit (64).
fn walk(node: &Node, shape: &KeyShape, path: &mut String, out: &mut Vec<UnknownKey>) {
    match &node.kind {
        NodeKind::Map(entries) if shape.accepts_map() => {
            for e in entries {
                if let Some(child) = shape.child(&e.key) {
                    let len = path.len();
                    push_key(path, &e.key);
                    walk(&e.value, child, path, out);
                    path.truncate(len);
                } else if !shape.open {
                    out.push(UnknownKey {
                        path: path.clone(),
                        key: e.key.clone(),
                        key_span: e.key_span,
                        suggestion: suggest(&e.key, shape.keys.keys().map(String::as_str)),
                        known: shape.keys.keys().cloned().collect(),
                    });
                }
            }
        }
        NodeKind::Seq(items) => {
            if let Some(item_shape) = shape.items.as_deref() {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, item_shape, path, out);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'));
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&serde_json::Value::from(key).to_string());
        path.push(']');
    }
}

/// The candidate `key` was most likely meant to be, if any is close enough.
///
/// Tried in order: the same key up to case, `-`/`_` and camelCase (`compatibility-date`,
/// `durableObjects`); singular/plural (`durable_object` → `durable_objects`, `new_sqlite_class`
/// → `new_sqlite_classes`); a small Damerau-Levenshtein distance (at most a third of the key's
/// length, at least 1); a strong Jaro-Winkler match; a whole-word prefix (`class` → `class_name`).
/// Ties go to the higher Jaro-Winkler similarity, then to the alphabetically first candidate.
/// Returns `None` when `key` is itself a candidate.
pub fn suggest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let nk = normalize(key);
    if nk.is_empty() {
        return None;
    }
    let klen = nk.chars().count();
    let max_dist = (klen / 3).max(1);
    let mut best: Option<((u8, usize, f64), &'a str)> = None;
    for cand in candidates {
        if cand == key {
            return None;
        }
        let nc = normalize(cand);
        if nc.is_empty() {
            continue;
        }
        let dist = strsim::damerau_levenshtein(&nk, &nc);
        let jw = strsim::jaro_winkler(&nk, &nc);
        let tier = if nc == nk {
            0
        } else if plural_pair(&nk, &nc) {
            1
        } else if dist <= max_dist && dist < klen.min(nc.chars().count()).max(2) {
            2
        } else if klen >= 5 && jw >= 0.92 {
            3
        } else if word_prefix(&nk, &nc) {
            4
        } else {
            continue;
        };
        let rank = (tier, if tier == 2 { dist } else { 0 }, jw);
        let better = match &best {
            None => true,
            Some(((bt, bd, bjw), bname)) => {
                (tier, rank.1) < (*bt, *bd)
                    || ((tier, rank.1) == (*bt, *bd)
                        && (jw > *bjw || (jw == *bjw && cand < *bname)))
            }
        };
        if better {
            best = Some((rank, cand));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

/// Lowercase snake_case: `durableObjects`, `Durable-Objects` and `durable objects` all become
/// `durable_objects`.
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_lower = false;
    for c in s.trim().chars() {
        if c.is_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            prev_lower = false;
        } else if matches!(c, '-' | ' ' | '.') {
            out.push('_');
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// `a` and `b` are the singular and plural of one word (either way round).
fn plural_pair(a: &str, b: &str) -> bool {
    fn plural_of(single: &str, plural: &str) -> bool {
        plural.strip_suffix('s') == Some(single)
            || plural.strip_suffix("es") == Some(single)
            || (single.ends_with('y')
                && plural.strip_suffix("ies") == Some(&single[..single.len() - 1]))
    }
    plural_of(a, b) || plural_of(b, a)
}

/// One is the other plus more `_`-separated words: `class` / `class_name`, `script` / `script_name`.
fn word_prefix(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 3
        && long
            .strip_prefix(short)
            .is_some_and(|rest| rest.starts_with('_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{self, Entry, Format, Limits, SourceFile};

    fn load(format: Format, text: &str) -> Node {
        let file = SourceFile::new("wrangler.test", format, text.to_owned());
        source::parse(&file, &Limits::default()).expect("test config loads")
    }

    fn unknown(format: Format, text: &str) -> Vec<UnknownKey> {
        unknown_keys(&load(format, text), wrangler_config())
    }

    /// Build a Node from JSON by hand (no loader), with made-up but increasing spans.
    fn node_from_json(v: &serde_json::Value) -> Node {
        fn go(v: &serde_json::Value, at: &mut usize) -> Node {
            *at += 1;
            let span = Span::new(*at, *at + 1);
            let kind = match v {
                serde_json::Value::Null => NodeKind::Null,
                serde_json::Value::Bool(b) => NodeKind::Bool(*b),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => NodeKind::Int(i),
                    None => NodeKind::Float(n.as_f64().unwrap_or_default()),
                },
                serde_json::Value::String(s) => NodeKind::Str(s.clone()),
                serde_json::Value::Array(a) => NodeKind::Seq(a.iter().map(|x| go(x, at)).collect()),
                serde_json::Value::Object(o) => NodeKind::Map(
                    o.iter()
                        .map(|(k, x)| {
                            *at += 1;
                            let key_span = Span::new(*at, *at + k.len());
                            Entry {
                                key: k.clone(),
                                key_span,
                                value: go(x, at),
                            }
                        })
                        .collect(),
                ),
            };
            Node::new(kind, span)
        }
        go(v, &mut 0)
    }

    #[test]
    fn tree_loads_and_has_anchors() {
        let t = wrangler_config();
        assert!(t.keys.len() > 50, "top level has {} keys", t.keys.len());
        assert!(t.at("durable_objects.bindings[].script_name").is_some());
        assert!(t.at("migrations[].new_sqlite_classes").is_some());
        assert!(t.at("env.*.kv_namespaces[].binding").is_some());
        assert!(t
            .at("env.*.durable_objects.bindings[].class_name")
            .is_some());
        assert!(t.at("exports.*.storage").is_some());
        assert!(t.at("queues.consumers[].max_batch_size").is_some());
        assert!(t.at("previews.observability.enabled").is_some());
        assert!(t.at("durable_objects.classes").is_none());
        assert!(t.count() > 500);
    }

    #[test]
    fn known_keys_pass() {
        let json = r#"{
            "$schema": "node_modules/wrangler/config-schema.json",
            "name": "app", "main": "src/index.ts", "compatibility_date": "2025-01-01",
            "compatibility_flags": ["nodejs_compat"],
            "routes": ["example.com/*", {"pattern": "api.example.com", "custom_domain": true}],
            "durable_objects": {"bindings": [{"name": "ROOM", "class_name": "Room", "script_name": "other"}]},
            "migrations": [{"tag": "v1", "new_sqlite_classes": ["Room"]},
                           {"tag": "v2", "renamed_classes": [{"from": "Room", "to": "Chat"}]}],
            "kv_namespaces": [{"binding": "KV", "id": "abc"}],
            "vars": {"ANY_NAME": "x", "NESTED": {"deep": [1, {"whatever": true}]}},
            "exports": {"Room": {"type": "durable-object", "storage": "sqlite"}},
            "observability": {"enabled": true, "logs": {"invocation_logs": false}},
            "unsafe": {"bindings": [{"name": "X", "type": "y", "anything": 1}]},
            "site": {"bucket": "./public", "entry-point": "workers-site"},
            "env": {"staging": {"name": "app-staging", "kv_namespaces": [{"binding": "KV", "id": "def"}],
                                "previews": {"observability": {"enabled": false}}}}
        }"#;
        assert_eq!(unknown(Format::WranglerJson, json), vec![]);
        let hand = node_from_json(&serde_json::from_str(json).unwrap());
        assert_eq!(unknown_keys(&hand, wrangler_config()), vec![]);
    }

    #[test]
    fn unknown_keys_everywhere_with_paths_and_suggestions() {
        let json = r#"{
            "name": "app",
            "compatability_date": "2025-01-01",
            "durable_objects": {
                "bindings": [{"name": "A", "class_name": "A"}, {"name": "B", "class": "B"}],
                "classes": ["A"]
            },
            "migrations": [{"tag": "v1", "new_sqlite_class": ["A"]}],
            "env": {"staging": {"durable_object": {"bindings": []}, "kv_namespaces": [{"binding": "K", "idd": "x"}]}}
        }"#;
        let found = unknown(Format::WranglerJson, json);
        let got: Vec<(&str, &str, Option<&str>)> = found
            .iter()
            .map(|u| (u.path.as_str(), u.key.as_str(), u.suggestion.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("", "compatability_date", Some("compatibility_date")),
                ("durable_objects.bindings[1]", "class", Some("class_name")),
                ("durable_objects", "classes", None),
                (
                    "migrations[0]",
                    "new_sqlite_class",
                    Some("new_sqlite_classes")
                ),
                ("env.staging", "durable_object", Some("durable_objects")),
                ("env.staging.kv_namespaces[0]", "idd", Some("id")),
            ]
        );
        let classes = &found[2];
        assert_eq!(classes.known, vec!["bindings", "code_update_strategy"]);
        assert_eq!(classes.key_path(), "durable_objects.classes");
        let span_text = &json[classes.key_span.start..classes.key_span.end];
        assert_eq!(span_text.trim_matches('"'), "classes");
        let mig = &found[3];
        assert!(mig.known.contains(&"new_sqlite_classes".to_owned()));
        assert!(
            mig.known.windows(2).all(|w| w[0] < w[1]),
            "known keys are sorted"
        );
    }

    #[test]
    fn toml_findings_come_in_source_order() {
        let toml = r#"
name = "app"
main = "src/index.ts"

[env.production]
workers_dev = false

[[env.production.durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
scriptname = "other"

[durable_objects]
classes = ["Room"]

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
deleted_class = ["Old"]
"#;
        let found = unknown(Format::WranglerToml, toml);
        let got: Vec<(String, Option<&str>)> = found
            .iter()
            .map(|u| (u.key_path(), u.suggestion.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "env.production.durable_objects.bindings[0].scriptname".to_owned(),
                    Some("script_name")
                ),
                ("durable_objects.classes".to_owned(), None),
                (
                    "migrations[0].deleted_class".to_owned(),
                    Some("deleted_classes")
                ),
            ]
        );
    }

    #[test]
    fn mismatched_types_are_not_descended() {
        let json = r#"{"durable_objects": "oops", "kv_namespaces": {"binding": "K"},
                       "migrations": [[{"nope": 1}], "v1"], "env": {"x": 3}, "name": {"a": 1}}"#;
        assert_eq!(unknown(Format::WranglerJson, json), vec![]);
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        let json = r#"{"env": {"my.env": {"bogus_key": 1}}}"#;
        let found = unknown(Format::WranglerJson, json);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, r#"env["my.env"]"#);
        assert_eq!(found[0].key_path(), r#"env["my.env"].bogus_key"#);
    }

    #[test]
    fn hand_built_nodes() {
        let key = |k: &str, at: usize, value: Node| Entry {
            key: k.to_owned(),
            key_span: Span::new(at, at + k.len()),
            value,
        };
        let s = |v: &str| Node::new(NodeKind::Str(v.to_owned()), Span::default());
        let binding = Node::new(
            NodeKind::Map(vec![key("name", 30, s("A")), key("clas_name", 40, s("A"))]),
            Span::default(),
        );
        let dos = Node::new(
            NodeKind::Map(vec![key(
                "bindings",
                20,
                Node::new(NodeKind::Seq(vec![binding]), Span::default()),
            )]),
            Span::default(),
        );
        let root = Node::new(
            NodeKind::Map(vec![
                key("durable_objects", 1, dos),
                key("nmae", 60, s("x")),
            ]),
            Span::default(),
        );
        let found = unknown_keys(&root, wrangler_config());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].path, "durable_objects.bindings[0]");
        assert_eq!(found[0].key, "clas_name");
        assert_eq!(found[0].key_span, Span::new(40, 49));
        assert_eq!(found[0].suggestion.as_deref(), Some("class_name"));
        assert_eq!(
            found[0].known,
            vec!["class_name", "environment", "name", "script_name"]
        );
        assert_eq!(found[1].path, "");
        assert_eq!(found[1].suggestion.as_deref(), Some("name"));
    }

    #[test]
    fn suggestions() {
        let top: Vec<&str> = wrangler_config().keys.keys().map(String::as_str).collect();
        let sug = |k: &str| suggest(k, top.iter().copied());
        assert_eq!(sug("durable_object").as_deref(), Some("durable_objects"));
        assert_eq!(sug("durableObjects").as_deref(), Some("durable_objects"));
        assert_eq!(
            sug("compatibility-date").as_deref(),
            Some("compatibility_date")
        );
        assert_eq!(sug("kv_namespace").as_deref(), Some("kv_namespaces"));
        assert_eq!(sug("r2_bucket").as_deref(), Some("r2_buckets"));
        assert_eq!(sug("d1_database").as_deref(), Some("d1_databases"));
        assert_eq!(sug("migration").as_deref(), Some("migrations"));
        assert_eq!(
            sug("compatiblity_flags").as_deref(),
            Some("compatibility_flags")
        );
        assert_eq!(
            sug("route").as_deref(),
            None,
            "known keys get no suggestion"
        );
        assert_eq!(sug("zzzzzz"), None);
        assert_eq!(sug("x"), None);
        assert_eq!(
            suggest(
                "new_sqlite_class",
                ["tag", "new_classes", "new_sqlite_classes"]
            )
            .as_deref(),
            Some("new_sqlite_classes")
        );
        assert_eq!(suggest("entry", ["category", "binding"]), None);
        assert_eq!(suggest("anything", std::iter::empty()), None);
    }
}
