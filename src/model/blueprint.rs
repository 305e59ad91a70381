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
use config::*;

mod config;

/// Rule name for references that point nowhere (binding targets, class hosts, env overrides).
pub const UNRESOLVED: &str = "unresolved-reference";
/// Rule name for ids and class names declared twice.
pub const DUPLICATE: &str = "duplicate-id";

pub fn resolve(file: &Arc<SourceFile>, root: &Node) -> (Option<Project>, Vec<Diagnostic>) {
    let mut cx = Cx {
        r: Reader::new(file),
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
            resolved.push(Worker {
                id: Some(w.id.clone()),
                span: w.node.span,
                envs,
            });
        }
        self.check_bindings(root, &workers, &classes, &by_id);

        Project {
            file: Arc::clone(self.file()),
            kind: ProjectKind::Blueprint,
            workers: resolved,
            classes,
            resources,
            lint: self.lint(root),
            project_name,
            lifecycle_mode,
        }
    }

    /// Classes from `durable_objects:` plus those declared only by a worker's shorthand.
    fn classes(&mut self, root: &Node, workers: &[WorkerDecl]) -> Vec<DoClass> {
        let only_worker = (workers.len() == 1).then(|| workers[0].id.clone());
        let mut out: Vec<DoClass> = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        for node in root
            .get("durable_objects")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(class_name) = self.r.string(node, "", "class_name") else {
                continue;
            };
            if let Some(first) = seen.get(&class_name.value) {
                let d = Diagnostic::error(
                    DUPLICATE,
                    format!(
                        "Durable Object class `{}` is declared twice",
                        class_name.value
                    ),
                    Label::new(self.file(), class_name.span),
                )
                .with_secondary(Label::new(self.file(), *first).with_message("first declared here"))
                .with_help("declare each class once; bind it to more workers with `bindings`");
                self.report(d);
                continue;
            }
            seen.insert(class_name.value.clone(), class_name.span);
            let worker = self.r.string(node, "", "worker");
            if let Some(w) = &worker {
                if !workers.iter().any(|d| d.id.value == w.value) {
                    let d = Diagnostic::error(
                        UNRESOLVED,
                        format!("class `{}` is hosted by `{}`, which is not a cloudflare_worker resource", class_name.value, w.value),
                        Label::new(self.file(), w.span),
                    )
                    .with_help(worker_ids_help(workers));
                    self.report(d);
                }
            } else if workers.len() > 1 {
                let d = Diagnostic::error(
                    UNRESOLVED,
                    format!("class `{}` does not say which worker hosts it, and the blueprint has {} workers", class_name.value, workers.len()),
                    Label::new(self.file(), class_name.span),
                )
                .with_help(format!("add `worker: <resource id>`; {}", worker_ids_help(workers)));
                self.report(d);
            }
            let instances = node
                .get("instances")
                .map(super::instances::parse)
                .unwrap_or_default();
            let transferred_from = node.get("transferred_from").and_then(|t| {
                Some((
                    self.r.string(t, "", "worker")?,
                    self.r.string(t, "", "class")?,
                ))
            });
            out.push(DoClass {
                worker: worker.or_else(|| only_worker.clone()),
                kind: node
                    .get("kind")
                    .and_then(Node::as_str)
                    .and_then(DoKind::parse)
                    .unwrap_or(DoKind::Custom),
                storage: match node.get("storage").and_then(Node::as_str) {
                    Some("kv") => Storage::Kv,
                    _ => Storage::Sqlite,
                },
                instances,
                options: node.get("options").cloned(),
                renamed_from: self.r.string(node, "", "renamed_from"),
                deleted: node.get("deleted").and_then(Node::as_bool).unwrap_or(false),
                transferred_from,
                eject: node.get("eject").and_then(Node::as_bool).unwrap_or(false),
                implicit: false,
                span: node.span,
                class_name,
            });
        }
        // The seed-002 shorthand: `config.durable_objects: [{name, class_name}]` declares the class
        // when `durable_objects:` does not.
        for w in workers {
            for b in shorthand(w) {
                let Some(class_name) = b.get("class_name").and_then(Node::as_str) else {
                    continue;
                };
                if b.get("script_name").is_some() || seen.contains_key(class_name) {
                    continue;
                }
                let span = b.get("class_name").map_or(b.span, |n| n.span);
                seen.insert(class_name.to_owned(), span);
                out.push(DoClass {
                    class_name: Sp::new(class_name.to_owned(), span),
                    worker: Some(w.id.clone()),
                    kind: DoKind::Custom,
                    storage: Storage::Sqlite,
                    instances: Instances::default(),
                    options: None,
                    renamed_from: None,
                    deleted: false,
                    transferred_from: None,
                    eject: false,
                    implicit: true,
                    span: b.span,
                });
            }
        }
        out
    }

    fn check_env_overrides(&mut self, envs: &[&Entry], by_id: &HashMap<String, &Node>) {
        for env in envs {
            for o in env
                .value
                .get("resources")
                .and_then(Node::as_map)
                .unwrap_or_default()
            {
                if !by_id.contains_key(&o.key) {
                    let d = Diagnostic::error(
                        UNRESOLVED,
                        format!(
                            "environment `{}` overrides resource `{}`, which does not exist",
                            env.key, o.key
                        ),
                        Label::new(self.file(), o.key_span),
                    )
                    .with_help("env overrides are keyed by resource id; check the spelling")
                    .with_env(Some(&env.key));
                    self.report(d);
                }
            }
        }
    }

    /// Binding targets must name a class or a resource; consumers need a queue.
    fn check_bindings(
        &mut self,
        root: &Node,
        workers: &[WorkerDecl],
        classes: &[DoClass],
        by_id: &HashMap<String, &Node>,
    ) {
        let worker_ids: HashSet<&str> = workers.iter().map(|d| d.id.value.as_str()).collect();
        let class_names: HashSet<&str> = classes.iter().map(|c| c.class_name.as_str()).collect();
        for b in root
            .get("bindings")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if let Some(w) = b.get("worker").and_then(|n| Some((n.as_str()?, n.span))) {
                if !worker_ids.contains(w.0) {
                    let d = Diagnostic::error(
                        UNRESOLVED,
                        format!(
                            "binding is for worker `{}`, which is not a cloudflare_worker resource",
                            w.0
                        ),
                        Label::new(self.file(), w.1),
                    )
                    .with_help(worker_ids_help(workers));
                    self.report(d);
                }
            } else if workers.len() > 1 && b.get("worker").is_none() {
                let d = Diagnostic::error(
                    UNRESOLVED,
                    "binding does not say which worker it is for, and the blueprint has several workers",
                    Label::new(self.file(), b.span),
                )
                .with_help(format!("add `worker: <resource id>`; {}", worker_ids_help(workers)));
                self.report(d);
            }
            let Some(target) = b.get("target").and_then(|n| Some((n.as_str()?, n.span))) else {
                continue;
            };
            let is_class = class_names.contains(target.0);
            if !is_class && !by_id.contains_key(target.0) {
                let d = Diagnostic::error(
                    UNRESOLVED,
                    format!("binding target `{}` is neither a resource id nor a Durable Object class", target.0),
                    Label::new(self.file(), target.1),
                )
                .with_help(match crate::schema::wrangler_keys::suggest(
                    target.0,
                    by_id.keys().map(String::as_str).chain(classes.iter().map(|c| c.class_name.as_str())),
                ) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "declare the resource under `resources:` or the class under `durable_objects:`".into(),
                });
                self.report(d);
            }
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

    #[allow(clippy::too_many_arguments)]
    fn env(
        &mut self,
        root: &Node,
        w: &WorkerDecl,
        env: Option<&Entry>,
        workers: &[WorkerDecl],
        classes: &[DoClass],
        resources: &[Resource],
        lifecycle: &Lifecycle,
    ) -> Env {
        let env_name = env.map(|e| Sp::new(e.key.clone(), e.key_span));
        let env_node = env.map(|e| &e.value);
        let mut origins = BTreeMap::new();
        let mut set = |key: &str, origin: Origin, span: Option<Span>| {
            origins.insert(
                key.to_owned(),
                KeyOrigin {
                    origin,
                    key_span: span,
                },
            );
        };
        // The worker's config as effective in this env (env overrides applied key by key).
        let wcfg = effective_worker_config(w, env);
        let get = |key: &str| wcfg.iter().find(|s| s.key == key);
        let origin_of = |s: &WorkerSetting| {
            if s.from_env || env.is_none() {
                Origin::Own
            } else {
                Origin::Inherited
            }
        };
        // The effective worker setting, else the project's default.
        let pick = |key: &str| -> Option<(&Node, Origin)> {
            if let Some(s) = get(key) {
                return Some((s.value, origin_of(s)));
            }
            root.get(key).map(|v| (v, inherited(env)))
        };

        let script_name = match &env_name {
            None => Some(w.script_name.clone()),
            Some(e) => Some(Sp::new(
                format!("{}-{}", w.script_name.value, e.value),
                w.script_name.span,
            )),
        };
        set(
            "name",
            if env.is_some() {
                Origin::Default
            } else {
                Origin::Own
            },
            Some(w.script_name.span),
        );
        let main = get("main").and_then(|s| {
            set("main", origin_of(s), Some(s.key_span));
            self.r.str_value("main", s.value)
        });
        let compatibility_date = pick("compatibility_date").and_then(|(v, o)| {
            set("compatibility_date", o, None);
            self.r.str_value("compatibility_date", v)
        });
        let compatibility_flags = pick("compatibility_flags")
            .and_then(|(v, o)| {
                set("compatibility_flags", o, None);
                v.as_seq()
            })
            .unwrap_or_default()
            .iter()
            .filter_map(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span)))
            .collect();
        let routes: Vec<Route> = get("routes")
            .or_else(|| get("route"))
            .map(|s| {
                set("routes", origin_of(s), None);
                routes_of(s.value)
            })
            .unwrap_or_default();
        let crons = get("triggers")
            .and_then(|t| t.value.get("crons"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span)))
            .collect();
        let workers_dev =
            get("workers_dev").and_then(|s| Some(Sp::new(s.value.as_bool()?, s.value.span)));

        let mut bindings = Vec::new();
        let mut queue_consumers = Vec::new();
        let env_str = env.map(|e| e.key.as_str());
        // Indexed by name: a blueprint with thousands of classes and bindings stays linear.
        let worker_by_id = first_by(workers, |d| d.id.value.as_str());
        let class_by_name = first_by(classes, |c| c.class_name.value.as_str());
        let resource_by_id = first_by(resources, |r| r.id.value.as_str());
        let script_of = |worker_id: &str| -> Option<String> {
            let host = *worker_by_id.get(worker_id)?;
            Some(match env_str {
                None => host.script_name.value.clone(),
                Some(e) => format!("{}-{e}", host.script_name.value),
            })
        };
        for b in shorthand(w) {
            let (Some(name), Some(class)) = (b.get("name"), b.get("class_name")) else {
                continue;
            };
            let (Some(name_s), Some(class_s)) = (name.as_str(), class.as_str()) else {
                continue;
            };
            let script_name = b
                .get("script_name")
                .and_then(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span)))
                .or_else(|| {
                    let host = class_by_name.get(class_s)?.worker.as_ref()?;
                    if host.value == w.id.value {
                        return None;
                    }
                    Some(Sp::new(script_of(&host.value)?, class.span))
                });
            bindings.push(Binding {
                name: Sp::new(name_s.to_owned(), name.span),
                kind: BindingKind::DurableObject(DurableObjectBinding {
                    class_name: Sp::new(class_s.to_owned(), class.span),
                    script_name,
                    environment: b
                        .get("environment")
                        .and_then(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span))),
                }),
                span: b.span,
                extra: Vec::new(),
            });
        }
        let only_worker = workers.len() == 1;
        for b in root
            .get("bindings")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let for_worker = match b.get("worker").and_then(Node::as_str) {
                Some(id) => id == w.id.value,
                None => only_worker,
            };
            if !for_worker {
                continue;
            }
            let Some(target) = b.get("target").and_then(|n| Some((n.as_str()?, n.span))) else {
                continue;
            };
            let name = b
                .get("name")
                .and_then(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span)));
            let role = b.get("role").and_then(Node::as_str);
            let bconfig: Vec<(String, &Node)> = b
                .get("config")
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .map(|e| (e.key.clone(), &e.value))
                .collect();
            let bfield = |k: &str| -> Option<Sp<String>> {
                let (_, n) = bconfig.iter().find(|(key, _)| key == k)?;
                Some(Sp::new(n.as_str()?.to_owned(), n.span))
            };
            if let Some(class) = class_by_name.get(target.0) {
                let Some(name) = name else { continue };
                let script_name = class
                    .worker
                    .as_ref()
                    .filter(|h| h.value != w.id.value)
                    .and_then(|h| Some(Sp::new(script_of(&h.value)?, target.1)));
                bindings.push(Binding {
                    name,
                    kind: BindingKind::DurableObject(DurableObjectBinding {
                        class_name: Sp::new(class.class_name.value.clone(), target.1),
                        script_name,
                        environment: bfield("environment"),
                    }),
                    span: b.span,
                    extra: untyped(&bconfig, &["environment", "script_name"]),
                });
                continue;
            }
            if let Some(host) = worker_by_id.get(target.0) {
                let Some(name) = name else { continue };
                bindings.push(Binding {
                    name,
                    kind: BindingKind::Service {
                        service: script_of(&host.id.value).map(|s| Sp::new(s, target.1)),
                        environment: bfield("environment"),
                        entrypoint: bfield("entrypoint"),
                    },
                    span: b.span,
                    extra: untyped(&bconfig, &["entrypoint", "environment", "service"]),
                });
                continue;
            }
            let Some(&res) = resource_by_id.get(target.0) else {
                continue;
            };
            let cfg = effective_config(res, env);
            let field = |k: &str| -> Option<Sp<String>> {
                let (_, n) = cfg.iter().find(|(key, _)| key == k)?;
                Some(Sp::new(n.as_str()?.to_owned(), n.span))
            };
            // Cloudflare-side names default to the resource id (docs/blueprint.md).
            let named = |k: &str| field(k).or_else(|| Some(res.id.clone()));
            // The resource's untyped config keys, then the binding's own settings.
            let extra_of = |typed: &[&str]| -> Vec<(String, Node)> {
                let mut out = untyped(&cfg, typed);
                for (k, v) in untyped(&bconfig, typed) {
                    match out.iter_mut().find(|(key, _)| *key == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                }
                out
            };
            let (kind, extra) = match res.kind.as_str() {
                "cloudflare_kv_namespace" => (
                    BindingKind::KvNamespace {
                        id: field("id"),
                        preview_id: field("preview_id"),
                    },
                    extra_of(&["id", "preview_id"]),
                ),
                "cloudflare_r2_bucket" => (
                    BindingKind::R2Bucket {
                        bucket_name: named("bucket_name"),
                        preview_bucket_name: field("preview_bucket_name"),
                        jurisdiction: field("jurisdiction"),
                    },
                    extra_of(&["bucket_name", "preview_bucket_name", "jurisdiction"]),
                ),
                "cloudflare_d1_database" => (
                    BindingKind::D1Database {
                        database_name: named("database_name"),
                        database_id: field("database_id"),
                        preview_database_id: field("preview_database_id"),
                        migrations_dir: field("migrations_dir"),
                    },
                    extra_of(&[
                        "database_name",
                        "database_id",
                        "preview_database_id",
                        "migrations_dir",
                    ]),
                ),
                "cloudflare_queue" if role == Some("consumer") => {
                    queue_consumers.push(QueueConsumer {
                        queue: named("queue"),
                        span: b.span,
                        settings: b.get("config").cloned(),
                    });
                    continue;
                }
                "cloudflare_queue" => (
                    BindingKind::QueueProducer {
                        queue: named("queue"),
                    },
                    extra_of(&["queue"]),
                ),
                "cloudflare_analytics_engine_dataset" => (
                    BindingKind::AnalyticsEngine {
                        dataset: named("dataset"),
                    },
                    extra_of(&["dataset"]),
                ),
                other => {
                    let key = other_binding_key(other);
                    let mut extra = extra_of(&[]);
                    // Names that default to the resource id (docs/blueprint.md).
                    let default_name = match key.as_str() {
                        "vectorize" => Some("index_name"),
                        "workflows" => Some("name"),
                        _ => None,
                    };
                    if let Some(k) = default_name {
                        if !extra.iter().any(|(key, _)| key == k) {
                            let id = Node::new(NodeKind::Str(res.id.value.clone()), res.id.span);
                            extra.insert(0, (k.to_owned(), id));
                        }
                    }
                    (BindingKind::Other { key }, extra)
                }
            };
            let Some(name) = name else { continue };
            bindings.push(Binding {
                name,
                kind,
                span: b.span,
                extra,
            });
        }
        raw_queue_and_service_bindings(
            get("services").map(|s| s.value),
            get("queues").map(|s| s.value),
            &mut bindings,
            &mut queue_consumers,
        );
        for key in [
            "durable_objects",
            "kv_namespaces",
            "r2_buckets",
            "d1_databases",
            "queues",
            "services",
            "analytics_engine_datasets",
        ] {
            if bindings_have(&bindings, &queue_consumers, key) {
                set(key, Origin::Own, None);
            }
        }

        // Vars: the project's, overlaid by the worker's, overlaid by the env's (the env's own
        // `vars`, then its `resources.<worker id>.vars`).
        let mut vars: Vec<Var> = Vec::new();
        let layers = [
            root.get("vars"),
            w.config.and_then(|c| c.get("vars")),
            env_node.and_then(|e| e.get("vars")),
            worker_override(w, env).and_then(|o| o.get("vars")),
        ];
        for layer in layers.into_iter().flatten() {
            for e in layer.as_map().unwrap_or_default() {
                let value = match &e.value.kind {
                    NodeKind::Str(s) => VarValue::Text(s.clone()),
                    _ => VarValue::Json(e.value.to_json()),
                };
                let var = Var {
                    name: Sp::new(e.key.clone(), e.key_span),
                    value,
                    span: e.value.span,
                };
                match vars.iter_mut().find(|v| v.name.value == e.key) {
                    Some(v) => *v = var,
                    None => vars.push(var),
                }
            }
        }
        if !vars.is_empty() {
            set("vars", Origin::Own, None);
        }
        // Secrets: the project's, plus the env's own (`environments.<name>.secrets`: needed in
        // that environment in addition to the top-level ones). A name repeated in both layers
        // is kept once, at its top-level position.
        let mut secrets: Vec<Sp<String>> = Vec::new();
        for layer in [root.get("secrets"), env_node.and_then(|e| e.get("secrets"))]
            .into_iter()
            .flatten()
        {
            for n in layer.as_seq().unwrap_or_default() {
                let Some(name) = n.as_str() else { continue };
                if !secrets.iter().any(|s| s.value == name) {
                    secrets.push(Sp::new(name.to_owned(), n.span));
                }
            }
        }
        let assets = get("assets").map(|s| s.value).map(|a| Assets {
            binding: a
                .get("binding")
                .and_then(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span))),
            directory: a
                .get("directory")
                .and_then(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span))),
            span: a.span,
        });
        if let Some(b) = assets.as_ref().and_then(|a| a.binding.clone()) {
            bindings.push(Binding {
                name: b,
                kind: BindingKind::Assets,
                span: assets.as_ref().map_or(w.node.span, |a| a.span),
                extra: Vec::new(),
            });
        }
        // `containers` is passed through from the Worker's config and repeated in every env.
        let containers = get("containers")
            .and_then(|s| s.value.as_seq())
            .unwrap_or_default()
            .iter()
            .filter(|n| n.as_map().is_some())
            .map(|n| {
                let s = |k: &str| {
                    n.get(k)
                        .and_then(|x| Some(Sp::new(x.as_str()?.to_owned(), x.span)))
                };
                Container {
                    name: s("name"),
                    class_name: s("class_name"),
                    span: n.span,
                }
            })
            .collect();
        let settings = wcfg
            .iter()
            .filter(|s| !TYPED_WORKER_KEYS.contains(&s.key.as_str()))
            .map(|s| (s.key.clone(), s.value.clone()))
            .collect();
        let mut lifecycle = lifecycle.clone();
        if env.is_some() {
            if let Some(o) = lifecycle.migrations_origin.as_mut() {
                o.origin = Origin::Inherited;
            }
        }
        Env {
            name: env_name,
            span: env.map_or(w.node.span, |e| e.value.span),
            script_name,
            main,
            compatibility_date,
            compatibility_flags,
            routes,
            workers_dev,
            crons,
            bindings,
            queue_consumers,
            vars,
            secrets,
            assets,
            containers,
            lifecycle,
            settings,
            origins,
            // The generator repeats every non-inheritable key per env, so none can go missing.
            missing_non_inheritable: Vec::new(),
        }
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
        assert_eq!(queues, ["shop-exports", "mail"]);
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
