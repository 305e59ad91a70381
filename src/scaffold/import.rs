//! `doforge import`: an existing wrangler config → a blueprint.
//!
//! Reads the loaded tree (for every key as written, with its position) and the resolved model
//! (for effective values and the replayed Durable Object history). Every top-level key and every
//! `env.<name>` key is either mapped to the blueprint or reported as a [`Note`]; nothing is
//! dropped silently. The mapping (docs/import.md):
//!
//! * `name` → `project_name` (the only Worker's script name); `compatibility_*` → top level.
//! * KV, R2, D1, queue, Analytics Engine, Hyperdrive and Vectorize bindings → one resource each
//!   plus a `bindings` entry; an environment's different values → `environments.<env>.resources`.
//! * Durable Object bindings to classes this Worker hosts → `durable_objects` + `bindings`;
//!   classes from the replayed `migrations` history too (deleted ones as tombstones); the history
//!   itself → explicit `migrations` (verbatim, so applied steps are never re-planned).
//!   Bindings to classes of other scripts → the Worker `config.durable_objects` shorthand.
//! * `vars` → `vars`, except values that look like secrets: their names go to `secrets` and the
//!   values are not copied. `secrets.required` → `secrets`.
//! * Every other key → the Worker's `config` (passed through to the generated config as is);
//!   an environment's own value → `environments.<env>` (routes, compatibility, triggers, …) or
//!   `environments.<env>.resources.<worker>`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::lint::rules::secret_in_vars::looks_like_secret;
use crate::model::lifecycle::{History, Removal};
use crate::model::{Env, Project, Storage};
use crate::source::{Node, SourceFile, Span};

/// Something the blueprint cannot say as the config does, reported on stderr.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Where the source key is (its line and column are printed).
    pub span: Span,
    /// The source key, as a path (`env.production.vars`).
    pub path: String,
    pub message: String,
    /// The environment whose effective configuration differs (None: the top level and every
    /// environment).
    pub env: Option<String>,
    /// What differs after import → generate: wrangler keys (`kv_namespaces`, `name`, …) or one
    /// entry of a key (`kv_namespaces.CACHE`, `vars.LOG_LEVEL`, `secrets.TOKEN`); empty when
    /// the effective configuration is the same.
    pub affects: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Imported {
    /// The blueprint as a JSON value (the YAML is written from it).
    pub blueprint: Value,
    pub notes: Vec<Note>,
}

/// A binding kind the importer turns into a resource.
struct ResourceKind {
    /// wrangler key (a list of `{binding, …}` entries).
    key: &'static str,
    rtype: &'static str,
    /// Keys of the resource's `config` (closed in the schema).
    fields: &'static [&'static str],
    /// The Cloudflare-side name, which defaults to the resource id in a blueprint.
    name_field: Option<&'static str>,
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
fn resource_kind(key: &str) -> Option<&'static ResourceKind> {
    RESOURCE_KINDS.iter().find(|k| k.key == key)
}

/// Env keys the blueprint has at `environments.<env>` (for the only Worker).
const ENV_LEVEL_KEYS: &[&str] = &[
    "compatibility_date",
    "compatibility_flags",
    "routes",
    "route",
    "workers_dev",
    "triggers",
    "observability",
];

/// The Worker's resource id in the imported blueprint.
const WORKER_ID: &str = "worker";

/// One imported resource.
struct Res {
    id: String,
    kind: &'static ResourceKind,
    /// The binding name it was made for.
    binding: String,
    /// Its config at the top level.
    config: Map<String, Value>,
}

struct Importer {
    notes: Vec<Note>,
    resources: Vec<Res>,
    bindings: Vec<Value>,
    worker_config: Map<String, Value>,
    ids: BTreeSet<String>,
}

/// Import a loaded and resolved wrangler config.
pub fn import(file: &Arc<SourceFile>, root: &Node, project: &Project) -> Result<Imported, String> {
    let worker = project
        .workers
        .first()
        .ok_or_else(|| "the config describes no Worker".to_owned())?;
    let top = worker.top();
    let mut im = Importer {
        notes: Vec::new(),
        resources: Vec::new(),
        bindings: Vec::new(),
        worker_config: Map::new(),
        ids: BTreeSet::from([WORKER_ID.to_owned()]),
    };
    let mut bp = Map::new();

    // Identity.
    let name = match root.get("name").and_then(Node::as_str) {
        Some(n) if super::is_project_name(n) => n.to_owned(),
        Some(n) => {
            let fixed = super::project_name_from(n, "my-worker");
            im.note(
                root.entry("name").map_or(root.span, |e| e.key_span),
                "name",
                format!(
                    "`name = \"{n}\"` is not a valid blueprint `project_name` (1-63 lowercase \
                     letters, digits and `-`); the blueprint uses `{fixed}`, so the Worker \
                     deploys under that name"
                ),
                None,
                &["name"],
            );
            fixed
        }
        None => {
            let fixed = file
                .path
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| super::project_name_from(&n.to_string_lossy(), "my-worker"))
                .unwrap_or_else(|| "my-worker".to_owned());
            im.note(
                root.span,
                "name",
                format!(
                    "the config has no `name`; the blueprint uses `{fixed}` (from the directory)"
                ),
                None,
                &["name"],
            );
            fixed
        }
    };
    bp.insert("project_name".into(), json!(name));
    bp.insert("provider".into(), json!("cloudflare"));
    for key in ["compatibility_date", "compatibility_flags"] {
        if let Some(v) = root.get(key) {
            bp.insert(key.into(), v.to_json());
        }
    }

    // The lifecycle: explicit history (migrations) or the declarative `exports`.
    let history = top.lifecycle.history();
    let uses_exports = root.get("migrations").is_none()
        && top.lifecycle.exports.iter().any(|e| e.is_durable_object());
    if uses_exports {
        bp.insert("lifecycle".into(), json!("exports"));
    }

    // Top-level keys, in source order.
    let mut vars = Map::new();
    let mut secrets: Vec<String> = Vec::new();
    let mut classes = ClassSet::default();
    let mut migrations = None;
    for e in root.as_map().unwrap_or_default() {
        let key = e.key.as_str();
        match key {
            "name" | "compatibility_date" | "compatibility_flags" | "env" => {}
            "$schema" => im.note(
                e.key_span,
                key,
                "`$schema` is an editor hint; not copied (`doforge generate` writes its own)".into(),
                None,
                &[],
            ),
            "vars" => im.vars(top, &mut vars, &mut secrets),
            "secrets" => {
                for s in &top.secrets {
                    push_unique(&mut secrets, &s.value);
                }
                im.check_known(e, "secrets", &["required"]);
            }
            "migrations" => migrations = Some(e.value.to_json()),
            "exports" if uses_exports => im.exports(top, &mut classes),
            "exports" => im.note(
                e.key_span,
                key,
                "`exports` alongside `migrations`: the blueprint keeps the `migrations` history and \
                 not the `exports` map (wrangler refuses both)"
                    .into(),
                None,
                &["exports"],
            ),
            "durable_objects" => im.durable_objects(top, e, &mut classes),
            "queues" => im.queues(e),
            _ => match resource_kind(key) {
                Some(kind) => {
                    for item in e.value.as_seq().unwrap_or_default() {
                        im.resource(kind, item, key);
                    }
                }
                None => {
                    im.worker_config.insert(key.to_owned(), e.value.to_json());
                }
            },
        }
    }
    // Classes the history creates but no binding names.
    if !uses_exports {
        classes.add_history(&history);
    }

    // Environments.
    let mut environments = Map::new();
    if let Some(env_table) = root.get("env").and_then(Node::as_map) {
        for entry in env_table {
            let Some(env) = worker.env(Some(&entry.key)) else {
                continue;
            };
            let value = im.environment(&name, top, env, entry, &vars, &secrets);
            environments.insert(entry.key.clone(), value);
        }
    }

    // Assemble.
    let mut resources = vec![{
        let mut w = Map::new();
        w.insert("id".into(), json!(WORKER_ID));
        w.insert("type".into(), json!("cloudflare_worker"));
        if !im.worker_config.is_empty() {
            w.insert("config".into(), Value::Object(im.worker_config.clone()));
        }
        Value::Object(w)
    }];
    for r in &im.resources {
        let mut m = Map::new();
        m.insert("id".into(), json!(r.id));
        m.insert("type".into(), json!(r.kind.rtype));
        if !r.config.is_empty() {
            m.insert("config".into(), Value::Object(r.config.clone()));
        }
        resources.push(Value::Object(m));
    }
    bp.insert("resources".into(), Value::Array(resources));
    let class_list = classes.to_json(&mut im);
    let declared: BTreeSet<&str> = class_list
        .iter()
        .filter_map(|c| c.get("class_name").and_then(Value::as_str))
        .collect();
    // Bindings of a class that could not be declared go with it (the note says so).
    let mut bindings: Vec<Value> = classes
        .bindings
        .iter()
        .filter(|b| {
            b.get("target")
                .and_then(Value::as_str)
                .is_some_and(|t| declared.contains(t))
        })
        .cloned()
        .collect();
    if !class_list.is_empty() {
        bp.insert("durable_objects".into(), Value::Array(class_list));
    }
    bindings.extend(im.bindings.iter().cloned());
    if !bindings.is_empty() {
        bp.insert("bindings".into(), Value::Array(bindings));
    }
    if !vars.is_empty() {
        bp.insert("vars".into(), Value::Object(vars));
    }
    if !secrets.is_empty() {
        bp.insert("secrets".into(), json!(secrets));
    }
    if !environments.is_empty() {
        bp.insert("environments".into(), Value::Object(environments));
    }
    // `migrations` last, as in docs/blueprint.md.
    if let Some(m) = migrations {
        bp.insert("migrations".into(), m);
    }
    let mut notes = im.notes;
    notes.sort_by_key(|n| n.span.start);
    Ok(Imported {
        blueprint: Value::Object(bp),
        notes,
    })
}

/// The Durable Object classes this Worker hosts, and the bindings to them.
#[derive(Default)]
struct ClassSet {
    /// Class name → (storage, deleted, first span).
    classes: BTreeMap<String, (Option<Storage>, bool, Span)>,
    order: Vec<String>,
    bindings: Vec<Value>,
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

    fn add_history(&mut self, history: &History) {
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

    fn to_json(&self, im: &mut Importer) -> Vec<Value> {
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
    fn note(
        &mut self,
        span: Span,
        path: &str,
        message: String,
        env: Option<&str>,
        affects: &[&str],
    ) {
        self.notes.push(Note {
            span,
            path: path.to_owned(),
            message,
            env: env.map(str::to_owned),
            affects: affects.iter().map(|s| (*s).to_owned()).collect(),
        });
    }

    /// Report keys of a table the blueprint has no place for.
    fn check_known(&mut self, e: &crate::source::Entry, path: &str, known: &[&str]) {
        for k in e.value.as_map().unwrap_or_default() {
            if !known.contains(&k.key.as_str()) {
                self.note(
                    k.key_span,
                    &format!("{path}.{}", k.key),
                    format!("`{path}.{}` has no place in a blueprint; not copied", k.key),
                    None,
                    &[path],
                );
            }
        }
    }

    fn fresh_id(&mut self, base: &str) -> String {
        let mut id: String = base
            .chars()
            .map(|c| match c {
                'A'..='Z' => c.to_ascii_lowercase(),
                'a'..='z' | '0'..='9' | '-' => c,
                _ => '-',
            })
            .collect();
        id = id.trim_matches('-').to_owned();
        if id.is_empty() {
            id = "resource".into();
        }
        let mut candidate = id.clone();
        let mut n = 2;
        while self.ids.contains(&candidate) {
            candidate = format!("{id}-{n}");
            n += 1;
        }
        self.ids.insert(candidate.clone());
        candidate
    }

    fn vars(&mut self, top: &Env, vars: &mut Map<String, Value>, secrets: &mut Vec<String>) {
        for v in &top.vars {
            let name = v.name.as_str();
            if let Some(why) = looks_like_secret(name, &v.value) {
                self.note(
                    v.name.span,
                    &format!("vars.{name}"),
                    format!(
                        "var `{name}`: {why}; its value is NOT copied: the blueprint lists \
                         `{name}` under `secrets` (set it with `wrangler secret put {name}`)"
                    ),
                    None,
                    &[&format!("vars.{name}"), &format!("secrets.{name}")],
                );
                push_unique(secrets, name);
                continue;
            }
            match var_json(&v.value) {
                Some(j) => {
                    vars.insert(name.to_owned(), j);
                }
                None => self.note(
                    v.name.span,
                    &format!("vars.{name}"),
                    format!(
                        "var `{name}` holds a JSON list or object; blueprint vars are plain text \
                         (strings, numbers, booleans), so it is not copied"
                    ),
                    None,
                    &[&format!("vars.{name}")],
                ),
            }
        }
    }

    fn resource(&mut self, kind: &'static ResourceKind, item: &Node, path: &str) {
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

    fn queues(&mut self, e: &crate::source::Entry) {
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

    fn durable_objects(&mut self, top: &Env, e: &crate::source::Entry, classes: &mut ClassSet) {
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

    fn exports(&mut self, top: &Env, classes: &mut ClassSet) {
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

    #[allow(clippy::too_many_arguments)]
    fn environment(
        &mut self,
        name: &str,
        top: &Env,
        env: &Env,
        entry: &crate::source::Entry,
        top_vars: &Map<String, Value>,
        top_secrets: &[String],
    ) -> Value {
        let env_name = entry.key.as_str();
        let prefix = format!("env.{env_name}");
        let mut out = Map::new();
        let mut worker_override = Map::new();
        let mut res_overrides: Map<String, Value> = Map::new();
        let own = entry.value.as_map().unwrap_or_default();
        let en = Some(env_name);
        for e in own {
            let key = e.key.as_str();
            let path = format!("{prefix}.{key}");
            match key {
                "name" => {
                    let default = format!("{name}-{env_name}");
                    if e.value.as_str() != Some(default.as_str()) {
                        self.note(
                            e.key_span,
                            &path,
                            format!(
                                "`{path}` renames this environment's Worker; a blueprint \
                                 environment always deploys as `<name>-<env>` (`{default}`)"
                            ),
                            en,
                            &["name"],
                        );
                    }
                }
                "vars" => {
                    let mut env_vars = Map::new();
                    let mut env_secrets = Vec::new();
                    for v in &env.vars {
                        let vn = v.name.as_str();
                        if let Some(why) = looks_like_secret(vn, &v.value) {
                            self.note(
                                v.name.span,
                                &format!("{path}.{vn}"),
                                format!(
                                    "var `{vn}`: {why}; its value is NOT copied: the blueprint \
                                     lists `{vn}` under `environments.{env_name}.secrets`"
                                ),
                                en,
                                &[&format!("vars.{vn}"), &format!("secrets.{vn}")],
                            );
                            if !top_secrets.iter().any(|s| s == vn) {
                                push_unique(&mut env_secrets, vn);
                            }
                            continue;
                        }
                        match var_json(&v.value) {
                            Some(j) if top_vars.get(vn) == Some(&j) => {}
                            Some(j) => {
                                env_vars.insert(vn.to_owned(), j);
                            }
                            None => self.note(
                                v.name.span,
                                &format!("{path}.{vn}"),
                                format!("var `{vn}` holds a JSON list or object; not copied"),
                                en,
                                &[&format!("vars.{vn}")],
                            ),
                        }
                    }
                    let extra: Vec<&str> = top_vars
                        .keys()
                        .filter(|k| !env.vars.iter().any(|v| v.name.as_str() == k.as_str()))
                        .map(String::as_str)
                        .collect();
                    if !extra.is_empty() {
                        self.note(
                            e.key_span,
                            &path,
                            format!(
                                "`{path}` does not set {}; blueprint environments inherit the \
                                 top-level vars, so the imported environment has them too",
                                quoted_list(&extra)
                            ),
                            en,
                            &extra
                                .iter()
                                .map(|v| format!("vars.{v}"))
                                .collect::<Vec<_>>()
                                .iter()
                                .map(String::as_str)
                                .collect::<Vec<_>>(),
                        );
                    }
                    if !env_vars.is_empty() {
                        out.insert("vars".into(), Value::Object(env_vars));
                    }
                    if !env_secrets.is_empty() {
                        out.insert("secrets".into(), json!(env_secrets));
                    }
                }
                "secrets" => {
                    let mine: Vec<&str> = env.secrets.iter().map(|s| s.as_str()).collect();
                    let mut add: Vec<String> = out
                        .get("secrets")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    for s in &mine {
                        if !top_secrets.iter().any(|t| t == s) {
                            push_unique(&mut add, s);
                        }
                    }
                    let missing: Vec<&str> = top_secrets
                        .iter()
                        .map(String::as_str)
                        .filter(|t| !mine.contains(t))
                        .collect();
                    if !missing.is_empty() {
                        self.note(
                            e.key_span,
                            &path,
                            format!(
                                "`{path}` does not require {}; blueprint environments add to the \
                                 top-level secrets",
                                quoted_list(&missing)
                            ),
                            en,
                            &missing
                                .iter()
                                .map(|v| format!("secrets.{v}"))
                                .collect::<Vec<_>>()
                                .iter()
                                .map(String::as_str)
                                .collect::<Vec<_>>(),
                        );
                    }
                    if !add.is_empty() {
                        out.insert("secrets".into(), json!(add));
                    }
                }
                "migrations" | "exports" => self.note(
                    e.key_span,
                    &path,
                    format!(
                        "`{path}` replaces the Durable Object history in this environment; a \
                         blueprint has one history for every environment, so it is not copied"
                    ),
                    en,
                    &[key],
                ),
                "durable_objects" => {
                    let norm = |e: &Env| -> BTreeSet<(String, String, Option<String>)> {
                        let own = e.script_name.as_ref().map(|s| s.value.clone());
                        e.durable_objects()
                            .map(|(b, d)| {
                                let script = d
                                    .script_name
                                    .as_ref()
                                    .map(|s| s.value.clone())
                                    .filter(|s| Some(s) != own.as_ref());
                                (b.name.value.clone(), d.class_name.value.clone(), script)
                            })
                            .collect()
                    };
                    // The blueprint emits the top level's bindings in every env (classes
                    // hosted here stay here; other scripts keep their names).
                    if norm(env) != norm(top) {
                        self.note(
                            e.key_span,
                            &path,
                            format!(
                                "`{path}` binds other classes or scripts than the top level; a \
                                 blueprint binds the same Durable Objects in every environment \
                                 (each environment's Worker hosts its own), so the top level's \
                                 bindings are used"
                            ),
                            en,
                            &["durable_objects"],
                        );
                    }
                }
                "queues" => self.env_queues(env_name, e, &mut res_overrides),
                _ if resource_kind(key).is_some() => {
                    self.env_resources(env_name, e, &mut res_overrides, &mut worker_override)
                }
                _ if ENV_LEVEL_KEYS.contains(&key) => {
                    out.insert(key.to_owned(), e.value.to_json());
                }
                _ => {
                    worker_override.insert(key.to_owned(), e.value.to_json());
                }
            }
        }
        // Non-inheritable keys the env leaves out: the blueprint repeats them.
        for m in &env.missing_non_inheritable {
            let key = m.key.as_str();
            if key == "secrets" && top.secrets.is_empty() {
                continue;
            }
            self.note(
                m.top_key_span,
                &prefix,
                format!(
                    "`{prefix}` has no `{key}` (wrangler does not inherit it, so this environment \
                     has none); a blueprint environment gets the top level's `{key}`"
                ),
                en,
                &[key],
            );
        }
        if !worker_override.is_empty() {
            res_overrides.insert(WORKER_ID.into(), Value::Object(worker_override));
        }
        if !res_overrides.is_empty() {
            out.insert("resources".into(), Value::Object(res_overrides));
        }
        Value::Object(out)
    }

    /// An environment's own list of one resource kind: per-env values of the same bindings
    /// become resource overrides; bindings the top level does not have become the Worker's raw
    /// list in that env.
    fn env_resources(
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
            self.note(
                e.key_span,
                &path,
                format!(
                    "`{path}` has no {}; a blueprint binds every resource in every environment",
                    quoted_list(&names)
                ),
                Some(env_name),
                &names
                    .iter()
                    .map(|n| format!("{key}.{n}"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
        }
        if !raw.is_empty() {
            worker_override.insert(key.to_owned(), Value::Array(raw));
        }
    }

    fn env_queues(
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

/// A var's value for a blueprint (plain text only: strings, numbers, booleans).
fn var_json(v: &crate::model::VarValue) -> Option<Value> {
    match v {
        crate::model::VarValue::Text(s) => Some(json!(s)),
        crate::model::VarValue::Json(j) if j.is_number() || j.is_boolean() => Some(j.clone()),
        crate::model::VarValue::Json(_) => None,
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_owned());
    }
}

fn quoted_list(items: &[&str]) -> String {
    let q: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    q.join(", ")
}
