//! `duplicate-binding`: one binding name used twice in one worker and environment.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{Env, Sp};

pub static RULE: Rule = Rule {
    name: "duplicate-binding",
    category: Category::Bindings,
    default_severity: Severity::Error,
    summary: "One binding, var or secret name used twice in one worker and environment, across binding kinds",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Collects every name a worker sees in an environment — bindings (Durable Objects, KV, R2, D1, queue
producers, services, Analytics Engine, the assets binding, AI, Hyperdrive, …), `vars` and required
`secrets` — and flags a name used more than once.

## Why it matters
Bindings become properties of the worker's `env` object: two bindings named `CACHE` cannot both
exist. Wrangler refuses such a config ("CACHE assigned to multiple KV Namespace bindings" /
"assigned to A and B bindings", "assigned to Environment Variable and Secret bindings"), but only
for the environment being deployed.

## Example
```toml
[[kv_namespaces]]
binding = "CACHE"
id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"

[[r2_buckets]]
binding = "CACHE"
bucket_name = "cache"
```

## Use instead
```toml
[[kv_namespaces]]
binding = "CACHE"
id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"

[[r2_buckets]]
binding = "CACHE_BUCKET"
bucket_name = "cache"
```

## References
- https://developers.cloudflare.com/workers/runtime-apis/bindings/
"#;

/// Every name the worker sees as `env.NAME` in one env, with the key it comes from.
fn names(env: &Env) -> Vec<(&Sp<String>, &str)> {
    let mut out: Vec<(&Sp<String>, &str)> = env
        .bindings
        .iter()
        .map(|b| (&b.name, b.wrangler_key()))
        .collect();
    out.extend(env.vars.iter().map(|v| (&v.name, "vars")));
    out.extend(env.secrets.iter().map(|s| (s, "secrets")));
    out
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let all = names(env);
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (i, (name, key)) in all.iter().enumerate() {
                let Some(&j) = first.get(name.as_str()) else {
                    first.insert(name.as_str(), i);
                    continue;
                };
                let (prev, prev_key) = all[j];
                let kinds = if prev_key == *key {
                    format!("two `{key}` entries")
                } else {
                    format!("`{prev_key}` and `{key}`")
                };
                let d = cx
                    .diag(name.span, format!("binding name `{}` is used twice ({kinds})", name.value))
                    .with_secondary(cx.label(prev.span, "first used here"))
                    .with_help(
                        "bindings, vars and secrets all become `env.NAME` in the worker and must be unique; rename one",
                    )
                    .with_env(env.name_str());
                out.push(d);
            }
        }
    }
    out
}
