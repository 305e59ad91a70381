//! `env-binding-not-inherited`: a non-inheritable key set at the top level but missing from an
//! environment, which then deploys without it.

use crate::diagnostics::{Diagnostic, Severity};
use std::collections::BTreeMap;

use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::rules::placeholder_id::is_placeholder_var;
use crate::lint::rules::secret_in_vars::looks_like_secret;
use crate::model::{keys, Env, Origin, Sp, Var, VarValue};
use crate::source::Span;

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

A top-level var that stands in for a secret — one the environment lists as a secret, one whose
name or value looks like a secret (what `secret-in-vars` reports: `…_SECRET`, `…_TOKEN`,
`API_KEY`, a PEM key, …), one whose top-level value is a placeholder (`"<PLACEHOLDER>"`, `"TODO"`,
what `placeholder-id` reports) — is reported apart, with different advice: copying it into the
environment's `vars` would be the mistake. A development top level often holds such stand-ins
(`CLIENT_SECRET = "<PLACEHOLDER>"`) while deployed environments get the value with `wrangler
secret put --env`; wrangler still warns for every such environment until the stand-in moves to
`.dev.vars`. No automatic fix is offered for these, nor for an env that lacks the whole top-level
`vars` table when stand-ins sit in it (copying the table would copy them).

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
                // Secrets' stand-ins among the top-level vars are reported apart: copying them
                // into the env (the fix below) would put secrets in `vars`.
                let stand: Vec<&Sp<String>> = if missing.key == "vars" {
                    let stand = top.vars.iter().filter(|v| secret_stand_in(env, v));
                    stand.map(|v| &v.name).collect()
                } else {
                    Vec::new()
                };
                if !stand.is_empty() {
                    out.push(stand_ins(cx, env, &name.value, &stand));
                    if stand.len() == top.vars.len() {
                        continue;
                    }
                }
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
                        "repeat `{}` inside `env.{}` (non-inheritable keys are never copied into environments){}",
                        missing.key,
                        name.value,
                        if stand.is_empty() {
                            ""
                        } else {
                            ", without the secret stand-ins reported apart"
                        }
                    ))
                    .with_env(Some(&name.value));
                // Copying the whole table would copy the stand-ins too.
                let d = if stand.is_empty() {
                    d.with_fix(crate::fix::build::copy_into_env(
                        cx,
                        &name.value,
                        &missing.key,
                        missing.top_key_span,
                    ))
                } else {
                    d
                };
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
    let mut secrets: Vec<&Sp<String>> = Vec::new();
    if declares(env, "vars") {
        for v in &top.vars {
            if !env.vars.iter().any(|e| e.name.value == v.name.value) {
                if secret_stand_in(env, v) {
                    secrets.push(&v.name);
                } else {
                    lacking.entry("vars").or_default().push(&v.name);
                }
            }
        }
    }
    if !secrets.is_empty() {
        out.push(stand_ins(cx, env, env_name, &secrets));
    }
    for (key, names) in lacking {
        let list: Vec<String> = names.iter().map(|n| format!("`{}`", n.value)).collect();
        let what = if key == "vars" { "var" } else { "binding" };
        let plural = if names.len() == 1 { "" } else { "s" };
        let at = key_or_env_span(env, key);
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

/// Where a finding about `env.<name>.<key>` points: the env's own key, else the env's name.
fn key_or_env_span(env: &Env, key: &str) -> Span {
    env.origins
        .get(key)
        .and_then(|o| o.key_span)
        .unwrap_or_else(|| env.name.as_ref().map_or(env.span, |n| n.span))
}

/// A top-level var that an environment must not copy into its `vars`: one the environment
/// declares as a secret, one whose name or value says it is a secret (copying it is what
/// `secret-in-vars` reports; deployed environments get it from `wrangler secret put --env`), and
/// one whose top-level value is only a placeholder (the real value comes from outside the config:
/// a secret, `.dev.vars`). Real configs keep such stand-ins at a development top level
/// (mcp-server-cloudflare's `CLOUDFLARE_CLIENT_SECRET = "<PLACEHOLDER>"`).
fn secret_stand_in(env: &Env, var: &Var) -> bool {
    let name = var.name.value.as_str();
    env.secrets.iter().any(|s| s.value == name)
        || looks_like_secret(name, &var.value).is_some()
        || matches!(&var.value, VarValue::Text(t) if is_placeholder_var(t))
}

/// The finding for top-level secret stand-ins an env lacks: still a finding (wrangler warns for
/// it too), but the advice is to move the stand-in out of `vars`, never to copy it.
fn stand_ins(cx: &Ctx, env: &Env, env_name: &str, names: &[&Sp<String>]) -> Diagnostic {
    let list: Vec<String> = names.iter().map(|n| format!("`{}`", n.value)).collect();
    let plural = names.len() != 1;
    let at = key_or_env_span(env, "vars");
    let mut d = cx
        .diag(
            at,
            format!(
                "`env.{env_name}` gets no top-level var{} {}: {}, and environments do not inherit vars",
                if plural { "s" } else { "" },
                list.join(", "),
                if plural {
                    "they look like secrets or placeholders"
                } else {
                    "it looks like a secret or a placeholder"
                },
            ),
        )
        .with_help(format!(
            "do not copy {} into `env.{env_name}.vars`: keep the development value in `.dev.vars`, remove it from the top-level `vars` (wrangler then stops warning), and give `env.{env_name}` its own with `wrangler secret put NAME --env {env_name}`, listed in `env.{env_name}.secrets.required`",
            if plural { "them" } else { "it" }
        ))
        .with_env(Some(env_name));
    for n in names {
        d = d.with_secondary(cx.label(n.span, "set at the top level here"));
    }
    d
}

/// Does the env's own table set `key`?
fn declares(env: &Env, key: &str) -> bool {
    env.origins
        .get(key)
        .is_some_and(|o| o.origin == Origin::Own)
}
