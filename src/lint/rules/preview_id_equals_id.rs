//! `preview-id-equals-id`: a KV `preview_id`, R2 `preview_bucket_name` or D1
//! `preview_database_id` equal to the production one.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::environments::Production;
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{BindingKind, Sp};

pub static RULE: Rule = Rule {
    name: "preview-id-equals-id",
    category: Category::Bindings,
    default_severity: Severity::Info,
    summary: "A production environment's `preview_id`, `preview_bucket_name` or `preview_database_id` equal to its production resource, so remote development uses production data",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
For every **production** environment, flags a KV binding whose `preview_id` equals its `id`, an
R2 binding whose `preview_bucket_name` equals its `bucket_name`, and a D1 binding whose
`preview_database_id` equals its `database_id`. In blueprints the same keys of
`cloudflare_kv_namespace`, `cloudflare_r2_bucket` and `cloudflare_d1_database` resources are
compared, with environment overrides applied (an R2 bucket name defaults to the resource id).

Only production matters: in `env.dev`, `env.local` or `env.alpha` the resource already *is* a
development one, and pointing its preview at itself is the usual way to keep `wrangler dev
--remote` on it. An env is production when its name is `production`, `prod`, `prd` or `live`
(also as a part of a longer name: `prod-eu`, `us_production`); the top level is production
unless the worker defines such an env (then the top level is the development default). Both are
options (below).

## Why it matters
The preview resource is what `wrangler dev --remote`, remote bindings in local development and
`--preview` commands use, so that development does not touch production data. When it is the
production resource, every remote development session reads and writes production data. It is
also redundant: wrangler falls back to the production resource when the preview key is omitted,
so writing it out only suggests a separation that does not exist.

## Example
```toml
[[kv_namespaces]]
binding = "SESSIONS"
id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"
preview_id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"
```

## Use instead
```toml
[[kv_namespaces]]
binding = "SESSIONS"
id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"
preview_id = "7c5e3b1a9d8f4e2c6b0a1d2e3f4a5b6c" # wrangler kv namespace create SESSIONS --preview
```
If sharing production data in development is intended, omit `preview_id` (wrangler then uses
`id`) and say so in a comment.

## Options
```toml
[lint.options.preview-id-equals-id]
production_envs = ["production", "eu"] # replaces the default names (exact names)
top_level_is_production = false        # replaces the guess for the top level
```

## References
- https://developers.cloudflare.com/workers/wrangler/configuration/#kv-namespaces
- https://developers.cloudflare.com/workers/wrangler/configuration/#r2-buckets
- https://developers.cloudflare.com/workers/wrangler/configuration/#d1-databases
- https://developers.cloudflare.com/workers/development-testing/#remote-bindings
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let production = Production::from_options(cx, &mut out);
    for worker in &cx.project.workers {
        for env in &worker.envs {
            if !production.is_production(worker, env) {
                continue;
            }
            for b in &env.bindings {
                let (prod, preview, prod_key, preview_key, what, create) = match &b.kind {
                    BindingKind::KvNamespace { id, preview_id } => (
                        id,
                        preview_id,
                        "id",
                        "preview_id",
                        "KV namespace",
                        format!("`wrangler kv namespace create {} --preview`", b.name.value),
                    ),
                    BindingKind::R2Bucket {
                        bucket_name,
                        preview_bucket_name,
                        ..
                    } => (
                        bucket_name,
                        preview_bucket_name,
                        "bucket_name",
                        "preview_bucket_name",
                        "R2 bucket",
                        "`wrangler r2 bucket create <name>-preview`".to_owned(),
                    ),
                    BindingKind::D1Database {
                        database_id,
                        preview_database_id,
                        ..
                    } => (
                        database_id,
                        preview_database_id,
                        "database_id",
                        "preview_database_id",
                        "D1 database",
                        "`wrangler d1 create <name>-preview`".to_owned(),
                    ),
                    _ => continue,
                };
                let (Some(prod), Some(preview)) = (prod, preview) else {
                    continue;
                };
                if !same(prod, preview) {
                    continue;
                }
                let d = cx
                    .diag(
                        preview.span,
                        format!(
                            "`{preview_key}` of binding `{}` is the production {what} (`{prod_key}`), so `wrangler dev --remote` and remote bindings read and write production data",
                            b.name.value
                        ),
                    )
                    .with_secondary(cx.label(prod.span, format!("production `{prod_key}` here")))
                    .with_help(format!(
                        "create a separate {what} for development ({create}) and put it in `{preview_key}`; if sharing production data is intended, remove `{preview_key}` (wrangler falls back to `{prod_key}`)"
                    ))
                    .with_env(env.name_str());
                out.push(d);
            }
        }
    }
    out
}

fn same(a: &Sp<String>, b: &Sp<String>) -> bool {
    let (a, b) = (a.value.trim(), b.value.trim());
    !a.is_empty() && a.eq_ignore_ascii_case(b)
}
