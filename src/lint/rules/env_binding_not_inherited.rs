//! `env-binding-not-inherited`: a non-inheritable key set at the top level but missing from an
//! environment, which then deploys without it.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};

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
environment does not. One finding per key per environment.

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
                    .with_env(Some(&name.value));
                out.push(d);
            }
        }
    }
    out
}
