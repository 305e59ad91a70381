//! `production-shares-state`: a non-production environment bound to the same KV namespace, R2
//! bucket, D1 database, Hyperdrive configuration or queue as production.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::environments::Production;
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{BindingKind, ProjectKind};
use crate::source::{Node, Span};

pub static RULE: Rule = Rule {
    name: "production-shares-state",
    category: Category::Environments,
    default_severity: Severity::Warning,
    summary: "A non-production environment bound to production's KV namespace, R2 bucket, D1 database, Hyperdrive configuration or queue",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const OPTION: &str = "shared";

const DOCS: &str = r#"## What it does
Collects the resources every **production** environment binds — KV namespace ids, R2 bucket names
(with their jurisdiction), D1 database ids, Hyperdrive ids (wrangler configs) and the queues it
sends to — and flags a binding of a non-production environment to one of them. Production is
decided as in `preview-id-equals-id`: an env named `production`, `prod`, `prd` or `live` (also
as a part of a longer name), and the top level unless the worker defines such an env; both are
options. When the worker has a production env, its top level is not compared (many configs
repeat production there for a plain `wrangler deploy`) unless `top_level_is_production = false`
says it is a development deployment. Omitted ids (provisioned per environment by wrangler), template variables and
placeholders are left alone.

## Why it matters
Every environment deploys as its own Worker, but a binding names a resource, not an environment:
`env.staging` with production's KV id or bucket reads and writes production data. A test run, a
half-finished migration or a load test on staging then changes what customers see, and a
staging consumer of production's queue takes production's messages. Nothing warns: wrangler
deploys it, and the Worker works — on the wrong data.

## Example
```toml
name = "shop"

[[kv_namespaces]]
binding = "CACHE"
id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"

[env.staging]
kv_namespaces = [{ binding = "CACHE", id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718" }]
```

## Use instead
```toml
[env.staging]
kv_namespaces = [{ binding = "CACHE", id = "7c5e3b1a9d8f4e2c6b0a1d2e3f4a5b6c" }] # wrangler kv namespace create CACHE --env staging
```
When sharing is intended (a read-only reference dataset, a feature-flag namespace), list the
resource — its id or name, or the binding name — under the rule's `shared` option:
```toml
[lint.options.production-shares-state]
shared = ["0f2ac7d1e3b94c55a1b2c3d4e5f60718", "GEO_DATA"]
production_envs = ["production"]   # optional, as in preview-id-equals-id
top_level_is_production = true     # optional
```

## References
- https://developers.cloudflare.com/workers/wrangler/environments/
- https://developers.cloudflare.com/workers/wrangler/configuration/#non-inheritable-keys
- https://developers.cloudflare.com/workers/wrangler/configuration/#automatic-provisioning
"#;

/// One bound resource: what it is, its identity, and where it is written.
struct Bound<'a> {
    what: &'static str,
    key: String,
    shown: String,
    binding: &'a str,
    span: Span,
    env: Option<&'a str>,
}

fn usable(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && !v.contains("${")
        && !v.contains("{{")
        && !super::placeholder_id::is_placeholder_id(v, None)
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let production = Production::from_options(cx, &mut out);
    let shared: Vec<String> = cx
        .options
        .get(OPTION)
        .and_then(Node::as_seq)
        .map(|items| {
            items
                .iter()
                .filter_map(|n| n.as_str().map(|s| s.trim().to_ascii_lowercase()))
                .collect()
        })
        .unwrap_or_default();
    // (is production, bound resource), in model order.
    let mut all: Vec<(bool, Bound)> = Vec::new();
    let blueprint = cx.project.kind == ProjectKind::Blueprint;
    for worker in &cx.project.workers {
        for env in &worker.envs {
            // A blueprint's top level is the base its environments derive from; with
            // environments defined it is not a deployment of its own.
            if blueprint && env.is_top() && worker.envs.len() > 1 {
                continue;
            }
            let prod = production.is_production(worker, env);
            // With a production env, the top level is often a copy of production (deployed by a
            // plain `wrangler deploy`) as much as a development default: left alone unless
            // `top_level_is_production = false` says it is not production.
            if env.is_top() && !prod && production.top_level_configured().is_none() {
                continue;
            }
            let e = env.name_str();
            for b in &env.bindings {
                let binding = b.name.as_str();
                let mut push = |what, key: String, shown: &str, span| {
                    all.push((
                        prod,
                        Bound {
                            what,
                            key,
                            shown: shown.to_owned(),
                            binding,
                            span,
                            env: e,
                        },
                    ))
                };
                match &b.kind {
                    BindingKind::KvNamespace { id: Some(id), .. } if usable(&id.value) => push(
                        "KV namespace",
                        id.value.trim().to_ascii_lowercase(),
                        id.as_str(),
                        id.span,
                    ),
                    BindingKind::R2Bucket {
                        bucket_name: Some(n),
                        jurisdiction,
                        ..
                    } if usable(&n.value) => {
                        let j = jurisdiction.as_ref().map_or("", |j| j.as_str());
                        push(
                            "R2 bucket",
                            format!("{}@{j}", n.value.trim()),
                            n.as_str(),
                            n.span,
                        )
                    }
                    BindingKind::D1Database {
                        database_id: Some(id),
                        ..
                    } if usable(&id.value) => push(
                        "D1 database",
                        id.value.trim().to_ascii_lowercase(),
                        id.as_str(),
                        id.span,
                    ),
                    BindingKind::QueueProducer { queue: Some(q) } if usable(&q.value) => {
                        push("queue", q.value.trim().to_owned(), q.as_str(), q.span)
                    }
                    // A blueprint's Hyperdrive id is in the binding's extra keys (a wrangler
                    // config's is read from the file below).
                    BindingKind::Other { key } if key == "hyperdrive" => {
                        let id = b.extra.iter().find(|(k, _)| k == "id").map(|(_, n)| n);
                        if let Some((v, span)) = id.and_then(|n| Some((n.as_str()?, n.span))) {
                            if usable(v) {
                                let key = v.trim().to_ascii_lowercase();
                                push("Hyperdrive configuration", key, v, span)
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if cx.project.kind == ProjectKind::Wrangler {
        hyperdrive(cx, &production, &mut all);
    }
    let mut prod_index: HashMap<(&str, &str), &Bound> = HashMap::new();
    for (prod, b) in &all {
        if *prod {
            prod_index.entry((b.what, b.key.as_str())).or_insert(b);
        }
    }
    for (prod, b) in &all {
        if *prod {
            continue;
        }
        let Some(p) = prod_index.get(&(b.what, b.key.as_str())) else {
            continue;
        };
        let listed = |s: &str| shared.iter().any(|x| *x == s.trim().to_ascii_lowercase());
        if listed(&b.shown) || listed(b.binding) {
            continue;
        }
        let here = env_desc(b.env);
        let there = env_desc(p.env);
        let mut d = cx
            .diag(
                b.span,
                format!(
                    "binding `{}` of {here} uses the {} `{}` that production ({there}) uses, so {here} reads and writes production data",
                    b.binding, b.what, b.shown
                ),
            )
            .with_help(format!(
                "give {here} its own {}{}; if sharing is intended, add `{}` to `shared` under `[lint.options.production-shares-state]`",
                b.what,
                match b.what {
                    "queue" => " (`wrangler queues create NAME`)",
                    "Hyperdrive configuration" => " (`wrangler hyperdrive create NAME`)",
                    _ => " (or omit the id or name to let wrangler create one for it on deploy)",
                },
                b.shown
            ))
            .with_env(b.env);
        if p.span != b.span {
            d = d.with_secondary(cx.label(p.span, format!("production's binding `{}`", p.binding)));
        }
        out.push(d);
    }
    out
}

/// Hyperdrive ids as written in a wrangler config (the model does not carry them).
fn hyperdrive<'a>(cx: &Ctx<'a>, production: &Production, all: &mut Vec<(bool, Bound<'a>)>) {
    let Some(worker) = cx.project.workers.first() else {
        return;
    };
    let envs = cx
        .root
        .get("env")
        .and_then(Node::as_map)
        .unwrap_or_default();
    let tables = std::iter::once((None, cx.root))
        .chain(envs.iter().map(|e| (Some(e.key.as_str()), &e.value)));
    for (env, t) in tables {
        let Some(model_env) = worker.env(env) else {
            continue;
        };
        let prod = production.is_production(worker, model_env);
        for h in t
            .get("hyperdrive")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(id) = h.get("id").filter(|n| n.as_str().is_some_and(usable)) else {
                continue;
            };
            let v = id.as_str().unwrap_or_default();
            all.push((
                prod,
                Bound {
                    what: "Hyperdrive configuration",
                    key: v.trim().to_ascii_lowercase(),
                    shown: v.to_owned(),
                    binding: h.get("binding").and_then(Node::as_str).unwrap_or("?"),
                    span: id.span,
                    env,
                },
            ));
        }
    }
}

/// "env `staging`" / "the top level".
fn env_desc(env: Option<&str>) -> String {
    match env {
        Some(e) => format!("env `{e}`"),
        None => "the top level".to_owned(),
    }
}
