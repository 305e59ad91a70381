//! What the templates of one Worker's project are rendered from: the classes it hosts (with
//! their kind options resolved to numbers) and the routes it serves, all names validated.

use serde::Serialize;

use super::route_logic::{param_names, parse_key, Route};
use super::{logic_module, names, options};
use crate::diagnostics::{Diagnostic, Label};
use crate::model::{DoClass, DoKind, Project, Storage};

/// Rule id of generation errors about `instances`.
pub const INSTANCE_KEY_INVALID: &str = "instance-key-invalid";
/// Rule id of a kind the generated Rust cannot implement on the class's storage.
pub const KIND_NEEDS_SQLITE: &str = "kind-needs-sqlite";

#[derive(Debug, Serialize)]
pub struct WorkerSpec {
    pub script: String,
    pub crate_name: String,
    /// Classes this Worker hosts (exports), in blueprint order.
    pub objects: Vec<ObjectSpec>,
    /// The same classes as `(module, class)`, sorted by module (rustfmt's order of the
    /// `pub use` lines).
    pub exports: Vec<Export>,
    /// Routes of the classes this Worker binds, in blueprint order.
    pub routes: Vec<RouteData>,
    /// Exactly one route (rustfmt lays a one-element table out differently).
    pub routes_one: bool,
    /// Logic modules the project needs (`route` always).
    pub modules: Vec<&'static str>,
    /// Environment names, for the README.
    pub envs: Vec<String>,
    /// Hosted classes without a route in this Worker.
    pub unrouted: Vec<String>,
    /// Some route is a rate limit (the route table names `LimitSpec`).
    pub has_limits: bool,
    /// Queues this Worker consumes and its cron triggers (every environment's): they get a
    /// `queue` / `scheduled` handler in the user's `src/jobs.rs`.
    pub queues: Vec<String>,
    pub crons: Vec<String>,
    pub queue: bool,
    pub scheduled: bool,
    pub jobs: bool,
    /// Secret names (any environment), for the README's `.dev.vars` example.
    pub secrets: Vec<String>,
    /// The blueprint's `upstream:`: requests no route takes are forwarded there.
    pub upstream: Option<UpstreamData>,
    /// One typed client per Durable Object binding of the Worker (`src/clients/<module>.rs`).
    pub clients: Vec<ClientSpec>,
    /// The built-in kinds those clients speak (`src/clients/kinds/<kind>.rs`), sorted.
    pub client_kinds: Vec<&'static str>,
    /// The client module of the first day-sharded audit log, for the README's hook example.
    pub audit_client: Option<String>,
    /// A class the README's `doforge eject` example names: the first built-in one still
    /// doforge's (`CLASS` when there is none).
    pub eject_example: String,
}

/// The typed client of one bound class.
#[derive(Debug, Serialize)]
pub struct ClientSpec {
    pub class: String,
    pub module: String,
    pub kind: &'static str,
    pub binding: String,
    pub key: Option<String>,
    /// The Rust type the module's constructors return.
    pub client_type: &'static str,
    pub custom: bool,
    /// An audit log whose key names the day (`{date}`): `today` / `day` constructors.
    pub dated: bool,
    pub limiter: bool,
}

#[derive(Debug, Serialize)]
pub struct UpstreamData {
    pub url_var: String,
    pub bearer: Option<String>,
    pub timeout_ms: u64,
}

/// `upstream.timeout`'s default and cap: long enough for a slow API, short enough that a hung
/// upstream does not hold the Worker's request open.
const UPSTREAM_TIMEOUT_MS: u64 = 10_000;
const MAX_UPSTREAM_TIMEOUT_MS: u64 = 300_000;

#[derive(Debug, Serialize)]
pub struct ObjectSpec {
    pub class: String,
    pub module: String,
    pub kind: &'static str,
    /// Written once, then the user's (`custom` classes).
    pub user: bool,
    /// A built-in class handed to the user (`doforge eject`): its object file, and the logic
    /// module of its kind, are never rewritten.
    pub ejected: bool,
    /// The logic module of the class's kind (`audit`), if it has one.
    pub logic: Option<&'static str>,
    pub requests: u64,
    pub window_ms: u64,
    pub algorithm: &'static str,
    pub history: u64,
    pub max_connections: Option<u64>,
    pub max_message_bytes: u64,
    pub message_rate: u64,
    pub message_window_ms: u64,
    pub retention_ms: u64,
    pub ttl_ms: u64,
    pub websockets: bool,
    /// Per-call caps of a rate limiter (`config` of `POST /check`).
    pub max_requests: u64,
    pub min_window_ms: u64,
    pub max_window_ms: u64,
}

#[derive(Debug, Serialize)]
pub struct Export {
    pub module: String,
    pub class: String,
}

#[derive(Debug, Serialize)]
pub struct RouteData {
    pub binding: String,
    pub class: String,
    pub route: Option<String>,
    pub key: Option<String>,
    pub limiter: bool,
    /// A rate limit (middleware) rather than a destination.
    pub limit: Option<LimitData>,
    /// The secret the route requires as a bearer token.
    pub auth: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LimitData {
    pub requests: u64,
    pub window_ms: u64,
    pub fail_open: bool,
}

impl WorkerSpec {
    pub fn build(project: &Project, index: usize) -> Result<WorkerSpec, Vec<Diagnostic>> {
        let worker = &project.workers[index];
        let id = worker.id.as_ref().map(|i| i.value.as_str());
        let script = worker
            .name()
            .map_or("worker", |n| n.value.as_str())
            .to_owned();
        let mut errors = Vec::new();

        let hosted: Vec<&DoClass> = project
            .classes
            .iter()
            .filter(|c| !c.deleted && c.worker.as_ref().map(|w| w.value.as_str()) == id)
            .collect();
        let modules = names::module_names(hosted.iter().map(|c| c.class_name.value.as_str()));
        let mut objects = Vec::new();
        for (class, module) in hosted.iter().zip(modules) {
            if class.kind == DoKind::AuditLog && class.storage == Storage::Kv {
                errors.push(
                    Diagnostic::error(
                        KIND_NEEDS_SQLITE,
                        format!(
                            "class {} is an audit_log with `storage: kv`; the generated audit log keeps its entries in SQLite",
                            class.class_name.value
                        ),
                        Label::new(&project.file, class.class_name.span),
                    )
                    .with_help("remove `storage: kv` (SQLite is the default), or make the class `kind: custom` and write its storage yourself"),
                );
            }
            objects.push(object_spec(class, module));
        }

        let mut routes = Vec::new();
        let bindings: Vec<_> = worker.top().durable_objects().collect();
        for class in project.classes.iter().filter(|c| !c.deleted) {
            let Some((binding, _)) = bindings
                .iter()
                .find(|(_, d)| d.class_name.value == class.class_name.value)
            else {
                continue;
            };
            let key = match (&class.instances.key, class.instances.singleton.as_ref()) {
                (Some(k), _) => Some(k.value.clone()),
                (None, Some(s)) if s.value => Some("singleton".to_owned()),
                (None, _) => None,
            };
            let route = class.instances.route.as_ref().map(|r| r.value.clone());
            let binding = binding.name.value.clone();
            if class.kind != DoKind::RateLimiter {
                if route.is_none() {
                    continue;
                }
                if let Some(key) = &class.instances.key {
                    errors.extend(check_key(project, class, key, route.as_deref()));
                }
                routes.push(RouteData {
                    binding,
                    class: class.class_name.value.clone(),
                    route,
                    key,
                    limiter: false,
                    limit: None,
                    auth: class.bearer_secret(),
                });
                continue;
            }
            // A rate limiter guards its own route (every request without one, unless it has
            // `limits`), then each of its `limits`.
            let own = options::own_limit(class);
            let limits = options::limits(class);
            if route.is_some() || limits.is_empty() {
                if let Some(key) = &class.instances.key {
                    errors.extend(check_key(project, class, key, route.as_deref()));
                }
                routes.push(RouteData {
                    binding: binding.clone(),
                    class: class.class_name.value.clone(),
                    route,
                    key: key.clone(),
                    limiter: true,
                    limit: Some(own.data()),
                    auth: None,
                });
            }
            for limit in limits {
                let limit_key = limit.key.as_ref().or(class.instances.key.as_ref());
                if let Some(k) = limit_key {
                    errors.extend(check_key(project, class, k, Some(&limit.route)));
                }
                routes.push(RouteData {
                    binding: binding.clone(),
                    class: class.class_name.value.clone(),
                    route: Some(limit.route.clone()),
                    key: limit_key.map(|k| k.value.clone()).or_else(|| key.clone()),
                    limiter: true,
                    limit: Some(limit.limit.data()),
                    auth: None,
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let clients = client_specs(project, &bindings);
        // The logic modules of the hosted kinds, and of the bound ones: the clients share
        // their serde types.
        let mut modules = vec!["route"];
        let kinds = hosted
            .iter()
            .map(|c| c.kind)
            .chain(clients.iter().filter_map(|c| DoKind::parse(c.kind)));
        for kind in kinds {
            if let Some(m) = logic_module(kind) {
                if !modules.contains(&m) {
                    modules.push(m);
                }
            }
        }
        modules.sort_unstable();
        let unrouted = hosted
            .iter()
            .filter(|c| !routes.iter().any(|r| r.class == c.class_name.value))
            .map(|c| c.class_name.value.clone())
            .collect();
        let mut exports: Vec<Export> = objects
            .iter()
            .map(|o| Export {
                module: o.module.clone(),
                class: o.class.clone(),
            })
            .collect();
        exports.sort_by(|a, b| a.module.cmp(&b.module));
        let mut queues: Vec<String> = Vec::new();
        let mut crons: Vec<String> = Vec::new();
        for env in &worker.envs {
            for c in &env.queue_consumers {
                if let Some(q) = &c.queue {
                    if !queues.contains(&q.value) {
                        queues.push(q.value.clone());
                    }
                }
            }
            for c in &env.crons {
                if !crons.contains(&c.value) {
                    crons.push(c.value.clone());
                }
            }
        }
        let has_limits = routes.iter().any(|r| r.limit.is_some());
        Ok(WorkerSpec {
            has_limits,
            queue: !queues.is_empty(),
            scheduled: !crons.is_empty(),
            jobs: !queues.is_empty() || !crons.is_empty(),
            queues,
            crons,
            exports,
            routes_one: routes.len() == 1,
            crate_name: names::crate_name(&script),
            script,
            objects,
            routes,
            modules,
            envs: worker.envs[1..]
                .iter()
                .filter_map(|e| e.name.as_ref().map(|n| n.value.clone()))
                .collect(),
            unrouted,
            secrets: secret_names(worker),
            upstream: worker.upstream.as_ref().map(|u| UpstreamData {
                url_var: u.url_var.value.clone(),
                bearer: u.bearer_secret.as_ref().map(|s| s.value.clone()),
                timeout_ms: u
                    .timeout
                    .as_ref()
                    .and_then(options::duration_ms)
                    .unwrap_or(UPSTREAM_TIMEOUT_MS)
                    .clamp(1, MAX_UPSTREAM_TIMEOUT_MS),
            }),
            client_kinds: {
                let mut kinds: Vec<&'static str> = clients
                    .iter()
                    .filter(|c| !c.custom)
                    .map(|c| c.kind)
                    .collect();
                kinds.sort_unstable();
                kinds.dedup();
                kinds
            },
            audit_client: clients.iter().find(|c| c.dated).map(|c| c.module.clone()),
            eject_example: String::new(),
            clients,
        })
    }
}

/// One client per Durable Object binding of the Worker's top level, in binding order; a class
/// the blueprint does not declare gets the raw client of a `custom` class.
fn client_specs(
    project: &Project,
    bindings: &[(&crate::model::Binding, &crate::model::DurableObjectBinding)],
) -> Vec<ClientSpec> {
    let classes: Vec<Option<&DoClass>> = bindings
        .iter()
        .map(|(_, d)| {
            project
                .classes
                .iter()
                .find(|c| !c.deleted && c.class_name.value == d.class_name.value)
        })
        .collect();
    let modules = names::module_names_reserving(
        bindings.iter().map(|(_, d)| d.class_name.value.as_str()),
        &["transport", "kinds"],
    );
    bindings
        .iter()
        .zip(classes)
        .zip(modules)
        .map(|(((binding, d), class), module)| {
            let kind = class.map_or(DoKind::Custom, |c| c.kind);
            let key = class.and_then(|c| match (&c.instances.key, &c.instances.singleton) {
                (Some(k), _) => Some(k.value.clone()),
                (None, Some(s)) if s.value => Some("singleton".to_owned()),
                (None, _) => None,
            });
            ClientSpec {
                class: d.class_name.value.clone(),
                module,
                kind: kind.as_str(),
                binding: binding.name.value.clone(),
                dated: kind == DoKind::AuditLog
                    && key.as_deref().is_some_and(|k| k.contains("{date}")),
                key,
                client_type: match kind {
                    DoKind::Counter => "CounterClient",
                    DoKind::RateLimiter => "RateLimiterClient",
                    DoKind::ChatRoom => "ChatRoomClient",
                    DoKind::AuditLog => "AuditLogClient",
                    DoKind::Session => "SessionClient",
                    DoKind::Custom => "Object",
                },
                custom: kind == DoKind::Custom,
                limiter: kind == DoKind::RateLimiter,
            }
        })
        .collect()
}

fn secret_names(worker: &crate::model::Worker) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in worker.envs.iter().flat_map(|e| &e.secrets) {
        if !names.contains(&name.value) {
            names.push(name.value.clone());
        }
    }
    names
}

fn object_spec(class: &DoClass, module: String) -> ObjectSpec {
    let caps = options::caps(class);
    ObjectSpec {
        max_requests: caps.max_requests,
        min_window_ms: caps.min_window_ms,
        max_window_ms: caps.max_window_ms,
        class: class.class_name.value.clone(),
        module,
        kind: class.kind.as_str(),
        user: class.kind == DoKind::Custom,
        ejected: false,
        logic: logic_module(class.kind),
        requests: options::int(class, "requests", 100).max(1),
        window_ms: options::duration(class, "window", 60_000).max(1),
        algorithm: match options::string(class, "algorithm") {
            Some("fixed") => "Fixed",
            _ => "Sliding",
        },
        history: options::int(class, "history", 100),
        max_connections: options::opt_int(class, "max_connections"),
        max_message_bytes: options::int(class, "max_message_bytes", 4096).max(64),
        message_rate: options::int(class, "message_rate", 30).max(1),
        message_window_ms: options::duration(class, "message_window", 10_000).max(1),
        retention_ms: options::duration(class, "retention", 30 * 86_400_000),
        ttl_ms: options::duration(class, "ttl", 86_400_000).max(1),
        websockets: options::boolean(class, "websockets", false),
    }
}

/// The key template must parse and name only parameters its route captures: the error, if any.
fn check_key(
    project: &Project,
    class: &DoClass,
    key: &crate::model::Sp<String>,
    route: Option<&str>,
) -> Option<Diagnostic> {
    let fail = |message: String, help: String| {
        Diagnostic::error(
            INSTANCE_KEY_INVALID,
            message,
            Label::new(&project.file, key.span),
        )
        .with_help(help)
    };
    let parts = match parse_key(&key.value) {
        Ok(p) => p,
        Err(e) => {
            return Some(fail(
                e,
                "write `{param}`, `{header:Name}`, `{query:name}`, `{body:field}` or `{date}` between braces, alternatives as `{a|b}`"
                    .into(),
            ))
        }
    };
    let params = route.map(Route::parse);
    let captured = params.as_ref().map(Route::param_names).unwrap_or_default();
    for name in param_names(&parts) {
        if !captured.contains(&name) {
            return Some(fail(
                format!(
                    "instance key of {} uses `{{{name}}}`, but {} no `:{name}`",
                    class.class_name.value,
                    match route {
                        Some(r) => format!("its route {r:?} captures"),
                        None => "it has no route, so it captures".to_owned(),
                    }
                ),
                format!("add `:{name}` to `instances.route`, or use `{{header:…}}` / `{{query:{name}}}`"),
            ));
        }
    }
    None
}
