//! A blueprint → [`Project`]: one worker per `cloudflare_worker` resource, each with its
//! effective configuration in every environment *as the generator will emit it* (every
//! non-inheritable key repeated per env with that env's overrides applied).
//!
//! Structure is validated by the JSON Schema first; this resolver reads defensively (never panics
//! on unexpected shapes) and reports only what a schema cannot: references between sections.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::read::Reader;
use super::*;
use crate::diagnostics::{Diagnostic, Label};
use crate::source::{Entry, Node, NodeKind, SourceFile};
pub(crate) use config::ENV_WORKER_KEYS;
use config::*;
use isolation::Scope;

mod checks;
mod config;
mod env;
mod isolation;

/// Rule name for references that point nowhere (binding targets, class hosts, env overrides).
pub const UNRESOLVED: &str = "unresolved-reference";
/// Rule name for ids and class names declared twice.
pub const DUPLICATE: &str = "duplicate-id";

pub fn resolve(file: &Arc<SourceFile>, root: &Node) -> (Option<Project>, Vec<Diagnostic>) {
    let mut cx = Cx {
        r: Reader::new(file),
        production_names: isolation::production_names(root),
        shared_identities: Vec::new(),
    };
    // The schema already reported every type error; do not report them twice.
    cx.r.quiet = true;
    if root.as_map().is_none() {
        return (None, Vec::new());
    }
    let project = cx.project(root);
    let mut diagnostics = cx.r.diagnostics;
    diagnostics.sort_by_key(Diagnostic::sort_key);
    (Some(project), diagnostics)
}

struct Cx<'a> {
    r: Reader<'a>,
    /// `lint.options.production-shares-state.production_envs` (None: the default names).
    production_names: Option<Vec<String>>,
    /// Ids and names of the resources non-production envs share on purpose (`shared:`).
    shared_identities: Vec<String>,
}

/// A `cloudflare_worker` resource before resolution.
struct WorkerDecl<'n> {
    id: Sp<String>,
    script_name: Sp<String>,
    node: &'n Node,
    config: Option<&'n Node>,
}

impl<'a> Cx<'a> {
    fn file(&self) -> &'a Arc<SourceFile> {
        self.r.file
    }

    fn report(&mut self, d: Diagnostic) {
        self.r.diagnostics.push(d);
    }

    fn project(&mut self, root: &Node) -> Project {
        let project_name = self.r.string(root, "", "project_name");
        let lifecycle_mode = match root.get("lifecycle").and_then(Node::as_str) {
            Some("exports") => LifecycleMode::Exports,
            _ => LifecycleMode::Migrations,
        };
        let resource_nodes: Vec<&Node> = root
            .get("resources")
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter(|n| n.as_map().is_some()).collect())
            .unwrap_or_default();

        // Resources by id; duplicates are reported at the second one.
        let mut by_id: HashMap<String, &Node> = HashMap::new();
        let mut workers: Vec<WorkerDecl> = Vec::new();
        let mut resources: Vec<Resource> = Vec::new();
        let worker_count = resource_nodes
            .iter()
            .filter(|n| n.get("type").and_then(Node::as_str) == Some("cloudflare_worker"))
            .count();
        for node in &resource_nodes {
            let Some(id) = self.r.string(node, "resources[]", "id") else {
                continue;
            };
            if let Some(first) = by_id.get(&id.value) {
                let d = Diagnostic::error(
                    DUPLICATE,
                    format!("resource id `{}` is used twice", id.value),
                    Label::new(self.file(), id.span),
                )
                .with_secondary(
                    Label::new(self.file(), first.get("id").map_or(first.span, |n| n.span))
                        .with_message("first used here"),
                )
                .with_help("give every resource its own id; bindings refer to resources by id");
                self.report(d);
                continue;
            }
            by_id.insert(id.value.clone(), node);
            let kind = node.get("type").and_then(Node::as_str).unwrap_or_default();
            if kind == "cloudflare_worker" {
                let name = self.r.string(node, "", "name");
                if name.is_none() && worker_count > 1 {
                    let d = Diagnostic::error(
                        "schema",
                        format!("worker `{}` has no `name`, and the blueprint has {worker_count} workers", id.value),
                        Label::new(self.file(), id.span),
                    )
                    .with_help("give every worker its own script `name`; only a single worker defaults to `project_name`");
                    self.report(d);
                }
                // After reporting, resolve as `<project>-<id>` so later checks still run.
                let script_name = name
                    .or_else(|| (worker_count == 1).then(|| project_name.clone()).flatten())
                    .unwrap_or_else(|| {
                        let base = project_name.as_ref().map_or("worker", |p| p.as_str());
                        Sp::new(format!("{base}-{}", id.value), id.span)
                    });
                workers.push(WorkerDecl {
                    id,
                    script_name,
                    node,
                    config: node.get("config").filter(|c| c.as_map().is_some()),
                });
            } else if let Some(kind_node) = node.get("type") {
                resources.push(Resource {
                    id,
                    kind: Sp::new(kind.to_owned(), kind_node.span),
                    config: node.get("config").cloned(),
                    shared: isolation::shared_of(node),
                    span: node.span,
                });
            }
        }

        let classes = self.classes(root, &workers);
        let env_nodes: Vec<&Entry> = root
            .get("environments")
            .and_then(Node::as_map)
            // `production:` with nothing under it is an environment without overrides.
            .map(|m| {
                m.iter()
                    .filter(|e| e.value.as_map().is_some() || e.value.is_null())
                    .collect()
            })
            .unwrap_or_default();
        self.check_env_overrides(&env_nodes, &by_id);

        let lifecycle = self.lifecycle(root);
        let mut resolved = Vec::new();
        for w in &workers {
            let mut envs =
                vec![self.env(root, w, None, &workers, &classes, &resources, &lifecycle)];
            for e in &env_nodes {
                envs.push(self.env(root, w, Some(e), &workers, &classes, &resources, &lifecycle));
            }
            let upstream = self.upstream(root, w);
            resolved.push(Worker {
                id: Some(w.id.clone()),
                span: w.node.span,
                envs,
                upstream,
            });
        }
        self.check_bindings(root, &workers, &classes, &by_id);
        let mut lint = self.lint(root);
        let shared = std::mem::take(&mut self.shared_identities);
        isolation::declare_shared(&mut lint, shared, root.span);

        Project {
            file: Arc::clone(self.file()),
            kind: ProjectKind::Blueprint,
            workers: resolved,
            classes,
            resources,
            lint,
            project_name,
            lifecycle_mode,
        }
    }

    fn lifecycle(&mut self, root: &Node) -> Lifecycle {
        let mut lc = Lifecycle::default();
        match root.entry("migrations") {
            Some(e) if e.value.as_seq().is_some_and(|s| !s.is_empty()) => {
                lc.migrations_origin = Some(KeyOrigin {
                    origin: Origin::Own,
                    key_span: Some(e.key_span),
                });
                for item in e.value.as_seq().unwrap_or_default() {
                    if item.as_map().is_some() {
                        lc.migrations.push(super::wrangler::read_migration_node(
                            &mut self.r,
                            "migrations",
                            item,
                        ));
                    }
                }
            }
            _ => lc.planned = true,
        }
        lc
    }

    fn lint(&mut self, root: &Node) -> LintSettings {
        let Some(lint) = root.get("lint") else {
            return LintSettings::default();
        };
        LintSettings {
            allow: self.r.strings(lint, "lint", "allow"),
            warn: self.r.strings(lint, "lint", "warn"),
            deny: self.r.strings(lint, "lint", "deny"),
            options: lint
                .get("options")
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{self, Format, Limits};

    fn resolve_text(text: &str) -> (Project, Vec<Diagnostic>) {
        let file = SourceFile::new("blueprint.yaml", Format::Blueprint, text.to_owned());
        let root = source::parse(&file, &Limits::default()).unwrap();
        let (p, d) = resolve(&file, &root);
        (p.unwrap(), d)
    }

    const MULTI: &str = r#"
project_name: shop
provider: cloudflare
compatibility_date: "2025-10-08"
resources:
  - { id: api, type: cloudflare_worker, name: shop-api }
  - { id: jobs, type: cloudflare_worker, name: shop-jobs }
  - { id: cache, type: cloudflare_kv_namespace, config: { id: "0f2ac7d1e3b94c55a1b2c3d4e5f60718" } }
  - { id: exports, type: cloudflare_queue, config: { queue: shop-exports } }
durable_objects:
  - { class_name: Cart, worker: api, kind: session, instances: { key: "{header:X-User}" } }
bindings:
  - { worker: api, name: CART, target: Cart }
  - { worker: jobs, name: CART, target: Cart }
  - { worker: api, name: CACHE, target: cache }
  - { worker: api, name: EXPORTS, target: exports, role: producer }
  - { worker: jobs, target: exports, role: consumer, config: { max_batch_size: 10 } }
  - { worker: api, name: JOBS, target: jobs }
vars: { LOG_LEVEL: info }
secrets: [STRIPE_KEY]
environments:
  staging:
    vars: { LOG_LEVEL: debug }
    resources:
      cache: { id: "aa2ac7d1e3b94c55a1b2c3d4e5f60718" }
"#;

    #[test]
    fn workers_bindings_and_envs_resolve() {
        let (p, d) = resolve_text(MULTI);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(p.workers.len(), 2);
        let api = &p.workers[0];
        assert_eq!(api.name().unwrap().value, "shop-api");
        assert_eq!(p.workers[1].name().unwrap().value, "shop-jobs");
        let top = api.top();
        let names: Vec<_> = top.bindings.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["CART", "CACHE", "EXPORTS", "JOBS"]);
        assert!(top.lifecycle.planned);

        let jobs_staging = p.workers[1].env(Some("staging")).unwrap();
        let (_, cart) = jobs_staging.durable_objects().next().unwrap();
        assert_eq!(cart.script_name.as_ref().unwrap().value, "shop-api-staging");
        assert_eq!(jobs_staging.queue_consumers.len(), 1);

        let staging = api.env(Some("staging")).unwrap();
        let kv = staging
            .bindings
            .iter()
            .find(|b| b.name.value == "CACHE")
            .unwrap();
        match &kv.kind {
            BindingKind::KvNamespace { id, .. } => {
                assert!(id.as_ref().unwrap().value.starts_with("aa2a"))
            }
            other => panic!("{other:?}"),
        }
        let level = staging
            .vars
            .iter()
            .find(|v| v.name.value == "LOG_LEVEL")
            .unwrap();
        assert_eq!(level.value, VarValue::Text("debug".into()));
        assert_eq!(staging.secrets.len(), 1);
        assert!(staging.missing_non_inheritable.is_empty());
    }

    #[test]
    fn environment_secrets_add_to_the_top_level_ones() {
        let text = MULTI.replace(
            "    vars: { LOG_LEVEL: debug }\n",
            "    vars: { LOG_LEVEL: debug }\n    secrets: [MAPBOX_API_KEY, STRIPE_KEY]\n",
        );
        let (p, d) = resolve_text(&text);
        assert!(d.is_empty(), "{d:?}");
        let names = |env: Option<&str>| -> Vec<String> {
            p.workers[0]
                .env(env)
                .unwrap()
                .secrets
                .iter()
                .map(|s| s.value.clone())
                .collect()
        };
        assert_eq!(names(None), ["STRIPE_KEY"]);
        assert_eq!(names(Some("staging")), ["STRIPE_KEY", "MAPBOX_API_KEY"]);
    }

    #[test]
    fn dangling_references_are_reported() {
        let text = MULTI
            .replace("target: cache }", "target: cahce }")
            .replace("cache: { id", "cach: { id");
        let (_, d) = resolve_text(&text);
        let msgs: Vec<_> = d
            .iter()
            .map(|d| (d.rule.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs.iter().all(|(r, _)| *r == UNRESOLVED));
        assert!(d
            .iter()
            .any(|d| d.help.as_deref() == Some("did you mean `cache`?")));
    }

    #[test]
    fn several_workers_need_names() {
        let (p, d) = resolve_text(&MULTI.replace(", name: shop-jobs }", " }"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("worker `jobs` has no `name`"));
        assert_eq!(p.workers[1].name().unwrap().value, "shop-jobs");
    }

    #[test]
    fn raw_services_and_queues_in_worker_config_are_bindings() {
        let text = MULTI.replace(
            "name: shop-jobs }",
            "name: shop-jobs, config: { services: [{ binding: API, service: shop-api }], queues: { producers: [{ binding: MAIL, queue: mail }], consumers: [{ queue: mail }] } } }",
        );
        let (p, d) = resolve_text(&text);
        assert!(d.is_empty(), "{d:?}");
        let jobs = p.workers[1].env(Some("staging")).unwrap();
        let kinds: Vec<_> = jobs
            .bindings
            .iter()
            .map(|b| (b.name.as_str(), b.wrangler_key()))
            .collect();
        assert!(kinds.contains(&("API", "services")), "{kinds:?}");
        assert!(kinds.contains(&("MAIL", "queues")), "{kinds:?}");
        let queues: Vec<_> = jobs
            .queue_consumers
            .iter()
            .filter_map(|c| c.queue.as_ref().map(|q| q.as_str()))
            .collect();
        // The blueprint's queue is staging's own (isolation); the raw one is as written.
        assert_eq!(queues, ["shop-exports-staging", "mail"]);
    }

    #[test]
    fn an_empty_environment_entry_is_an_environment() {
        let (p, d) = resolve_text(&format!("{MULTI}  production:\n"));
        assert!(d.is_empty(), "{d:?}");
        let prod = p.workers[0].env(Some("production")).unwrap();
        assert_eq!(
            prod.script_name.as_ref().unwrap().value,
            "shop-api-production"
        );
        assert_eq!(prod.bindings.len(), p.workers[0].top().bindings.len());
    }

    #[test]
    fn settings_extras_and_env_overrides_reach_the_model() {
        let text = r#"
project_name: shop
provider: cloudflare
resources:
  - id: api
    type: cloudflare_worker
    config:
      observability: { enabled: true }
      limits: { cpu_ms: 50 }
      workers_dev: false
      routes: ["shop.example.com/*"]
  - { id: db, type: cloudflare_d1_database, config: { database_id: "8d5c8c1e-2f4b-4f43-9b0e-3f3c3d9e6a11", migrations_table: d1_migrations } }
  - { id: search, type: cloudflare_vectorize_index }
  - { id: q, type: cloudflare_queue, config: { delivery_delay: 5 } }
  - { id: limit, type: cloudflare_rate_limit, config: { namespace_id: "1001", simple: { limit: 10, period: 60 } } }
bindings:
  - { name: DB, target: db, config: { remote: true } }
  - { name: SEARCH, target: search }
  - { name: Q, target: q }
  - { name: LIMIT, target: limit }
secrets: [A_KEY]
environments:
  staging:
    observability: { enabled: false }
    secrets: [B_KEY]
    resources:
      api: { routes: ["staging.example.com/*"], placement: { mode: smart } }
"#;
        let (p, d) = resolve_text(text);
        assert!(d.is_empty(), "{d:?}");
        let w = &p.workers[0];
        let keys = |e: &Env| -> Vec<(String, serde_json::Value)> {
            e.settings
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect()
        };
        let top = w.top();
        assert_eq!(
            keys(top),
            [
                ("observability".into(), serde_json::json!({"enabled": true})),
                ("limits".into(), serde_json::json!({"cpu_ms": 50})),
            ]
        );
        let staging = w.env(Some("staging")).unwrap();
        assert_eq!(
            keys(staging),
            [
                (
                    "observability".into(),
                    serde_json::json!({"enabled": false})
                ),
                ("limits".into(), serde_json::json!({"cpu_ms": 50})),
                ("placement".into(), serde_json::json!({"mode": "smart"})),
            ]
        );
        assert_eq!(staging.routes[0].pattern.value, "staging.example.com/*");
        assert_eq!(staging.origins["routes"].origin, Origin::Own);
        assert_eq!(top.routes[0].pattern.value, "shop.example.com/*");
        assert!(!staging.workers_dev.as_ref().unwrap().value);
        let secrets: Vec<_> = staging.secrets.iter().map(|s| s.as_str()).collect();
        assert_eq!(secrets, ["A_KEY", "B_KEY"]);
        assert_eq!(top.secrets.len(), 1);

        let extra = |name: &str| -> (String, Vec<(String, serde_json::Value)>) {
            let b = top.bindings.iter().find(|b| b.name.value == name).unwrap();
            (
                b.wrangler_key().to_owned(),
                b.extra
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            )
        };
        assert_eq!(
            extra("DB"),
            (
                "d1_databases".into(),
                vec![
                    (
                        "migrations_table".into(),
                        serde_json::json!("d1_migrations")
                    ),
                    ("remote".into(), serde_json::json!(true)),
                ]
            )
        );
        assert_eq!(
            extra("SEARCH"),
            (
                "vectorize".into(),
                vec![("index_name".into(), serde_json::json!("search"))]
            )
        );
        assert_eq!(
            extra("Q"),
            (
                "queues".into(),
                vec![("delivery_delay".into(), serde_json::json!(5))]
            )
        );
        assert_eq!(extra("LIMIT").0, "ratelimits");
        assert_eq!(extra("LIMIT").1.len(), 2);
    }

    const STATEFUL: &str = r#"
project_name: shop
provider: cloudflare
resources:
  - { id: api, type: cloudflare_worker }
  - { id: cache, type: cloudflare_kv_namespace, config: { id: "0f2ac7d1e3b94c55a1b2c3d4e5f60718", preview_id: "1f2ac7d1e3b94c55a1b2c3d4e5f60718" } }
  - { id: flags, type: cloudflare_kv_namespace, shared: true, config: { id: "2f2ac7d1e3b94c55a1b2c3d4e5f60718" } }
  - { id: files, type: cloudflare_r2_bucket, config: { bucket_name: shop-files, preview_bucket_name: shop-files-dev } }
  - { id: geo, type: cloudflare_r2_bucket, shared: [staging] }
  - { id: db, type: cloudflare_d1_database, config: { database_name: shop, database_id: "8d5c8c1e-2f4b-4f43-9b0e-3f3c3d9e6a11" } }
  - { id: jobs, type: cloudflare_queue }
  - { id: pg, type: cloudflare_hyperdrive, config: { id: "a1b2c3d4e5f60718293a4b5c6d7e8f90" } }
bindings:
  - { name: CACHE, target: cache }
  - { name: FLAGS, target: flags }
  - { name: FILES, target: files }
  - { name: GEO, target: geo }
  - { name: DB, target: db }
  - { name: JOBS, target: jobs }
  - { target: jobs, role: consumer }
  - { name: PG, target: pg }
environments:
  staging:
    resources:
      files: { bucket_name: shop-files-test }
  dev_eu:
  prod-eu:
  production:
"#;

    /// (binding, its resource's identity as a string) in one env.
    /// `lint.options.production-shares-state.shared`, after the resolver added to it.
    fn shared_option(p: &Project) -> Vec<&str> {
        p.lint.options["production-shares-state"]
            .get("shared")
            .and_then(Node::as_seq)
            .unwrap()
            .iter()
            .filter_map(Node::as_str)
            .collect()
    }

    fn identities(p: &Project, env: &str) -> Vec<(String, String)> {
        let env = p.workers[0].env(Some(env)).unwrap();
        let s = |o: &Option<Sp<String>>| o.as_ref().map_or("-".to_owned(), |v| v.value.clone());
        let mut out: Vec<(String, String)> = env
            .bindings
            .iter()
            .map(|b| {
                let id = match &b.kind {
                    BindingKind::KvNamespace { id, preview_id } => {
                        format!("{}/{}", s(id), s(preview_id))
                    }
                    BindingKind::R2Bucket {
                        bucket_name,
                        preview_bucket_name,
                        ..
                    } => format!("{}/{}", s(bucket_name), s(preview_bucket_name)),
                    BindingKind::D1Database {
                        database_name,
                        database_id,
                        ..
                    } => format!("{}/{}", s(database_name), s(database_id)),
                    BindingKind::QueueProducer { queue } => s(queue),
                    _ => b.extra[0].1.as_str().unwrap_or_default().to_owned(),
                };
                (b.name.value.clone(), id)
            })
            .collect();
        for c in &env.queue_consumers {
            out.push(("(consumer)".into(), s(&c.queue)));
        }
        out
    }

    #[test]
    fn non_production_envs_get_their_own_stateful_resources() {
        let (p, d) = resolve_text(STATEFUL);
        assert!(d.is_empty(), "{d:?}");
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect()
        };
        let production = pairs(&[
            (
                "CACHE",
                "0f2ac7d1e3b94c55a1b2c3d4e5f60718/1f2ac7d1e3b94c55a1b2c3d4e5f60718",
            ),
            ("FLAGS", "2f2ac7d1e3b94c55a1b2c3d4e5f60718/-"),
            ("FILES", "shop-files/shop-files-dev"),
            ("GEO", "geo/-"),
            ("DB", "shop/8d5c8c1e-2f4b-4f43-9b0e-3f3c3d9e6a11"),
            ("JOBS", "jobs"),
            ("PG", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
            ("(consumer)", "jobs"),
        ]);
        // Production (also as a part of a longer name) keeps what is configured.
        assert_eq!(identities(&p, "production"), production);
        assert_eq!(identities(&p, "prod-eu"), production);
        // Staging: its own KV (no id) and D1 (own name, no id); its own bucket for `files`;
        // the shared KV and the bucket shared with staging stay production's; Hyperdrive is
        // kept (the lint asks for an id of its own).
        assert_eq!(
            identities(&p, "staging"),
            pairs(&[
                ("CACHE", "-/-"),
                ("FLAGS", "2f2ac7d1e3b94c55a1b2c3d4e5f60718/-"),
                ("FILES", "shop-files-test/shop-files-dev"),
                ("GEO", "geo/-"),
                ("DB", "shop-staging/-"),
                ("JOBS", "jobs-staging"),
                ("PG", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
                ("(consumer)", "jobs-staging"),
            ])
        );
        // `_` is not a bucket or queue name character; `geo` is shared with staging only.
        let dev = identities(&p, "dev_eu");
        assert!(
            dev.contains(&("FILES".into(), "shop-files-dev-eu/-".into())),
            "{dev:?}"
        );
        assert!(
            dev.contains(&("GEO".into(), "geo-dev-eu/-".into())),
            "{dev:?}"
        );
        assert!(
            dev.contains(&("(consumer)".into(), "jobs-dev-eu".into())),
            "{dev:?}"
        );
        // What is shared on purpose is declared to production-shares-state.
        let shared = shared_option(&p);
        assert_eq!(shared, ["2f2ac7d1e3b94c55a1b2c3d4e5f60718", "geo"]);
    }

    #[test]
    fn production_envs_option_decides_what_is_production() {
        let text = format!(
            "{STATEFUL}lint:
  options:
    production-shares-state:
      production_envs: [staging]
      shared: [GEO]
"
        );
        let (p, d) = resolve_text(&text);
        assert!(d.is_empty(), "{d:?}");
        let staging = identities(&p, "staging");
        assert!(
            staging.contains(&("JOBS".into(), "jobs".into())),
            "{staging:?}"
        );
        let production = identities(&p, "production");
        assert!(
            production.contains(&("JOBS".into(), "jobs-production".into())),
            "{production:?}"
        );
        // The blueprint's own `shared` list is kept, the resolver's appended.
        let shared = shared_option(&p);
        assert_eq!(shared[0], "GEO");
    }

    #[test]
    fn upstream_needs_a_declared_var_and_secret() {
        let text = r#"project_name: gw
provider: cloudflare
resources:
  - id: gw
    type: cloudflare_worker
    upstream: { url: UPSTREAM_URL, bearer: UPSTREAM_TOKEN, timeout: 5s }
vars: { UPSTREAM_URL: "https://api.example.com" }
secrets: [UPSTREAM_TOKEN]
"#;
        let (p, d) = resolve_text(text);
        assert!(d.is_empty(), "{d:?}");
        let u = p.workers[0].upstream.as_ref().unwrap();
        assert_eq!(u.url_var.value, "UPSTREAM_URL");
        assert_eq!(u.bearer_secret.as_ref().unwrap().value, "UPSTREAM_TOKEN");
        let (_, d) = resolve_text(
            &text
                .replace("vars: { UPSTREAM_URL", "vars: { OTHER")
                .replace("secrets: [UPSTREAM_TOKEN]", "secrets: [X]"),
        );
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "upstream url `UPSTREAM_URL` is not a declared var",
                "upstream bearer `UPSTREAM_TOKEN` is not a declared secret"
            ]
        );
    }

    #[test]
    fn seed_002_shorthand_declares_classes() {
        let text = "project_name: realtime-app\nprovider: cloudflare\nresources:\n  - id: main-worker\n    type: cloudflare_worker\n    name: realtime-app\n    config:\n      main: src/index.ts\n      durable_objects:\n        - name: CHAT_ROOM\n          class_name: ChatRoom\n";
        let (p, d) = resolve_text(text);
        assert!(d.is_empty());
        assert_eq!(p.classes.len(), 1);
        assert!(p.classes[0].implicit);
        assert_eq!(p.workers[0].top().durable_objects().count(), 1);
    }
}
