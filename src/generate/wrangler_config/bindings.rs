//! An env's bindings → wrangler's binding keys (`kv_namespaces`, `durable_objects`, `queues`, …).

use serde_json::{json, Map, Value};

use crate::model::keys::OTHER_BINDING_TABLES;
use crate::model::{BindingKind, Env, Sp};

/// A binding entry: its typed fields (absent ones skipped), then its extra keys verbatim.
fn entry(fields: &[(&str, Option<&str>)], extra: &[(String, crate::source::Node)]) -> Value {
    let mut m = Map::new();
    for (k, v) in fields {
        if let Some(v) = v {
            m.insert((*k).to_owned(), json!(v));
        }
    }
    for (k, v) in extra {
        m.entry(k.clone()).or_insert_with(|| v.to_json());
    }
    Value::Object(m)
}

fn s(o: &Option<Sp<String>>) -> Option<&str> {
    o.as_ref().map(|x| x.value.as_str())
}

/// Every binding of an env as `(wrangler key, value, note)`, one per key, keys in first-seen
/// order.
pub(super) fn bindings(env: &Env) -> Vec<(String, Value, Option<String>)> {
    let mut lists: Vec<(String, Vec<Value>)> = Vec::new();
    let mut add = |key: &str, v: Value| match lists.iter_mut().find(|(k, _)| k == key) {
        Some((_, items)) => items.push(v),
        None => lists.push((key.to_owned(), vec![v])),
    };
    let mut producers = Vec::new();
    let mut queue_notes: Vec<String> = Vec::new();
    for b in &env.bindings {
        let name = Some(b.name.as_str());
        match &b.kind {
            BindingKind::DurableObject(d) => add(
                "durable_objects",
                entry(
                    &[
                        ("name", name),
                        ("class_name", Some(d.class_name.as_str())),
                        ("script_name", s(&d.script_name)),
                        ("environment", s(&d.environment)),
                    ],
                    &b.extra,
                ),
            ),
            BindingKind::KvNamespace { id, preview_id } => add(
                "kv_namespaces",
                entry(
                    &[
                        ("binding", name),
                        ("id", s(id)),
                        ("preview_id", s(preview_id)),
                    ],
                    &b.extra,
                ),
            ),
            BindingKind::R2Bucket {
                bucket_name,
                preview_bucket_name,
                jurisdiction,
            } => add(
                "r2_buckets",
                entry(
                    &[
                        ("binding", name),
                        ("bucket_name", s(bucket_name)),
                        ("preview_bucket_name", s(preview_bucket_name)),
                        ("jurisdiction", s(jurisdiction)),
                    ],
                    &b.extra,
                ),
            ),
            BindingKind::D1Database {
                database_name,
                database_id,
                preview_database_id,
                migrations_dir,
            } => add(
                "d1_databases",
                entry(
                    &[
                        ("binding", name),
                        ("database_name", s(database_name)),
                        ("database_id", s(database_id)),
                        ("preview_database_id", s(preview_database_id)),
                        ("migrations_dir", s(migrations_dir)),
                    ],
                    &b.extra,
                ),
            ),
            BindingKind::QueueProducer { queue } => {
                // Placed under `queues` below, with the consumers. A delivery delay is a setting
                // of the queue itself: wrangler 4 ignores (and warns about) `delivery_delay` on a
                // producer, so it becomes a note with the command that sets it.
                add("queues", Value::Null);
                let (delays, extra): (Vec<_>, Vec<_>) = b
                    .extra
                    .iter()
                    .cloned()
                    .partition(|(k, _)| k == "delivery_delay");
                for (_, delay) in delays {
                    queue_notes.push(format!(
                        "Delivery delay of queue {q}: a queue setting, applied with\n  wrangler queues update {q} --delivery-delay-secs {d}",
                        q = s(queue).unwrap_or("<queue>"),
                        d = delay.to_json()
                    ));
                }
                producers.push(entry(&[("binding", name), ("queue", s(queue))], &extra));
            }
            BindingKind::Service {
                service,
                environment,
                entrypoint,
            } => add(
                "services",
                entry(
                    &[
                        ("binding", name),
                        ("service", s(service)),
                        ("entrypoint", s(entrypoint)),
                        ("environment", s(environment)),
                    ],
                    &b.extra,
                ),
            ),
            BindingKind::AnalyticsEngine { dataset } => add(
                "analytics_engine_datasets",
                entry(&[("binding", name), ("dataset", s(dataset))], &b.extra),
            ),
            // `assets` (with its binding) is a worker setting, emitted whole.
            BindingKind::Assets => {}
            BindingKind::Other { key } => {
                // A few kinds name the binding `name` rather than `binding`.
                let field = if matches!(key.as_str(), "ratelimits" | "send_email") {
                    "name"
                } else {
                    "binding"
                };
                add(key, entry(&[(field, name)], &b.extra));
            }
        }
    }
    let consumers: Vec<Value> = env
        .queue_consumers
        .iter()
        .map(|c| {
            let mut m = Map::new();
            if let Some(q) = &c.queue {
                m.insert("queue".into(), json!(q.value));
            }
            for e in c
                .settings
                .as_ref()
                .and_then(|n| n.as_map())
                .unwrap_or_default()
            {
                m.entry(e.key.clone()).or_insert_with(|| e.value.to_json());
            }
            Value::Object(m)
        })
        .collect();
    if !consumers.is_empty() && !lists.iter().any(|(k, _)| k == "queues") {
        lists.push(("queues".into(), Vec::new()));
    }
    let queue_note = (!queue_notes.is_empty()).then(|| queue_notes.join("\n"));
    lists
        .into_iter()
        .map(|(key, items)| {
            let value = match key.as_str() {
                "durable_objects" => json!({ "bindings": items }),
                "queues" => {
                    let mut q = Map::new();
                    if !producers.is_empty() {
                        q.insert("producers".into(), Value::Array(producers.clone()));
                    }
                    if !consumers.is_empty() {
                        q.insert("consumers".into(), Value::Array(consumers.clone()));
                    }
                    Value::Object(q)
                }
                k if OTHER_BINDING_TABLES.contains(&k) => {
                    items.into_iter().next().unwrap_or(Value::Null)
                }
                _ => Value::Array(items),
            };
            let note = (key == "queues").then(|| queue_note.clone()).flatten();
            (key, value, note)
        })
        .collect()
}
