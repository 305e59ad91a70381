//! Model → `wrangler.jsonc` / `wrangler.toml` for one worker.
//!
//! The config is first built as one format-neutral tree ([`config_tree`]: a
//! [`jsonc_writer::Object`] whose members carry short comments), then written by the JSONC writer
//! or converted to a `toml_edit` document. Nothing is concatenated into TOML or JSON text: every
//! key and value goes through `serde_json` or `toml_edit`.
//!
//! * Keys come in a fixed, readable order ([`rank`]): identity and entry point, routing,
//!   observability and other settings, variables and secrets, Durable Objects and their lifecycle,
//!   the other bindings, containers, then `env`.
//! * Every `env.<name>` repeats every non-inheritable key (bindings, vars, secrets, …) with that
//!   env's values, so wrangler never says "exists at the top level, but not on env.X"; an
//!   inheritable key appears in an env only where the env's value differs from the top level's.
//!   `name` is left to wrangler's default (`<name>-<env>`, what the model resolved), and
//!   `migrations`/`exports` stay top-level (inherited by every env).
//! * Rust workers ([`is_rust_worker`]) get the workers-rs template's `main` and `build.command`.

mod bindings;
mod toml_doc;

use serde_json::{json, Map, Value};

use super::jsonc_writer::{self, Object};
use super::{ConfigFormat, PlannedLifecycle};
use crate::model::keys;
use crate::model::{Env, LifecycleMode, Project, Route, VarValue, Worker};
use bindings::bindings;
use toml_doc::to_toml;

/// `$schema` of a generated wrangler.jsonc (wrangler's recommendation; resolves once wrangler is
/// installed in the project).
pub const JSONC_SCHEMA: &str = "node_modules/wrangler/config-schema.json";
/// Entry point of a workers-rs Worker: the JavaScript shim `worker-build` writes.
pub const RUST_MAIN: &str = "build/index.js";
/// Build command of a workers-rs Worker (the current workers-rs template's).
pub const RUST_BUILD_COMMAND: &str =
    "cargo install -q \"worker-build@^0.8\" && worker-build --release";

const COMMENT_RUST_MAIN: &str =
    "workers-rs: `worker-build` compiles the crate to this JavaScript entry point (see `build`).";
const COMMENT_SECRETS: &str =
    "Secret names only. Set each value with `wrangler secret put NAME` (and `--env <env>`).";
const COMMENT_DURABLE_OBJECTS: &str =
    "Durable Object bindings; a class hosted by another Worker is bound with that Worker's script_name.";
const COMMENT_MIGRATIONS: &str = "Durable Object migrations, planned by doforge and recorded in doforge.lock.\nAppend-only: never edit or remove a step that has been deployed.";
const COMMENT_EXPORTS: &str = "Durable Object classes declared to Cloudflare, planned by doforge and recorded in doforge.lock.\nDeleted, renamed and transferred classes stay as tombstones: do not remove them.";
const COMMENT_ENV: &str = "Environments (`wrangler deploy --env <name>`, deployed as `<name>-<env>`). wrangler does not\ninherit bindings, vars or secrets into an environment, so each one repeats them with its own values.";

/// A worker whose code is Rust (workers-rs): the blueprint gives no `main`, or a Rust file
/// (`src/lib.rs`), which wrangler cannot run; the generated config points at `worker-build`'s
/// output instead.
pub fn is_rust_worker(worker: &Worker) -> bool {
    match &worker.top().main {
        None => true,
        Some(m) => m.value.ends_with(".rs"),
    }
}

/// Render worker `worker`'s wrangler config. `header` is the `@generated` line (without comment
/// marker).
pub fn render_config(
    project: &Project,
    worker: usize,
    lifecycle: &PlannedLifecycle,
    format: ConfigFormat,
    header: &str,
) -> String {
    let rust = is_rust_worker(&project.workers[worker]);
    render_config_as(project, worker, lifecycle, format, header, rust)
}

/// [`render_config`], with the Worker's language decided by the caller (`--lang rust` makes
/// every Worker a workers-rs one).
pub fn render_config_as(
    project: &Project,
    worker: usize,
    lifecycle: &PlannedLifecycle,
    format: ConfigFormat,
    header: &str,
    rust: bool,
) -> String {
    let tree = config_tree_as(project, worker, lifecycle, rust);
    match format {
        ConfigFormat::Jsonc => {
            let mut root = Object::new();
            root.insert("$schema", json!(JSONC_SCHEMA));
            root.append(&tree);
            jsonc_writer::render(&[header], &root)
        }
        ConfigFormat::Toml => to_toml(&tree, header),
    }
}

/// One key of a section (the top level or one env), with its comment.
struct Key {
    key: String,
    value: Value,
    /// What the key is for (top level only: envs would repeat it).
    comment: Option<&'static str>,
    /// Something about this env's value (top level and envs).
    note: Option<String>,
}

impl Key {
    /// The comment to write before the key.
    fn comment(&self, top: bool) -> Option<String> {
        let parts: Vec<&str> = [self.comment.filter(|_| top), self.note.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n"))
    }
}

/// The whole config of worker `index` as a format-neutral tree.
pub fn config_tree(project: &Project, index: usize, lifecycle: &PlannedLifecycle) -> Object {
    let rust = is_rust_worker(&project.workers[index]);
    config_tree_as(project, index, lifecycle, rust)
}

/// [`config_tree`] for a Worker whose language the caller decided.
pub fn config_tree_as(
    project: &Project,
    index: usize,
    lifecycle: &PlannedLifecycle,
    rust: bool,
) -> Object {
    let worker = &project.workers[index];
    let top = section(worker.top(), rust);
    let mut root = Object::new();
    let mut lifecycle_done = false;
    let push_lifecycle = |root: &mut Object| match project.lifecycle_mode {
        LifecycleMode::Exports if !lifecycle.exports.is_empty() => {
            let map: Map<String, Value> = lifecycle
                .exports
                .iter()
                .map(|(k, v)| (k.clone(), Value::Object(v.clone())))
                .collect();
            root.insert_commented("exports", Value::Object(map), Some(COMMENT_EXPORTS));
        }
        _ if !lifecycle.migrations.is_empty() => {
            let steps =
                serde_json::to_value(&lifecycle.migrations).expect("migrations always serialize");
            root.insert_commented("migrations", steps, Some(COMMENT_MIGRATIONS));
        }
        _ => {}
    };
    for k in &top {
        if !lifecycle_done && rank(&k.key) > rank("migrations") {
            push_lifecycle(&mut root);
            lifecycle_done = true;
        }
        root.insert_commented(k.key.clone(), k.value.clone(), k.comment(true).as_deref());
    }
    if !lifecycle_done {
        push_lifecycle(&mut root);
    }

    let mut envs = Object::new();
    for env in &worker.envs[1..] {
        let Some(name) = env.name_str() else { continue };
        let mut obj = Object::new();
        for k in section(env, rust) {
            if keys::is_top_level_only(&k.key) || k.key == "name" {
                continue;
            }
            let inherited = top.iter().find(|t| t.key == k.key).map(|t| &t.value);
            if keys::is_non_inheritable(&k.key) || inherited != Some(&k.value) {
                obj.insert_commented(k.key.clone(), k.value.clone(), k.comment(false).as_deref());
            }
        }
        envs.insert(name, obj);
    }
    if !envs.is_empty() {
        root.insert_commented("env", envs, Some(COMMENT_ENV));
    }
    root
}

/// Keys in the order a reader looks for them; keys not listed go after `build` (inheritable
/// settings) or after `analytics_engine_datasets` (other bindings and non-inheritable settings),
/// in the blueprint's order.
const ORDER: &[&str] = &[
    "name",
    "main",
    "compatibility_date",
    "compatibility_flags",
    "workers_dev",
    "preview_urls",
    "routes",
    "triggers",
    "observability",
    "logpush",
    "upload_source_maps",
    "limits",
    "placement",
    "assets",
    "build",
    // (other inheritable settings)
    "vars",
    "secrets",
    "durable_objects",
    "migrations",
    "exports",
    "kv_namespaces",
    "r2_buckets",
    "d1_databases",
    "queues",
    "services",
    "analytics_engine_datasets",
    // (other bindings, non-inheritable settings)
    "containers",
];

/// Sort rank of a key (stable sort keeps unlisted keys in their first-seen order).
fn rank(key: &str) -> usize {
    if let Some(i) = ORDER.iter().position(|k| *k == key) {
        return 2 * i;
    }
    let anchor = if keys::is_non_inheritable(key) {
        "analytics_engine_datasets"
    } else {
        "build"
    };
    2 * ORDER.iter().position(|k| *k == anchor).unwrap_or(0) + 1
}

/// Every key of one env's effective config (lifecycle excluded), in [`rank`] order.
fn section(env: &Env, rust: bool) -> Vec<Key> {
    let mut out: Vec<Key> = Vec::new();
    let put = |out: &mut Vec<Key>, key: &str, value: Value, comment: Option<&'static str>| {
        out.push(Key {
            key: key.to_owned(),
            value,
            comment,
            note: None,
        });
    };
    if let Some(n) = &env.script_name {
        put(&mut out, "name", json!(n.value), None);
    }
    if rust {
        put(&mut out, "main", json!(RUST_MAIN), Some(COMMENT_RUST_MAIN));
    } else if let Some(m) = &env.main {
        put(&mut out, "main", json!(m.value), None);
    }
    if let Some(d) = &env.compatibility_date {
        put(&mut out, "compatibility_date", json!(d.value), None);
    }
    if !env.compatibility_flags.is_empty() {
        let flags: Vec<&str> = env.compatibility_flags.iter().map(|f| f.as_str()).collect();
        put(&mut out, "compatibility_flags", json!(flags), None);
    }
    if let Some(w) = &env.workers_dev {
        put(&mut out, "workers_dev", json!(w.value), None);
    }
    if !env.routes.is_empty() || env.origins.contains_key("routes") {
        let routes: Vec<Value> = env.routes.iter().map(route).collect();
        put(&mut out, "routes", Value::Array(routes), None);
    }
    if !env.vars.is_empty() {
        let vars: Map<String, Value> = env
            .vars
            .iter()
            .map(|v| {
                let value = match &v.value {
                    VarValue::Text(s) => json!(s),
                    VarValue::Json(j) => j.clone(),
                };
                (v.name.value.clone(), value)
            })
            .collect();
        put(&mut out, "vars", Value::Object(vars), None);
    }
    if !env.secrets.is_empty() {
        let names: Vec<&str> = env.secrets.iter().map(|s| s.as_str()).collect();
        put(
            &mut out,
            "secrets",
            json!({ "required": names }),
            Some(COMMENT_SECRETS),
        );
    }
    for (key, value, note) in bindings(env) {
        let comment = (key == "durable_objects").then_some(COMMENT_DURABLE_OBJECTS);
        put(&mut out, &key, value, comment);
        out.last_mut().expect("just pushed").note = note;
    }
    // Settings carried verbatim; a list that is also generated (a raw `kv_namespaces` next to
    // blueprint bindings) is appended to the generated one.
    for (key, node) in &env.settings {
        let value = node.to_json();
        match out.iter_mut().find(|k| k.key == *key) {
            Some(existing) => {
                if let (Value::Array(have), Value::Array(more)) = (&mut existing.value, value) {
                    have.extend(more);
                }
            }
            None => put(&mut out, key, value, None),
        }
    }
    if rust && !out.iter().any(|k| k.key == "build") {
        put(
            &mut out,
            "build",
            json!({ "command": RUST_BUILD_COMMAND }),
            None,
        );
    }
    out.sort_by_key(|k| rank(&k.key));
    out
}

fn route(r: &Route) -> Value {
    if r.zone_name.is_none() && r.zone_id.is_none() && r.custom_domain.is_none() {
        return json!(r.pattern.value);
    }
    let mut m = Map::new();
    m.insert("pattern".into(), json!(r.pattern.value));
    if let Some(z) = &r.zone_name {
        m.insert("zone_name".into(), json!(z.value));
    }
    if let Some(z) = &r.zone_id {
        m.insert("zone_id".into(), json!(z.value));
    }
    if let Some(c) = r.custom_domain {
        m.insert("custom_domain".into(), json!(c));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::lock::LockMigration;
    use crate::source::{self, Format, Limits, SourceFile};

    use crate::generate::test_project as project;

    fn v1(classes: &[&str]) -> PlannedLifecycle {
        PlannedLifecycle {
            migrations: vec![LockMigration {
                tag: "v1".into(),
                new_sqlite_classes: classes.iter().map(|c| (*c).to_owned()).collect(),
                ..LockMigration::default()
            }],
            ..PlannedLifecycle::default()
        }
    }

    fn parse(format: ConfigFormat, text: &str) -> Value {
        let f = match format {
            ConfigFormat::Jsonc => Format::WranglerJson,
            ConfigFormat::Toml => Format::WranglerToml,
        };
        let file = SourceFile::new(format.file_name(), f, text.to_owned());
        let mut v = source::parse(&file, &Limits::default())
            .unwrap_or_else(|e| panic!("{e:?}\n{text}"))
            .to_json();
        v.as_object_mut().unwrap().shift_remove("$schema");
        v
    }

    /// Both formats, parsed back, equal the tree (nulls aside, which TOML cannot hold).
    fn render_both(p: &Project, lc: &PlannedLifecycle) -> (Value, String, String) {
        let tree = config_tree(p, 0, lc).to_json();
        let jsonc = render_config(p, 0, lc, ConfigFormat::Jsonc, "@generated by a test");
        let toml = render_config(p, 0, lc, ConfigFormat::Toml, "@generated by a test");
        assert_eq!(parse(ConfigFormat::Jsonc, &jsonc), tree, "{jsonc}");
        assert_eq!(parse(ConfigFormat::Toml, &toml), tree, "{toml}");
        (tree, jsonc, toml)
    }

    const BASE: &str = r#"
project_name: shop
provider: cloudflare
compatibility_date: "2025-10-08"
resources:
  - id: api
    type: cloudflare_worker
    config:
      main: src/index.ts
      observability: { enabled: true }
      keep_vars: true
      upload_source_maps: true
      tail_consumers: [{ service: log-sink }]
      kv_namespaces: [{ binding: RAW_KV, id: "11111111111111111111111111111111" }]
  - { id: cache, type: cloudflare_kv_namespace, config: { id: "0f2ac7d1e3b94c55a1b2c3d4e5f60718" } }
durable_objects:
  - { class_name: Cart, kind: session }
bindings:
  - { name: CART, target: Cart }
  - { name: CACHE, target: cache }
vars: { LOG_LEVEL: info }
secrets: [STRIPE_KEY]
environments:
  staging:
    observability: { enabled: false }
    resources:
      cache: { id: "aa2ac7d1e3b94c55a1b2c3d4e5f60718" }
  production:
"#;

    #[test]
    fn envs_repeat_non_inheritable_keys_and_only_changed_inheritable_ones() {
        let p = project(BASE);
        let (tree, _, _) = render_both(&p, &v1(&["Cart"]));
        let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
        assert_eq!(
            keys(&tree),
            [
                "name",
                "main",
                "compatibility_date",
                "observability",
                "upload_source_maps",
                "keep_vars",
                "vars",
                "secrets",
                "durable_objects",
                "migrations",
                "kv_namespaces",
                "tail_consumers",
                "env"
            ]
        );
        let staging = &tree["env"]["staging"];
        assert_eq!(
            keys(staging),
            [
                "observability",
                "vars",
                "secrets",
                "durable_objects",
                "kv_namespaces",
                "tail_consumers"
            ]
        );
        assert_eq!(staging["observability"], json!({ "enabled": false }));
        // Generated bindings first, then the worker's raw list.
        assert_eq!(
            staging["kv_namespaces"],
            json!([
                { "binding": "CACHE", "id": "aa2ac7d1e3b94c55a1b2c3d4e5f60718" },
                { "binding": "RAW_KV", "id": "11111111111111111111111111111111" }
            ])
        );
        // Nothing inheritable differs in production; keep_vars is top-level only.
        assert_eq!(
            keys(&tree["env"]["production"]),
            [
                "vars",
                "secrets",
                "durable_objects",
                "kv_namespaces",
                "tail_consumers"
            ]
        );
    }

    #[test]
    fn rust_workers_get_the_workers_rs_entry_point_and_build() {
        let text = BASE.replace("      main: src/index.ts\n", "");
        let (tree, jsonc, toml) = render_both(&project(&text), &v1(&["Cart"]));
        assert_eq!(tree["main"], json!(RUST_MAIN));
        assert_eq!(tree["build"], json!({ "command": RUST_BUILD_COMMAND }));
        assert!(tree["env"]["staging"].get("build").is_none());
        assert!(jsonc.contains("  // workers-rs: `worker-build` compiles the crate"));
        assert!(toml.contains("\n# workers-rs: `worker-build` compiles the crate"));
        // `main: src/lib.rs` is a Rust worker too; a build of the blueprint's own is kept.
        let text = BASE.replace(
            "      main: src/index.ts\n",
            "      main: src/lib.rs\n      build: { command: make }\n",
        );
        let (tree, _, _) = render_both(&project(&text), &v1(&["Cart"]));
        assert_eq!(tree["main"], json!(RUST_MAIN));
        assert_eq!(tree["build"], json!({ "command": "make" }));
    }

    #[test]
    fn exports_lifecycle_replaces_migrations() {
        let text = format!("lifecycle: exports\n{BASE}");
        let mut lc = PlannedLifecycle::default();
        let entry = json!({ "type": "durable-object", "storage": "sqlite" });
        lc.exports
            .insert("Cart".into(), entry.as_object().unwrap().clone());
        let gone = json!({ "type": "durable-object", "state": "deleted" });
        lc.exports
            .insert("OldCart".into(), gone.as_object().unwrap().clone());
        let (tree, _, toml) = render_both(&project(&text), &lc);
        assert!(tree.get("migrations").is_none());
        assert_eq!(tree["exports"], json!({ "Cart": entry, "OldCart": gone }));
        assert!(tree["env"]["staging"].get("exports").is_none());
        assert!(toml
            .contains("[exports]\nCart = { type = \"durable-object\", storage = \"sqlite\" }\n"));
    }

    #[test]
    fn hostile_values_stay_values_in_both_formats() {
        let text = BASE.replace(
            "vars: { LOG_LEVEL: info }",
            r#"vars:
  A: "x\"\n[env.evil]\nname = 'pwned'\n# \u2028 */ //"
  B: "'''\"\"\"\\"
  C: "\t\u0000\u007f"
  D: 1.5
  E: -7
  F: false"#,
        );
        let p = project(&text);
        let (tree, jsonc, toml) = render_both(&p, &v1(&["Cart"]));
        assert_eq!(
            tree["vars"]["A"],
            json!("x\"\n[env.evil]\nname = 'pwned'\n# \u{2028} */ //")
        );
        assert_eq!(tree["vars"]["D"], json!(1.5));
        // The header cannot break out of its comment either.
        let jsonc2 = render_config(
            &p,
            0,
            &v1(&["Cart"]),
            ConfigFormat::Jsonc,
            "a\n\"name\": 1,",
        );
        let toml2 = render_config(&p, 0, &v1(&["Cart"]), ConfigFormat::Toml, "a\nname = 1");
        assert_eq!(
            parse(ConfigFormat::Jsonc, &jsonc2),
            parse(ConfigFormat::Jsonc, &jsonc)
        );
        assert_eq!(
            parse(ConfigFormat::Toml, &toml2),
            parse(ConfigFormat::Toml, &toml)
        );
        assert!(toml2.starts_with("# a\n# name = 1\n"), "{toml2}");
    }

    #[test]
    fn long_lists_break_over_lines_in_toml() {
        let flags: Vec<String> = (0..12).map(|i| format!("some_compat_flag_{i}")).collect();
        let text = BASE.replace(
            "compatibility_date: \"2025-10-08\"",
            &format!(
                "compatibility_date: \"2025-10-08\"\ncompatibility_flags: [{}]",
                flags.join(", ")
            ),
        );
        let (tree, _, toml) = render_both(&project(&text), &v1(&["Cart"]));
        assert_eq!(tree["compatibility_flags"], json!(flags));
        assert!(
            toml.contains("compatibility_flags = [\n  \"some_compat_flag_0\",\n"),
            "{toml}"
        );
    }

    #[test]
    fn lists_inside_inline_tables_stay_on_one_line() {
        let dests: Vec<String> = (0..12).map(|i| format!("destination-number-{i}")).collect();
        let text = BASE.replace(
            "      observability: { enabled: true }",
            &format!(
                "      observability: {{ enabled: true, logs: {{ destinations: [{}] }} }}",
                dests.join(", ")
            ),
        );
        // render_both parses the TOML back (TOML 1.0: no line break inside an inline table).
        let (tree, _, toml) = render_both(&project(&text), &v1(&["Cart"]));
        assert_eq!(tree["observability"]["logs"]["destinations"], json!(dests));
        let line = toml.lines().find(|l| l.starts_with("logs = ")).unwrap();
        assert!(line.ends_with("] }"), "{toml}");
    }

    #[test]
    fn keys_are_ranked_in_reading_order() {
        let ranks: Vec<usize> = ORDER.iter().map(|k| rank(k)).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]));
        assert!(rank("build") < rank("logpush_unknown_future_key"));
        assert!(rank("logpush_unknown_future_key") < rank("vars"));
        assert!(rank("analytics_engine_datasets") < rank("hyperdrive"));
        assert!(rank("hyperdrive") < rank("containers"));
    }
}
