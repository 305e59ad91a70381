//! `env.<name>` tables: each environment's own keys → `environments.<env>`, with a note for
//! every difference a blueprint environment cannot express.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::resources::resource_kind;
use super::{push_unique, quoted_list, var_json, Importer, WORKER_ID};
use crate::lint::rules::secret_in_vars::looks_like_secret;
use crate::model::blueprint::ENV_WORKER_KEYS;
use crate::model::Env;

impl Importer {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn environment(
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
                        self.note_entries(
                            e.key_span,
                            &path,
                            format!(
                                "`{path}` does not set {}; blueprint environments inherit the \
                                 top-level vars, so the imported environment has them too",
                                quoted_list(&extra)
                            ),
                            en,
                            "vars",
                            &extra,
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
                        self.note_entries(
                            e.key_span,
                            &path,
                            format!(
                                "`{path}` does not require {}; blueprint environments add to the \
                                 top-level secrets",
                                quoted_list(&missing)
                            ),
                            en,
                            "secrets",
                            &missing,
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
                // The Worker settings a blueprint environment takes directly (one list, so
                // import and the blueprint reader agree on them).
                _ if ENV_WORKER_KEYS.contains(&key) => {
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
}
