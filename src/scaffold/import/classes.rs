//! Durable Object classes: bindings to classes this Worker hosts, the replayed `migrations`
//! history and the declarative `exports` map, merged into one `durable_objects` list.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::Importer;
use crate::model::lifecycle::{History, Removal};
use crate::model::{Env, Storage};
use crate::source::Span;

/// The Durable Object classes this Worker hosts, and the bindings to them.
#[derive(Default)]
pub(super) struct ClassSet {
    /// Class name → (storage, deleted, first span).
    classes: BTreeMap<String, (Option<Storage>, bool, Span)>,
    order: Vec<String>,
    pub(super) bindings: Vec<Value>,
}

impl ClassSet {
    fn add(&mut self, class: &str, storage: Option<Storage>, deleted: bool, span: Span) {
        if !self.classes.contains_key(class) {
            self.order.push(class.to_owned());
        }
        let slot = self
            .classes
            .entry(class.to_owned())
            .or_insert((storage, deleted, span));
        if slot.0.is_none() {
            slot.0 = storage;
        }
    }

    pub(super) fn add_history(&mut self, history: &History) {
        let mut names: Vec<(&String, &crate::model::lifecycle::ClassRecord)> =
            history.classes.iter().collect();
        names.sort_by_key(|(_, r)| r.created.start);
        for (class, rec) in names {
            if rec.live {
                self.add(class, rec.storage, false, rec.created);
            } else if matches!(rec.removed, Some((Removal::Deleted, _))) {
                self.add(class, rec.storage, true, rec.created);
            }
        }
        // A bound class's storage comes from the history.
        for (class, slot) in self.classes.iter_mut() {
            if let Some(rec) = history.get(class) {
                if slot.0.is_none() {
                    slot.0 = rec.storage;
                }
            }
        }
    }

    pub(super) fn to_json(&self, im: &mut Importer) -> Vec<Value> {
        let mut out = Vec::new();
        for class in &self.order {
            let (storage, deleted, span) = self.classes[class];
            if !crate::schema::blueprint::is_valid_class_name(class) {
                im.note(
                    span,
                    "durable_objects",
                    format!(
                        "class `{class}` cannot be declared in a blueprint (class names are \
                         PascalCase identifiers that are not reserved words); it is left out, \
                         with its bindings"
                    ),
                    None,
                    &["durable_objects", "migrations"],
                );
                continue;
            }
            let mut m = Map::new();
            m.insert("class_name".into(), json!(class));
            if deleted {
                m.insert("deleted".into(), json!(true));
            } else if storage == Some(Storage::Kv) {
                m.insert("storage".into(), json!("kv"));
            }
            out.push(Value::Object(m));
        }
        out
    }
}

impl Importer {
    pub(super) fn durable_objects(
        &mut self,
        top: &Env,
        e: &crate::source::Entry,
        classes: &mut ClassSet,
    ) {
        self.check_known(e, "durable_objects", &["bindings"]);
        let own = top.script_name.as_ref().map(|s| s.value.clone());
        let mut shorthand = Vec::new();
        for (b, d) in top.durable_objects() {
            let class = d.class_name.as_str();
            let external = d
                .script_name
                .as_ref()
                .filter(|s| Some(&s.value) != own.as_ref());
            if let Some(script) = external {
                let mut m = Map::new();
                m.insert("name".into(), json!(b.name.value));
                m.insert("class_name".into(), json!(class));
                m.insert("script_name".into(), json!(script.value));
                if let Some(env) = &d.environment {
                    m.insert("environment".into(), json!(env.value));
                }
                shorthand.push(Value::Object(m));
                continue;
            }
            if let Some(s) = &d.script_name {
                self.note(
                    s.span,
                    "durable_objects.bindings.script_name",
                    format!(
                        "`script_name = \"{}\"` on `{}` is this Worker's own name; the blueprint \
                         binds the class it hosts without it (same meaning, and wrangler's export \
                         checks stay on)",
                        s.value, b.name.value
                    ),
                    None,
                    &[],
                );
            }
            classes.add(class, None, false, d.class_name.span);
            let mut m = Map::new();
            m.insert("name".into(), json!(b.name.value));
            m.insert("target".into(), json!(class));
            if let Some(env) = &d.environment {
                m.insert("config".into(), json!({ "environment": env.value }));
            }
            classes.bindings.push(Value::Object(m));
        }
        if !shorthand.is_empty() {
            self.worker_config
                .insert("durable_objects".into(), Value::Array(shorthand));
        }
    }

    pub(super) fn exports(&mut self, top: &Env, classes: &mut ClassSet) {
        for x in &top.lifecycle.exports {
            let state = x.state.as_ref().map_or("created", |s| s.as_str());
            if !x.is_durable_object() || !matches!(state, "created" | "deleted") {
                self.note(
                    x.name.span,
                    &format!("exports.{}", x.name.value),
                    format!(
                        "`exports.{}` ({}, state `{state}`) cannot be stated in a blueprint \
                         (only live and deleted Durable Object classes); not copied",
                        x.name.value,
                        x.kind.as_ref().map_or("no type", |k| k.as_str())
                    ),
                    None,
                    &["exports"],
                );
                continue;
            }
            let storage = match x.storage.as_ref().map(|s| s.as_str()) {
                Some("legacy-kv") => Some(Storage::Kv),
                _ => Some(Storage::Sqlite),
            };
            classes.add(&x.name.value, storage, state == "deleted", x.name.span);
        }
    }
}
