//! The resolved model: what lint rules and the generator read.
//!
//! Blueprints ([`blueprint`]) and wrangler configs ([`wrangler`]) both resolve into a [`Project`]:
//! workers, each with its *effective* configuration per environment (top level first, then every
//! `env.<name>`), Durable Object classes with their lifecycle, and spans on everything a rule may
//! point at. Environment resolution follows wrangler's rules ([`keys`]): inheritable keys fall back
//! to the top level (replacing, never merging), non-inheritable keys must be redeclared.

pub mod blueprint;
mod instances;
pub mod keys;
pub mod lifecycle;
mod read;
pub mod wrangler;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::source::{Node, SourceFile, Span};

/// A value with the span it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Sp<T> {
        Sp { value, span }
    }
}

impl Sp<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// Where a project came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectKind {
    Blueprint,
    Wrangler,
}

/// Everything one file describes.
#[derive(Debug, Clone)]
pub struct Project {
    pub file: Arc<SourceFile>,
    pub kind: ProjectKind,
    pub workers: Vec<Worker>,
    /// Durable Object classes declared in a blueprint (wrangler configs declare classes only
    /// through bindings and lifecycle entries, which live on each [`Env`]).
    pub classes: Vec<DoClass>,
    /// Non-worker resources of a blueprint (KV, R2, D1, queues, datasets, …).
    pub resources: Vec<Resource>,
    /// Blueprint `lint:` settings (empty for wrangler configs; those use doforge.toml).
    pub lint: LintSettings,
    /// Blueprint `project_name` (None for wrangler configs).
    pub project_name: Option<Sp<String>>,
    /// Blueprint `lifecycle` (migrations | exports).
    pub lifecycle_mode: LifecycleMode,
}

impl Project {
    /// The names of every environment defined anywhere in the project (sorted, top level excluded).
    pub fn env_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .workers
            .iter()
            .flat_map(|w| {
                w.envs
                    .iter()
                    .filter_map(|e| e.name.as_ref().map(|n| n.value.clone()))
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LifecycleMode {
    #[default]
    Migrations,
    Exports,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LintSettings {
    pub allow: Vec<Sp<String>>,
    pub warn: Vec<Sp<String>>,
    pub deny: Vec<Sp<String>>,
    /// Per-rule options (`lint.options.<rule>`), kept as written.
    pub options: BTreeMap<String, Node>,
}

/// One deployable worker script.
#[derive(Debug, Clone)]
pub struct Worker {
    /// Blueprint resource id (None for a wrangler config).
    pub id: Option<Sp<String>>,
    /// The span that stands for the worker as a whole (its resource entry, or the file).
    pub span: Span,
    /// `envs[0]` is the top level; then every `env.<name>` in source order.
    pub envs: Vec<Env>,
    /// A blueprint Worker's `upstream:` (None for a wrangler config).
    pub upstream: Option<Upstream>,
}

/// `upstream:` of a blueprint Worker: where the generated Worker forwards every request no
/// Durable Object route takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Upstream {
    /// The var that holds the base URL.
    pub url_var: Sp<String>,
    /// The secret sent as `Authorization: Bearer <value>`.
    pub bearer_secret: Option<Sp<String>>,
    /// `timeout` as written (a duration; the generator reads it).
    pub timeout: Option<Node>,
    pub span: Span,
}

impl Worker {
    pub fn top(&self) -> &Env {
        &self.envs[0]
    }
    /// The top-level script name.
    pub fn name(&self) -> Option<&Sp<String>> {
        self.top().script_name.as_ref()
    }
    pub fn env(&self, name: Option<&str>) -> Option<&Env> {
        self.envs
            .iter()
            .find(|e| e.name.as_ref().map(|n| n.value.as_str()) == name)
    }
}

/// Where an effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Written in this env's own table (or at the top level, for the top-level env).
    Own,
    /// Inherited from the top level by an environment.
    Inherited,
    /// Filled in by wrangler's or doforge's defaults (e.g. `<name>-<env>`).
    Default,
}

/// The effective configuration of one worker in one environment.
#[derive(Debug, Clone)]
pub struct Env {
    /// `None` for the top level; else the env name with the span of its key.
    pub name: Option<Sp<String>>,
    /// The env table (or the whole file/resource for the top level).
    pub span: Span,
    /// Effective worker name: `name`, or `<top name>-<env>` when an env does not set one.
    pub script_name: Option<Sp<String>>,
    pub main: Option<Sp<String>>,
    pub compatibility_date: Option<Sp<String>>,
    pub compatibility_flags: Vec<Sp<String>>,
    pub routes: Vec<Route>,
    pub workers_dev: Option<Sp<bool>>,
    pub crons: Vec<Sp<String>>,
    pub bindings: Vec<Binding>,
    pub queue_consumers: Vec<QueueConsumer>,
    pub vars: Vec<Var>,
    /// Names of required secrets (`secrets.required`, or blueprint `secrets`).
    pub secrets: Vec<Sp<String>>,
    pub assets: Option<Assets>,
    /// `containers` (non-inheritable): container applications backing Durable Object classes.
    pub containers: Vec<Container>,
    pub lifecycle: Lifecycle,
    /// Worker settings the model does not type (`observability`, `limits`, `placement`, `build`,
    /// `upload_source_maps`, `logpush`, `tail_consumers`, `define`, raw binding lists, …), and the
    /// whole of the partly typed `triggers`, `assets` and `containers`: each key with its value as
    /// effective in this env (the env's overrides applied), in the blueprint's order, for the
    /// generator to emit verbatim. Blueprints only (empty for wrangler configs, which are not
    /// generated from).
    pub settings: Vec<(String, Node)>,
    /// Effective keys and where each came from (for `doforge env` and rules).
    pub origins: BTreeMap<String, KeyOrigin>,
    /// Non-inheritable keys set at the top level but absent from this env (never for the top level).
    pub missing_non_inheritable: Vec<MissingKey>,
}

impl Env {
    pub fn name_str(&self) -> Option<&str> {
        self.name.as_ref().map(|n| n.value.as_str())
    }
    pub fn is_top(&self) -> bool {
        self.name.is_none()
    }
    /// Whether this env's Worker hosts the class a Durable Object binding names: the binding has
    /// no `script_name`, or its `script_name` is this env's own effective script name.
    pub fn hosts(&self, d: &DurableObjectBinding) -> bool {
        match (&d.script_name, &self.script_name) {
            (None, _) => true,
            (Some(s), Some(own)) => s.value == own.value,
            (Some(_), None) => false,
        }
    }
    pub fn durable_objects(&self) -> impl Iterator<Item = (&Binding, &DurableObjectBinding)> {
        self.bindings.iter().filter_map(|b| match &b.kind {
            BindingKind::DurableObject(d) => Some((b, d)),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyOrigin {
    pub origin: Origin,
    /// Span of the key where it was written (None for defaults).
    pub key_span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingKey {
    pub key: String,
    /// Where the key is set at the top level.
    pub top_key_span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub pattern: Sp<String>,
    pub zone_name: Option<Sp<String>>,
    pub zone_id: Option<Sp<String>>,
    pub custom_domain: Option<bool>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    pub name: Sp<String>,
    pub value: VarValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VarValue {
    Text(String),
    /// Numbers, booleans, lists and objects: wrangler passes them as JSON.
    Json(serde_json::Value),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assets {
    pub binding: Option<Sp<String>>,
    pub directory: Option<Sp<String>>,
    pub span: Span,
}

/// One `containers[]` entry: a container application attached to a Durable Object class.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub name: Option<Sp<String>>,
    /// The Durable Object class the container backs (`class_name`).
    pub class_name: Option<Sp<String>>,
    pub span: Span,
}

/// A name under which the worker sees a resource (`env.NAME`).
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: Sp<String>,
    pub kind: BindingKind,
    /// The whole binding entry.
    pub span: Span,
    /// Further wrangler keys of the entry that [`BindingKind`] does not type (`remote`, D1
    /// `migrations_table`, a queue's `delivery_delay`, a service's `props`, a Hyperdrive `id`, …),
    /// from a blueprint resource's effective `config` and the binding's `config`, in that order
    /// (the binding's value wins). The generator emits them verbatim; empty for wrangler configs.
    pub extra: Vec<(String, Node)>,
}

impl Binding {
    /// The wrangler key this binding kind lives under.
    pub fn wrangler_key(&self) -> &str {
        match &self.kind {
            BindingKind::DurableObject(_) => "durable_objects",
            BindingKind::KvNamespace { .. } => "kv_namespaces",
            BindingKind::R2Bucket { .. } => "r2_buckets",
            BindingKind::D1Database { .. } => "d1_databases",
            BindingKind::QueueProducer { .. } => "queues",
            BindingKind::Service { .. } => "services",
            BindingKind::AnalyticsEngine { .. } => "analytics_engine_datasets",
            BindingKind::Assets => "assets",
            BindingKind::Other { key } => key,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DurableObjectBinding {
    pub class_name: Sp<String>,
    /// The worker that hosts the class, when not this one.
    pub script_name: Option<Sp<String>>,
    pub environment: Option<Sp<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BindingKind {
    DurableObject(DurableObjectBinding),
    KvNamespace {
        id: Option<Sp<String>>,
        preview_id: Option<Sp<String>>,
    },
    R2Bucket {
        bucket_name: Option<Sp<String>>,
        preview_bucket_name: Option<Sp<String>>,
        jurisdiction: Option<Sp<String>>,
    },
    D1Database {
        database_name: Option<Sp<String>>,
        database_id: Option<Sp<String>>,
        preview_database_id: Option<Sp<String>>,
        migrations_dir: Option<Sp<String>>,
    },
    QueueProducer {
        queue: Option<Sp<String>>,
    },
    Service {
        service: Option<Sp<String>>,
        environment: Option<Sp<String>>,
        entrypoint: Option<Sp<String>>,
    },
    AnalyticsEngine {
        dataset: Option<Sp<String>>,
    },
    /// The `assets.binding` name.
    Assets,
    /// Any other binding kind (ai, browser, hyperdrive, vectorize, …), by its wrangler key.
    Other {
        key: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueConsumer {
    pub queue: Option<Sp<String>>,
    pub span: Span,
    /// The consumer's settings as written (max_batch_size, …), for the generator.
    pub settings: Option<Node>,
}

/// How Durable Object classes are declared to Cloudflare in one env.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    /// The effective `migrations` list (an env's own list *replaces* the top-level one).
    pub migrations: Vec<Migration>,
    pub migrations_origin: Option<KeyOrigin>,
    /// The effective `exports` map.
    pub exports: Vec<Export>,
    pub exports_origin: Option<KeyOrigin>,
    /// A blueprint without explicit migrations: doforge plans them at generation time, so every
    /// class the blueprint declares is covered.
    pub planned: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    pub tag: Option<Sp<String>>,
    pub new_classes: Vec<Sp<String>>,
    pub new_sqlite_classes: Vec<Sp<String>>,
    pub renamed_classes: Vec<RenamedClass>,
    pub deleted_classes: Vec<Sp<String>>,
    pub transferred_classes: Vec<TransferredClass>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RenamedClass {
    pub from: Option<Sp<String>>,
    pub to: Option<Sp<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransferredClass {
    pub from: Option<Sp<String>>,
    pub from_script: Option<Sp<String>>,
    pub to: Option<Sp<String>>,
    pub span: Span,
}

/// One entry of the declarative `exports` map.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub name: Sp<String>,
    /// `durable-object`, `worker`, …
    pub kind: Option<Sp<String>>,
    /// `sqlite` | `legacy-kv`
    pub storage: Option<Sp<String>>,
    /// `created` (default) | `deleted` | `renamed` | `transferred` | `expecting-transfer`
    pub state: Option<Sp<String>>,
    /// `container`: the name of the `containers[]` entry backing this class.
    pub container: Option<Sp<String>>,
    pub span: Span,
}

impl Export {
    pub fn is_durable_object(&self) -> bool {
        self.kind
            .as_ref()
            .is_some_and(|k| k.value == "durable-object")
    }
    /// Live: declared and not a tombstone. As wrangler's `isLiveDurableObjectExport`: `created`
    /// (the default) or `expecting-transfer`; `deleted`, `renamed` and `transferred` (moved away
    /// to another Worker) are tombstones.
    pub fn is_live(&self) -> bool {
        match &self.state {
            None => true,
            Some(s) => matches!(s.value.as_str(), "created" | "expecting-transfer"),
        }
    }
}

/// Blueprint `kind` of a Durable Object class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoKind {
    Counter,
    RateLimiter,
    ChatRoom,
    AuditLog,
    Session,
    Custom,
}

impl DoKind {
    pub fn parse(s: &str) -> Option<DoKind> {
        Some(match s {
            "counter" => DoKind::Counter,
            "rate_limiter" => DoKind::RateLimiter,
            "chat_room" => DoKind::ChatRoom,
            "audit_log" => DoKind::AuditLog,
            "session" => DoKind::Session,
            "custom" => DoKind::Custom,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DoKind::Counter => "counter",
            DoKind::RateLimiter => "rate_limiter",
            DoKind::ChatRoom => "chat_room",
            DoKind::AuditLog => "audit_log",
            DoKind::Session => "session",
            DoKind::Custom => "custom",
        }
    }
    /// Kinds whose generated implementation serves WebSockets.
    pub fn serves_websockets(self) -> bool {
        matches!(self, DoKind::ChatRoom | DoKind::Session)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Sqlite,
    /// Legacy KV-backed storage (`new_classes`).
    Kv,
}

/// How the generated router picks an instance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Instances {
    pub route: Option<Sp<String>>,
    pub key: Option<Sp<String>>,
    /// `singleton: true` or `singleton: {reason}`: one instance for all traffic.
    pub singleton: Option<Sp<bool>>,
    pub singleton_reason: Option<Sp<String>>,
    /// `auth`: what the generated router requires before it forwards to the class.
    pub auth: Option<Auth>,
    pub span: Option<Span>,
}

/// `instances.auth` of a class.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// `{ bearer: SECRET }`: `Authorization: Bearer <value of SECRET>`.
    Bearer(Sp<String>),
    /// `none`: public, said explicitly (an audit log is private otherwise).
    Public(Span),
}

/// A Durable Object class declared in a blueprint.
#[derive(Debug, Clone, PartialEq)]
pub struct DoClass {
    pub class_name: Sp<String>,
    /// Hosting worker's resource id (resolved: the only worker when omitted).
    pub worker: Option<Sp<String>>,
    pub kind: DoKind,
    pub storage: Storage,
    pub instances: Instances,
    /// Kind-specific options, as written.
    pub options: Option<Node>,
    pub renamed_from: Option<Sp<String>>,
    pub deleted: bool,
    pub transferred_from: Option<(Sp<String>, Sp<String>)>,
    /// `eject: true`: the class's generated code is the user's (as `doforge eject CLASS`).
    pub eject: bool,
    /// Declared only through a worker's `config.durable_objects` shorthand.
    pub implicit: bool,
    pub span: Span,
}

/// A non-worker blueprint resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: Sp<String>,
    /// `cloudflare_kv_namespace`, …
    pub kind: Sp<String>,
    pub config: Option<Node>,
    /// The blueprint's `shared:`: which non-production environments bind this very resource
    /// instead of one of their own (`docs/blueprint.md`, "Environments").
    pub shared: Shared,
    pub span: Span,
}

/// A resource's `shared:` (blueprints only).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Shared {
    /// Every non-production environment gets its own resource (the default).
    #[default]
    No,
    /// `shared: true`: every environment binds production's resource.
    All,
    /// `shared: [env, …]`: these environments do.
    Envs(Vec<String>),
}

impl Shared {
    /// Does environment `env` bind production's resource?
    pub fn with(&self, env: &str) -> bool {
        match self {
            Shared::No => false,
            Shared::All => true,
            Shared::Envs(envs) => envs.iter().any(|e| e == env),
        }
    }
}
