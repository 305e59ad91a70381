//! `doforge env`: the effective configuration of one environment, key by key, with where each
//! value comes from — the view wrangler users ask for ("what does `--env staging` really deploy?").

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::model::{BindingKind, Env, Origin, Project, VarValue, Worker};
use crate::source::SourceFile;

/// One effective key of an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyView {
    pub key: String,
    /// Short human summary of the value.
    pub value: String,
    /// `env` (set in the environment), `top level` (inherited), `default`, or `missing`.
    pub origin: &'static str,
    /// 1-based line where the value is written (None for defaults).
    pub line: Option<usize>,
}

/// The effective configuration of one worker in one environment.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvView {
    pub worker: String,
    pub env: Option<String>,
    pub keys: Vec<KeyView>,
}

/// Views of environment `env` (None = top level) for every worker of a project; `None` when no
/// worker defines that environment.
pub fn env_views(project: &Project, env: Option<&str>) -> Option<Vec<EnvView>> {
    let views: Vec<EnvView> = project
        .workers
        .iter()
        .filter_map(|w| w.env(env).map(|e| view(&project.file, w, e)))
        .collect();
    (!views.is_empty()).then_some(views)
}

fn view(file: &SourceFile, worker: &Worker, env: &Env) -> EnvView {
    let line = |span: crate::source::Span| Some(file.line_col(span.start).0);
    let origin_of = |key: &str| -> (&'static str, Option<usize>) {
        match env.origins.get(key) {
            Some(o) => (
                match o.origin {
                    Origin::Own if env.is_top() => "top level",
                    Origin::Own => "env",
                    Origin::Inherited => "top level",
                    Origin::Default => "default",
                },
                o.key_span.and_then(line),
            ),
            None => ("env", None),
        }
    };
    let mut keys = Vec::new();
    let mut push = |key: &str, value: String, origin: (&'static str, Option<usize>)| {
        keys.push(KeyView {
            key: key.to_owned(),
            value,
            origin: origin.0,
            line: origin.1,
        });
    };
    if let Some(n) = &env.script_name {
        push("name", n.value.clone(), origin_of("name"));
    }
    if let Some(m) = &env.main {
        push("main", m.value.clone(), origin_of("main"));
    }
    if let Some(d) = &env.compatibility_date {
        push(
            "compatibility_date",
            d.value.clone(),
            origin_of("compatibility_date"),
        );
    }
    if !env.compatibility_flags.is_empty() {
        let flags: Vec<&str> = env.compatibility_flags.iter().map(|f| f.as_str()).collect();
        push(
            "compatibility_flags",
            flags.join(", "),
            origin_of("compatibility_flags"),
        );
    }
    if !env.routes.is_empty() {
        let routes: Vec<&str> = env.routes.iter().map(|r| r.pattern.as_str()).collect();
        push("routes", routes.join(", "), origin_of("routes"));
    }
    if !env.crons.is_empty() {
        let crons: Vec<&str> = env.crons.iter().map(|c| c.as_str()).collect();
        push("triggers.crons", crons.join(", "), origin_of("triggers"));
    }
    let mut by_key: Vec<(&str, Vec<String>)> = Vec::new();
    for b in &env.bindings {
        let key = b.wrangler_key();
        let text = binding_text(&b.name.value, &b.kind);
        match by_key.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(text),
            None => by_key.push((key, vec![text])),
        }
    }
    for (key, values) in by_key {
        push(key, values.join("; "), origin_of(key));
    }
    if !env.queue_consumers.is_empty() {
        let queues: Vec<String> = env
            .queue_consumers
            .iter()
            .map(|c| format!("consumes {}", c.queue.as_ref().map_or("?", |q| q.as_str())))
            .collect();
        push("queues.consumers", queues.join("; "), origin_of("queues"));
    }
    if !env.vars.is_empty() {
        // Values are shown: vars are plain text by definition (secrets are names only).
        let vars: Vec<String> = env
            .vars
            .iter()
            .map(|v| match &v.value {
                VarValue::Text(t) => format!("{}={t}", v.name.value),
                VarValue::Json(j) => format!("{}={j}", v.name.value),
            })
            .collect();
        push("vars", vars.join(", "), origin_of("vars"));
    }
    if !env.secrets.is_empty() {
        let names: Vec<&str> = env.secrets.iter().map(|s| s.as_str()).collect();
        push("secrets.required", names.join(", "), origin_of("secrets"));
    }
    let lc = &env.lifecycle;
    if !lc.migrations.is_empty() {
        let tags: Vec<&str> = lc
            .migrations
            .iter()
            .filter_map(|m| m.tag.as_ref().map(|t| t.as_str()))
            .collect();
        push(
            "migrations",
            format!("tags {}", tags.join(", ")),
            origin_of("migrations"),
        );
    } else if lc.planned {
        push(
            "migrations",
            "planned by doforge generate".to_owned(),
            ("default", None),
        );
    }
    if !lc.exports.is_empty() {
        let names: Vec<&str> = lc.exports.iter().map(|e| e.name.as_str()).collect();
        push("exports", names.join(", "), origin_of("exports"));
    }
    for m in &env.missing_non_inheritable {
        keys.push(KeyView {
            key: m.key.clone(),
            value: "not set here (set at the top level, and not inherited)".to_owned(),
            origin: "missing",
            line: line(m.top_key_span),
        });
    }
    EnvView {
        worker: worker
            .name()
            .map(|n| n.value.clone())
            .or_else(|| worker.id.as_ref().map(|i| i.value.clone()))
            .unwrap_or_default(),
        env: env.name.as_ref().map(|n| n.value.clone()),
        keys,
    }
}

fn binding_text(name: &str, kind: &BindingKind) -> String {
    let opt = |v: &Option<crate::model::Sp<String>>| {
        v.as_ref().map_or("?".to_owned(), |s| s.value.clone())
    };
    match kind {
        BindingKind::DurableObject(d) => match &d.script_name {
            Some(s) => format!("{name} → {} (in {})", d.class_name.value, s.value),
            None => format!("{name} → {}", d.class_name.value),
        },
        BindingKind::KvNamespace { id, .. } => format!("{name} → KV {}", opt(id)),
        BindingKind::R2Bucket { bucket_name, .. } => format!("{name} → R2 {}", opt(bucket_name)),
        BindingKind::D1Database { database_name, .. } => {
            format!("{name} → D1 {}", opt(database_name))
        }
        BindingKind::QueueProducer { queue } => format!("{name} → queue {}", opt(queue)),
        BindingKind::Service { service, .. } => format!("{name} → service {}", opt(service)),
        BindingKind::AnalyticsEngine { dataset } => format!("{name} → dataset {}", opt(dataset)),
        BindingKind::Assets => format!("{name} (assets)"),
        BindingKind::Other { key } => format!("{name} ({key})"),
    }
}

/// Text rendering: one block per worker, aligned columns.
pub fn render_text(path: &str, views: &[EnvView]) -> String {
    let mut s = String::new();
    for v in views {
        let env = v
            .env
            .as_deref()
            .map_or("top level".to_owned(), |e| format!("env.{e}"));
        let _ = writeln!(s, "{path}: worker `{}`, {env}", v.worker);
        let from: Vec<String> = v
            .keys
            .iter()
            .map(|k| match k.line {
                Some(l) => format!("[{}, line {l}]", k.origin),
                None => format!("[{}]", k.origin),
            })
            .collect();
        let kw = v.keys.iter().map(|k| k.key.len()).max().unwrap_or(0);
        let fw = from.iter().map(|f| f.chars().count()).max().unwrap_or(0);
        for (k, f) in v.keys.iter().zip(&from) {
            let _ = writeln!(s, "  {:kw$}  {:fw$}  {}", k.key, f, k.value);
        }
        s.push('\n');
    }
    s
}

pub fn render_json(path: &str, views: &[EnvView]) -> Value {
    json!({
        "version": 1,
        "file": path,
        "workers": views.iter().map(|v| json!({
            "worker": v.worker,
            "env": v.env,
            "keys": v.keys.iter().map(|k| json!({
                "key": k.key, "value": k.value, "origin": k.origin, "line": k.line,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
