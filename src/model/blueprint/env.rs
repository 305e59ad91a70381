//! One Worker's effective configuration in one environment (or the top level): its settings,
//! bindings (staging isolation applied, see `isolation.rs`), vars, secrets and the rest.

use super::*;

impl Cx<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn env(
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
            let scope = isolation::scope(res, env, self.production_names.as_deref());
            // A non-production env's own resource, or production's when shared on purpose.
            let mut scoped = |kind: &mut BindingKind, extra: &[(String, Node)]| match &scope {
                Scope::Production => {}
                Scope::Shared => self
                    .shared_identities
                    .extend(isolation::identities(kind, extra)),
                Scope::Isolated { suffix } => {
                    isolation::isolate(kind, suffix, |k| isolation::env_sets(res, env, k))
                }
            };
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
                    // Scoped as the env's producers are: a consumer reads its env's queue.
                    let mut kind = BindingKind::QueueProducer {
                        queue: named("queue"),
                    };
                    scoped(&mut kind, &[]);
                    let BindingKind::QueueProducer { queue } = kind else {
                        continue;
                    };
                    queue_consumers.push(QueueConsumer {
                        queue,
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
            let mut kind = kind;
            scoped(&mut kind, &extra);
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
}
