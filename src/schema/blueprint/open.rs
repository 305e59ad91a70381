//! Near-misses in open objects, environment overrides, and the string similarity behind "did you mean".

use super::*;

impl Cx<'_> {
    /// Unknown keys in open objects pass through to wrangler, unless they look like a misspelling
    /// of a key the schema knows there.
    pub(super) fn near_misses(&self, out: &mut Vec<Finding>) {
        let worker_config = self.schema_at("/$defs/worker_config");
        let binding_config = self.schema_at("/$defs/binding_config");
        if let Some(resources) = self.root.get("resources").and_then(Node::as_seq) {
            for (i, r) in resources.iter().enumerate() {
                if r.get("type").and_then(Node::as_str) == Some("cloudflare_worker") {
                    if let (Some(config), Some(s)) = (r.get("config"), worker_config) {
                        self.walk_open(s, config, &format!("/resources/{i}/config"), out);
                    }
                }
            }
        }
        if let Some(bindings) = self.root.get("bindings").and_then(Node::as_seq) {
            for (i, b) in bindings.iter().enumerate() {
                if let (Some(config), Some(s)) = (b.get("config"), binding_config) {
                    self.walk_open(s, config, &format!("/bindings/{i}/config"), out);
                }
            }
        }
    }

    /// Walk `node` along `schema` (following `$ref`, `properties` and `items`), reporting
    /// near-miss keys in objects that allow unknown keys.
    pub(super) fn walk_open(
        &self,
        schema: &Value,
        node: &Node,
        path: &str,
        out: &mut Vec<Finding>,
    ) {
        let schema = self.resolve(schema);
        match &node.kind {
            NodeKind::Map(entries) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
                for e in entries {
                    let child = format!("{path}/{}", escape(&e.key));
                    match props.and_then(|p| p.get(&e.key)) {
                        Some(s) => self.walk_open(s, &e.value, &child, out),
                        None if !closed => {
                            let known: Vec<&str> = allowed_keys(self.schema, schema);
                            if let Some(near) = close_match(&e.key, known.iter().copied()) {
                                out.push(Finding {
                                    place: (Place::Key(e.key.clone()), path.to_owned()),
                                    rank: 0,
                                    meant: None,
                                    span: e.key_span,
                                    message: format!("unknown key \"{}\" {}", e.key, within(path)),
                                    help: Some(format!(
                                        "did you mean \"{near}\"? (keys doforge does not know pass through to wrangler, but this one looks misspelt)"
                                    )),
                                });
                            }
                        }
                        None => {}
                    }
                }
            }
            NodeKind::Seq(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.walk_open(item_schema, item, &format!("{path}/{i}"), out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Follow a local `$ref` (`#/$defs/…`) chain.
    pub(super) fn resolve<'s>(&'s self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..8 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| self.schema.pointer(p)) {
                    Some(target) => schema = target,
                    None => break,
                },
                None => break,
            }
        }
        schema
    }

    /// `environments.<env>.resources.<id>` is a partial `config` of the resource with that id:
    /// validate it as one, by placing it in a synthetic one-resource blueprint.
    pub(super) fn environment_overrides(
        &self,
        validator: &jsonschema::Validator,
        out: &mut Vec<Finding>,
    ) {
        let Some(envs) = self.root.get("environments").and_then(Node::as_map) else {
            return;
        };
        let resources = self
            .root
            .get("resources")
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        for env in envs {
            let Some(overrides) = env.value.get("resources").and_then(Node::as_map) else {
                continue;
            };
            for o in overrides {
                let Some(base) = resources
                    .iter()
                    .find(|r| r.get("id").and_then(Node::as_str) == Some(o.key.as_str()))
                else {
                    continue; // an unknown id is a reference error, reported by the model
                };
                let Some(ty) = base.get("type").and_then(Node::as_str) else {
                    continue;
                };
                if o.value.as_map().is_none() {
                    continue; // the main pass reports a non-map override
                }
                let path = format!(
                    "/environments/{}/resources/{}",
                    escape(&env.key),
                    escape(&o.key)
                );
                let doc = serde_json::json!({
                    "project_name": "x",
                    "provider": "cloudflare",
                    "resources": [{ "id": o.key, "type": ty, "config": o.value.to_json() }],
                });
                let rebase = Rebase {
                    from: "/resources/0/config",
                    to: path.clone(),
                };
                for error in validator.iter_errors(&doc) {
                    self.lower(&error, &rebase, out);
                }
                if ty == "cloudflare_worker" {
                    if let Some(s) = self.schema_at("/$defs/worker_config") {
                        self.walk_open(s, &o.value, &path, out);
                    }
                }
            }
        }
    }
}

/// The keys a schema object allows (its `properties`, after `$ref`), excluding forbidden ones.
pub(super) fn allowed_keys<'s>(root: &'s Value, schema: &'s Value) -> Vec<&'s str> {
    let mut schema = schema;
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| root.pointer(p))
    {
        schema = target;
    }
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .filter(|(_, s)| s.get("not") != Some(&serde_json::json!({})))
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// String similarity
//
// `suggest` (shared with the wrangler key check) proposes a key for help text; `close_match` is
// stricter, because it turns a key that would pass through into an error.

/// A candidate so close that the key is almost certainly a misspelling of it (stricter than
/// [`suggest`], because it turns a pass-through key into an error).
pub(super) fn close_match<'a>(
    key: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let k = normalize(key);
    let len = k.chars().count();
    let limit = match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == key {
            return None;
        }
        let n = normalize(c);
        let d = if n == k {
            0
        } else {
            strsim::damerau_levenshtein(&k, &n)
        };
        if (d == 0 || (limit > 0 && d <= limit)) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

pub(super) fn normalize(s: &str) -> String {
    s.to_ascii_lowercase().replace('-', "_")
}
