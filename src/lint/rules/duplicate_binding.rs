//! `duplicate-binding`: one binding name used twice in one worker and environment.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};

pub static RULE: Rule = Rule {
    name: "duplicate-binding",
    category: Category::Bindings,
    default_severity: Severity::Error,
    summary: "One binding name used twice in one worker and environment, across binding kinds",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Collects every binding name a worker sees in an environment — Durable Objects, KV, R2, D1, queue
producers, services, Analytics Engine, the assets binding, AI, Hyperdrive, … — and flags a name
used more than once.

## Why it matters
Bindings become properties of the worker's `env` object: two bindings named `CACHE` cannot both
exist. Wrangler refuses such a config ("CACHE assigned to multiple KV Namespace bindings" /
"assigned to A and B bindings"), but only for the environment being deployed.

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

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (i, b) in env.bindings.iter().enumerate() {
                let Some(&j) = first.get(b.name.as_str()) else {
                    first.insert(b.name.as_str(), i);
                    continue;
                };
                let prev = &env.bindings[j];
                let kinds = if prev.wrangler_key() == b.wrangler_key() {
                    format!("two `{}` entries", b.wrangler_key())
                } else {
                    format!("`{}` and `{}`", prev.wrangler_key(), b.wrangler_key())
                };
                let d = cx
                    .diag(b.name.span, format!("binding name `{}` is used twice ({kinds})", b.name.value))
                    .with_secondary(cx.label(prev.name.span, "first used here"))
                    .with_help("binding names become `env.NAME` in the worker and must be unique; rename one")
                    .with_env(env.name_str());
                out.push(d);
            }
        }
    }
    out
}
