//! Top-level bindings that become resources: KV, R2, D1, Analytics Engine, Hyperdrive,
//! Vectorize and queues (producers and consumers).

use serde_json::{json, Map, Value};

use super::Importer;
use crate::source::Node;

/// A binding kind the importer turns into a resource.
pub(super) struct ResourceKind {
    /// wrangler key (a list of `{binding, …}` entries).
    pub(super) key: &'static str,
    pub(super) rtype: &'static str,
    /// Keys of the resource's `config` (closed in the schema).
    pub(super) fields: &'static [&'static str],
    /// The Cloudflare-side name, which defaults to the resource id in a blueprint.
    pub(super) name_field: Option<&'static str>,
}

const RESOURCE_KINDS: &[ResourceKind] = &[
    ResourceKind {
        key: "kv_namespaces",
        rtype: "cloudflare_kv_namespace",
        fields: &["id", "preview_id", "remote"],
        name_field: None,
    },
    ResourceKind {
        key: "r2_buckets",
        rtype: "cloudflare_r2_bucket",
        fields: &[
            "bucket_name",
            "preview_bucket_name",
            "jurisdiction",
            "remote",
        ],
        name_field: Some("bucket_name"),
    },
    ResourceKind {
        key: "d1_databases",
        rtype: "cloudflare_d1_database",
        fields: &[
            "database_name",
            "database_id",
            "preview_database_id",
            "migrations_dir",
            "migrations_table",
            "remote",
        ],
        name_field: Some("database_name"),
    },
    ResourceKind {
        key: "analytics_engine_datasets",
        rtype: "cloudflare_analytics_engine_dataset",
        fields: &["dataset"],
        name_field: Some("dataset"),
    },
    ResourceKind {
        key: "hyperdrive",
        rtype: "cloudflare_hyperdrive",
        fields: &["id", "localConnectionString"],
        name_field: None,
    },
    ResourceKind {
        key: "vectorize",
        rtype: "cloudflare_vectorize_index",
        fields: &["index_name", "remote"],
        name_field: Some("index_name"),
    },
];

/// Queue producers (`queues.producers`) become `cloudflare_queue` resources.
const QUEUE: ResourceKind = ResourceKind {
    key: "queues",
    rtype: "cloudflare_queue",
    fields: &["queue", "delivery_delay", "remote"],
    name_field: Some("queue"),
};

/// The resource kind of a wrangler binding key (not `queues`, which has producers and consumers).
pub(super) fn resource_kind(key: &str) -> Option<&'static ResourceKind> {
    RESOURCE_KINDS.iter().find(|k| k.key == key)
}

/// One imported resource.
pub(super) struct Res {
    pub(super) id: String,
    pub(super) kind: &'static ResourceKind,
    /// The binding name it was made for.
    pub(super) binding: String,
    /// Its config at the top level.
    pub(super) config: Map<String, Value>,
}

impl Importer {
    pub(super) fn resource(&mut self, kind: &'static ResourceKind, item: &Node, path: &str) {
        let Some(binding) = item.get("binding").and_then(Node::as_str) else {
            self.note(
                item.span,
                path,
                format!("a `{path}` entry without a `binding` name; not copied"),
                None,
                &[kind.key],
            );
            return;
        };
        let base = kind
            .name_field
            .and_then(|f| item.get(f))
            .and_then(Node::as_str)
            .filter(|n| {
                n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .unwrap_or(binding)
            .to_owned();
        let id = self.fresh_id(&base);
        let mut config = Map::new();
        let mut extra = Map::new();
        for e in item.as_map().unwrap_or_default() {
            if e.key == "binding" {
                continue;
            }
            if kind.fields.contains(&e.key.as_str()) {
                config.insert(e.key.clone(), e.value.to_json());
            } else {
                extra.insert(e.key.clone(), e.value.to_json());
            }
        }
        if let Some(f) = kind.name_field {
            if !config.contains_key(f) {
                self.note(
                    item.span,
                    &format!("{path}.{binding}"),
                    format!(
                        "`{binding}` has no `{f}` (wrangler provisions one); in a blueprint it \
                         defaults to the resource id `{id}`"
                    ),
                    None,
                    &[&format!("{}.{binding}", kind.key)],
                );
            }
        }
        let mut b = Map::new();
        b.insert("name".into(), json!(binding));
        b.insert("target".into(), json!(id));
        if kind.key == "queues" {
            b.insert("role".into(), json!("producer"));
        }
        if !extra.is_empty() {
            b.insert("config".into(), Value::Object(extra));
        }
        self.bindings.push(Value::Object(b));
        self.resources.push(Res {
            id,
            kind,
            binding: binding.to_owned(),
            config,
        });
    }

    pub(super) fn queues(&mut self, e: &crate::source::Entry) {
        for q in e.value.as_map().unwrap_or_default() {
            match q.key.as_str() {
                "producers" => {
                    for item in q.value.as_seq().unwrap_or_default() {
                        self.resource(&QUEUE, item, "queues.producers");
                    }
                }
                "consumers" => {
                    for item in q.value.as_seq().unwrap_or_default() {
                        self.consumer(item);
                    }
                }
                other => self.note(
                    q.key_span,
                    &format!("queues.{other}"),
                    format!("`queues.{other}` is not a wrangler key; not copied"),
                    None,
                    &["queues"],
                ),
            }
        }
    }

    fn consumer(&mut self, item: &Node) {
        let Some(queue) = item.get("queue").and_then(Node::as_str) else {
            self.note(
                item.span,
                "queues.consumers",
                "a queue consumer without a `queue`; not copied".into(),
                None,
                &["queues"],
            );
            return;
        };
        let existing = self
            .resources
            .iter()
            .find(|r| {
                r.kind.key == "queues"
                    && r.config.get("queue").and_then(Value::as_str) == Some(queue)
            })
            .map(|r| r.id.clone());
        let id = match existing {
            Some(id) => id,
            None => {
                let id = self.fresh_id(queue);
                let mut config = Map::new();
                config.insert("queue".into(), json!(queue));
                self.resources.push(Res {
                    id: id.clone(),
                    kind: &QUEUE,
                    binding: String::new(),
                    config,
                });
                id
            }
        };
        let mut b = Map::new();
        b.insert("target".into(), json!(id));
        b.insert("role".into(), json!("consumer"));
        let settings: Map<String, Value> = item
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter(|e| e.key != "queue")
            .map(|e| (e.key.clone(), e.value.to_json()))
            .collect();
        if !settings.is_empty() {
            b.insert("config".into(), Value::Object(settings));
        }
        self.bindings.push(Value::Object(b));
    }
}
