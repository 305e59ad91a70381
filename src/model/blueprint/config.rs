//! Helpers of the blueprint resolver: effective configs (a resource's or Worker's config with an
//! environment's overrides applied), the untyped keys passed through to wrangler, the seed-002
//! shorthand, raw queue and service bindings, and small lookups.

use super::*;

pub(super) fn inherited(env: Option<&Entry>) -> Origin {
    if env.is_some() {
        Origin::Inherited
    } else {
        Origin::Own
    }
}

/// Index `items` by `key`, keeping the first of duplicates (as a linear `find` would; duplicates
/// are reported elsewhere).
pub(super) fn first_by<'a, T>(
    items: &'a [T],
    key: impl Fn(&'a T) -> &'a str,
) -> HashMap<&'a str, &'a T> {
    let mut map = HashMap::with_capacity(items.len());
    for item in items {
        map.entry(key(item)).or_insert(item);
    }
    map
}

pub(super) fn worker_ids_help(workers: &[WorkerDecl]) -> String {
    let ids: Vec<&str> = workers.iter().map(|w| w.id.as_str()).collect();
    if ids.is_empty() {
        "the blueprint declares no `cloudflare_worker` resource".to_owned()
    } else {
        format!("worker resource ids: {}", ids.join(", "))
    }
}

pub(super) fn bindings_have(bindings: &[Binding], consumers: &[QueueConsumer], key: &str) -> bool {
    (key == "queues" && !consumers.is_empty()) || bindings.iter().any(|b| b.wrangler_key() == key)
}

/// Raw wrangler `services` and `queues` in a worker's effective `config` (passed through to every
/// environment): they connect workers and queues just like `bindings` entries do.
pub(super) fn raw_queue_and_service_bindings(
    services: Option<&Node>,
    queues: Option<&Node>,
    bindings: &mut Vec<Binding>,
    consumers: &mut Vec<QueueConsumer>,
) {
    let s = |n: &Node, k: &str| {
        n.get(k)
            .and_then(|v| Some(Sp::new(v.as_str()?.to_owned(), v.span)))
    };
    fn items(n: Option<&Node>) -> Vec<&Node> {
        n.and_then(Node::as_seq)
            .map(|s| s.iter().filter(|n| n.as_map().is_some()).collect())
            .unwrap_or_default()
    }
    // The entry's keys beyond the typed ones, emitted verbatim by the generator.
    let rest = |n: &Node, typed: &[&str]| -> Vec<(String, Node)> {
        n.as_map()
            .unwrap_or_default()
            .iter()
            .filter(|e| !typed.contains(&e.key.as_str()))
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect()
    };
    for item in items(services) {
        let Some(name) = s(item, "binding") else {
            continue;
        };
        bindings.push(Binding {
            name,
            kind: BindingKind::Service {
                service: s(item, "service"),
                environment: s(item, "environment"),
                entrypoint: s(item, "entrypoint"),
            },
            span: item.span,
            extra: rest(item, &["binding", "service", "environment", "entrypoint"]),
        });
    }
    for item in items(queues.and_then(|q| q.get("producers"))) {
        let Some(name) = s(item, "binding") else {
            continue;
        };
        bindings.push(Binding {
            name,
            kind: BindingKind::QueueProducer {
                queue: s(item, "queue"),
            },
            span: item.span,
            extra: rest(item, &["binding", "queue"]),
        });
    }
    for item in items(queues.and_then(|q| q.get("consumers"))) {
        consumers.push(QueueConsumer {
            queue: s(item, "queue"),
            span: item.span,
            settings: Some(item.clone()),
        });
    }
}

/// Worker `config` keys the model reads into typed [`Env`] fields (everything else is carried in
/// [`Env::settings`]). `triggers`, `assets` and `containers` are typed only in part, so they stay
/// in the settings too.
pub(super) const TYPED_WORKER_KEYS: &[&str] = &[
    "main",
    "compatibility_date",
    "compatibility_flags",
    "routes",
    "route",
    "workers_dev",
    "durable_objects",
    "vars",
    "services",
    "queues",
    // Refused by the schema in a Worker config (they have their own blueprint sections).
    "name",
    "env",
    "migrations",
    "exports",
];

/// Worker settings an environment may set directly (`environments.<env>.routes`, …): they apply
/// to the blueprint's Worker(s), under `resources.<worker id>` overrides. (`doforge import`
/// maps a wrangler env's keys to these.)
pub(crate) const ENV_WORKER_KEYS: &[&str] = &[
    "compatibility_date",
    "compatibility_flags",
    "routes",
    "route",
    "workers_dev",
    "triggers",
    "observability",
];

/// One key of a worker's effective config.
pub(super) struct WorkerSetting<'n> {
    pub(super) key: String,
    pub(super) key_span: Span,
    pub(super) value: &'n Node,
    /// Set by the environment (not inherited from the worker's own config).
    pub(super) from_env: bool,
}

/// `environments.<env>.resources.<worker id>`: the env's overrides of this worker's config.
pub(super) fn worker_override<'n>(w: &WorkerDecl<'n>, env: Option<&'n Entry>) -> Option<&'n Node> {
    env?.value
        .get("resources")?
        .get(&w.id.value)
        .filter(|o| o.as_map().is_some())
}

/// A worker's `config` as effective in `env`: its own keys, overlaid key by key (values replace,
/// never merge, as wrangler's inheritable keys do) by the env's worker keys ([`ENV_WORKER_KEYS`])
/// and then by `environments.<env>.resources.<worker id>`. `routes` and `route` replace each other.
pub(super) fn effective_worker_config<'n>(
    w: &WorkerDecl<'n>,
    env: Option<&'n Entry>,
) -> Vec<WorkerSetting<'n>> {
    let mut out: Vec<WorkerSetting> = w
        .config
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .map(|e| WorkerSetting {
            key: e.key.clone(),
            key_span: e.key_span,
            value: &e.value,
            from_env: false,
        })
        .collect();
    let env_level = env
        .and_then(|e| e.value.as_map())
        .unwrap_or_default()
        .iter()
        .filter(|e| ENV_WORKER_KEYS.contains(&e.key.as_str()));
    let resource_level = worker_override(w, env)
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter();
    for e in env_level.chain(resource_level) {
        if e.key == "routes" || e.key == "route" {
            out.retain(|s| s.key != "routes" && s.key != "route");
        }
        let setting = WorkerSetting {
            key: e.key.clone(),
            key_span: e.key_span,
            value: &e.value,
            from_env: true,
        };
        match out.iter_mut().find(|s| s.key == e.key) {
            Some(slot) => *slot = setting,
            None => out.push(setting),
        }
    }
    out
}

/// The wrangler key of a binding to a resource type the model does not type in detail.
pub(super) fn other_binding_key(resource_type: &str) -> String {
    match resource_type {
        "cloudflare_vectorize_index" => "vectorize".to_owned(),
        "cloudflare_workflow" => "workflows".to_owned(),
        "cloudflare_rate_limit" => "ratelimits".to_owned(),
        other => other.trim_start_matches("cloudflare_").to_owned(),
    }
}

/// The entries of a config whose keys are not in `typed`, owned.
pub(super) fn untyped(config: &[(String, &Node)], typed: &[&str]) -> Vec<(String, Node)> {
    config
        .iter()
        .filter(|(k, _)| !typed.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), (*v).clone()))
        .collect()
}

/// The worker's `config.durable_objects` shorthand entries.
pub(super) fn shorthand<'n>(w: &WorkerDecl<'n>) -> Vec<&'n Node> {
    w.config
        .and_then(|c| c.get("durable_objects"))
        .and_then(|d| {
            d.as_seq()
                .or_else(|| d.get("bindings").and_then(Node::as_seq))
        })
        .map(|s| s.iter().filter(|n| n.as_map().is_some()).collect())
        .unwrap_or_default()
}

/// A resource's config with an environment's overrides applied key by key.
pub(super) fn effective_config<'n>(
    res: &'n Resource,
    env: Option<&'n Entry>,
) -> Vec<(String, &'n Node)> {
    let mut out: Vec<(String, &Node)> = res
        .config
        .as_ref()
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .map(|e| (e.key.clone(), &e.value))
        .collect();
    let overrides = env
        .and_then(|e| e.value.get("resources"))
        .and_then(|r| r.get(&res.id.value))
        .and_then(Node::as_map)
        .unwrap_or_default();
    for o in overrides {
        match out.iter_mut().find(|(k, _)| *k == o.key) {
            Some(slot) => slot.1 = &o.value,
            None => out.push((o.key.clone(), &o.value)),
        }
    }
    out
}

pub(super) fn routes_of(v: &Node) -> Vec<Route> {
    let items: Vec<&Node> = match &v.kind {
        NodeKind::Seq(s) => s.iter().collect(),
        _ => vec![v],
    };
    items
        .into_iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Str(s) => Some(Route {
                pattern: Sp::new(s.clone(), n.span),
                zone_name: None,
                zone_id: None,
                custom_domain: None,
                span: n.span,
            }),
            NodeKind::Map(_) => {
                let s = |k: &str| {
                    n.get(k)
                        .and_then(|x| Some(Sp::new(x.as_str()?.to_owned(), x.span)))
                };
                Some(Route {
                    pattern: s("pattern")?,
                    zone_name: s("zone_name"),
                    zone_id: s("zone_id"),
                    custom_domain: n.get("custom_domain").and_then(Node::as_bool),
                    span: n.span,
                })
            }
            _ => None,
        })
        .collect()
}
