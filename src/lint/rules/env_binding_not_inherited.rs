//! `env-binding-not-inherited`: a non-inheritable key set at the top level but missing from an
//! environment, which then deploys without it.

use crate::diagnostics::{Diagnostic, Severity};
use std::collections::BTreeMap;

use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{keys, Env, Origin, Sp};

pub static RULE: Rule = Rule {
    name: "env-binding-not-inherited",
    category: Category::Environments,
    default_severity: Severity::Warning,
    summary: "A non-inheritable key (bindings, vars, …) set at the top level but absent from `env.<name>`",
    docs: DOCS,
    applies_to: Input::WRANGLER,
    check,
};

const DOCS: &str = r#"## What it does
For every `env.<name>` — not only the one a deploy selects — flags each non-inheritable key
(`durable_objects`, `kv_namespaces`, `r2_buckets`, `d1_databases`, `queues`, `services`,
`analytics_engine_datasets`, `vars`, `ai`, `hyperdrive`, …) that the top level sets and the
environment does not (one finding per key per environment), and an environment that sets such a
key with fewer entries than the top level: a binding or var name the top level has and the
environment lacks (one finding per key, listing the names), as wrangler's "The following
bindings are at the top level, but not on env.X" warns.

## Why it matters
Wrangler does not copy these keys into environments. `wrangler deploy --env production` deploys a
Worker that has *no* Durable Object, KV or R2 bindings and no vars, and the code fails at runtime
with `env.TICKET_MANAGER is undefined`. Wrangler warns only for the environment being deployed,
so the other environments' gaps stay hidden until their deploy.

## Example
```jsonc
{
  "durable_objects": { "bindings": [{ "name": "TICKET_MANAGER", "class_name": "TicketManager" }] },
  "env": {
    "production": { "vars": { "ENVIRONMENT": "production" } }
  }
}
```

## Use instead
```jsonc
{
  "durable_objects": { "bindings": [{ "name": "TICKET_MANAGER", "class_name": "TicketManager" }] },
  "env": {
    "production": {
      "vars": { "ENVIRONMENT": "production" },
      "durable_objects": { "bindings": [{ "name": "TICKET_MANAGER", "class_name": "TicketManager" }] }
    }
  }
}
```
A doforge blueprint avoids this by construction: the generator repeats every non-inheritable key
in every environment.

## References
- https://developers.cloudflare.com/workers/wrangler/configuration/#non-inheritable-keys
- https://developers.cloudflare.com/workers/wrangler/environments/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        let top = worker.top();
        for env in worker.envs.iter().skip(1) {
            let Some(name) = &env.name else { continue };
            for missing in &env.missing_non_inheritable {
                let d = cx
                    .diag(
                        name.span,
                        format!(
                            "`{}` is set at the top level but not in `env.{}`, which therefore deploys without it",
                            missing.key, name.value
                        ),
                    )
                    .with_secondary(cx.label(missing.top_key_span, "set at the top level here"))
                    .with_help(format!(
                        "repeat `{}` inside `env.{}` (non-inheritable keys are never copied into environments)",
                        missing.key, name.value
                    ))
                    .with_env(Some(&name.value))
                    .with_fix(crate::fix::build::copy_into_env(
                        cx,
                        &name.value,
                        &missing.key,
                        missing.top_key_span,
                    ));
                out.push(d);
            }
            partial(cx, top, env, &name.value, &mut out);
        }
    }
    out
}

/// An env that declares a key but with fewer entries than the top level: the names it lacks.
fn partial(cx: &Ctx, top: &Env, env: &Env, env_name: &str, out: &mut Vec<Diagnostic>) {
    let mut lacking: BTreeMap<&str, Vec<&Sp<String>>> = BTreeMap::new();
    for b in &top.bindings {
        let key = b.wrangler_key();
        if !keys::is_non_inheritable(key) || !declares(env, key) {
            continue;
        }
        if !env
            .bindings
            .iter()
            .any(|e| e.wrangler_key() == key && e.name.value == b.name.value)
        {
            lacking.entry(key).or_default().push(&b.name);
        }
    }
    if declares(env, "vars") {
        for v in &top.vars {
            if !env.vars.iter().any(|e| e.name.value == v.name.value) {
                lacking.entry("vars").or_default().push(&v.name);
            }
        }
    }
    for (key, names) in lacking {
        let list: Vec<String> = names.iter().map(|n| format!("`{}`", n.value)).collect();
        let what = if key == "vars" { "var" } else { "binding" };
        let plural = if names.len() == 1 { "" } else { "s" };
        let at = env
            .origins
            .get(key)
            .and_then(|o| o.key_span)
            .unwrap_or_else(|| env.name.as_ref().map_or(env.span, |n| n.span));
        let mut d = cx
            .diag(
                at,
                format!(
                    "`env.{env_name}.{key}` lacks the top-level {what}{plural} {}, so that environment deploys without {}",
                    list.join(", "),
                    if names.len() == 1 { "it" } else { "them" }
                ),
            )
            .with_help(format!(
                "add {} to `env.{env_name}.{key}` too (an environment's `{key}` replaces the top-level list entirely)",
                list.join(", ")
            ))
            .with_env(Some(env_name));
        for n in names {
            d = d.with_secondary(cx.label(n.span, "set at the top level here"));
        }
        out.push(d);
    }
}

/// Does the env's own table set `key`?
fn declares(env: &Env, key: &str) -> bool {
    env.origins
        .get(key)
        .is_some_and(|o| o.origin == Origin::Own)
}
