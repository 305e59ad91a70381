//! An environment's own resource and queue lists, compared with the top level's: per-env values
//! become resource overrides, everything else a note.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::resources::resource_kind;
use super::{quoted_list, Importer};
use crate::source::Node;

impl Importer {
    /// An environment's own list of one resource kind: per-env values of the same bindings
    /// become resource overrides; bindings the top level does not have become the Worker's raw
    /// list in that env.
    pub(super) fn env_resources(
        &mut self,
        env_name: &str,
        e: &crate::source::Entry,
        overrides: &mut Map<String, Value>,
        worker_override: &mut Map<String, Value>,
    ) {
        let key = e.key.as_str();
        let Some(kind) = resource_kind(key) else {
            return;
        };
        let path = format!("env.{env_name}.{key}");
        let items = e.value.as_seq().unwrap_or_default();
        let mut raw = Vec::new();
        let mut seen = BTreeSet::new();
        for item in items {
            let Some(binding) = item.get("binding").and_then(Node::as_str) else {
                continue;
            };
            seen.insert(binding.to_owned());
            let Some(res) = self
                .resources
                .iter()
                .find(|r| r.kind.key == kind.key && r.binding == binding)
            else {
                raw.push(item.to_json());
                continue;
            };
            let id = res.id.clone();
            let top_config = res.config.clone();
            let mut diff = Map::new();
            for f in item.as_map().unwrap_or_default() {
                if f.key == "binding" {
                    continue;
                }
                if !kind.fields.contains(&f.key.as_str()) {
                    self.note(
                        f.key_span,
                        &format!("{path}.{binding}.{}", f.key),
                        format!(
                            "`{}` on `{binding}` in env `{env_name}`: a blueprint sets binding \
                             settings once for every environment; not copied",
                            f.key
                        ),
                        Some(env_name),
                        &[&format!("{key}.{binding}")],
                    );
                    continue;
                }
                let v = f.value.to_json();
                if top_config.get(&f.key) != Some(&v) {
                    diff.insert(f.key.clone(), v);
                }
            }
            let dropped: Vec<&str> = top_config
                .keys()
                .filter(|k| item.get(k).is_none())
                .map(String::as_str)
                .collect();
            if !dropped.is_empty() {
                self.note(
                    item.span,
                    &format!("{path}.{binding}"),
                    format!(
                        "`{binding}` in env `{env_name}` leaves out {} that the top level sets; \
                         a blueprint override can change values, not remove them",
                        quoted_list(&dropped)
                    ),
                    Some(env_name),
                    &[&format!("{key}.{binding}")],
                );
            }
            if !diff.is_empty() {
                overrides.insert(id, Value::Object(diff));
            }
        }
        let absent: Vec<String> = self
            .resources
            .iter()
            .filter(|r| {
                r.kind.key == kind.key && !r.binding.is_empty() && !seen.contains(&r.binding)
            })
            .map(|r| r.binding.clone())
            .collect();
        if !absent.is_empty() {
            let names: Vec<&str> = absent.iter().map(String::as_str).collect();
            self.note_entries(
                e.key_span,
                &path,
                format!(
                    "`{path}` has no {}; a blueprint binds every resource in every environment",
                    quoted_list(&names)
                ),
                Some(env_name),
                key,
                &names,
            );
        }
        if !raw.is_empty() {
            worker_override.insert(key.to_owned(), Value::Array(raw));
        }
    }

    pub(super) fn env_queues(
        &mut self,
        env_name: &str,
        e: &crate::source::Entry,
        overrides: &mut Map<String, Value>,
    ) {
        let path = format!("env.{env_name}.queues");
        let mut same = true;
        for q in e.value.as_map().unwrap_or_default() {
            let items = q.value.as_seq().unwrap_or_default();
            match q.key.as_str() {
                "producers" => {
                    let tops: Vec<(String, String)> = self
                        .resources
                        .iter()
                        .filter(|r| r.kind.key == "queues" && !r.binding.is_empty())
                        .map(|r| (r.binding.clone(), r.id.clone()))
                        .collect();
                    if items.len() != tops.len() {
                        same = false;
                    }
                    for item in items {
                        let binding = item
                            .get("binding")
                            .and_then(Node::as_str)
                            .unwrap_or_default();
                        let queue = item.get("queue").and_then(Node::as_str);
                        match tops.iter().find(|(b, _)| b == binding) {
                            Some((_, id)) => {
                                let top_queue = self
                                    .resources
                                    .iter()
                                    .find(|r| &r.id == id)
                                    .and_then(|r| r.config.get("queue").cloned());
                                if let Some(q) = queue {
                                    if top_queue.as_ref().and_then(Value::as_str) != Some(q) {
                                        overrides.insert(id.clone(), json!({ "queue": q }));
                                    }
                                }
                            }
                            None => same = false,
                        }
                    }
                }
                "consumers" => {
                    // The consumers a blueprint emits in this env: the top level's, with each
                    // queue's env name (after the producer overrides above).
                    let tops: Vec<String> = self
                        .bindings
                        .iter()
                        .filter(|b| b.get("role").and_then(Value::as_str) == Some("consumer"))
                        .filter_map(|b| b.get("target").and_then(Value::as_str).map(str::to_owned))
                        .collect();
                    let expected: Vec<Option<String>> = tops
                        .iter()
                        .map(|id| {
                            overrides
                                .get(id)
                                .and_then(|o| o.get("queue"))
                                .or_else(|| {
                                    self.resources
                                        .iter()
                                        .find(|r| &r.id == id)
                                        .and_then(|r| r.config.get("queue"))
                                })
                                .and_then(Value::as_str)
                                .map(str::to_owned)
                        })
                        .collect();
                    let actual: Vec<Option<String>> = items
                        .iter()
                        .map(|i| i.get("queue").and_then(Node::as_str).map(str::to_owned))
                        .collect();
                    if actual != expected {
                        same = false;
                    }
                }
                _ => same = false,
            }
        }
        if !same {
            self.note(
                e.key_span,
                &path,
                format!(
                    "`{path}` produces to or consumes other queues than the top level; a \
                     blueprint has the same queue bindings in every environment (with per-env \
                     queue names), so the top level's are used"
                ),
                Some(env_name),
                &["queues"],
            );
        }
    }
}
