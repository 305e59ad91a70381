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

mod classes;
mod env;
mod env_resources;
mod resources;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::lint::rules::secret_in_vars::looks_like_secret;
use crate::model::{Env, Project};
use crate::source::{Node, SourceFile, Span};

use classes::ClassSet;
use resources::{resource_kind, Res};

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

/// The Worker's resource id in the imported blueprint.
const WORKER_ID: &str = "worker";

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

    /// [`Importer::note`] of a difference in some entries of one key: it affects `key.<name>`
    /// for each name.
    fn note_entries(
        &mut self,
        span: Span,
        path: &str,
        message: String,
        env: Option<&str>,
        key: &str,
        names: &[&str],
    ) {
        let affects: Vec<String> = names.iter().map(|n| format!("{key}.{n}")).collect();
        let affects: Vec<&str> = affects.iter().map(String::as_str).collect();
        self.note(span, path, message, env, &affects);
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
