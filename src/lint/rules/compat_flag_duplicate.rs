//! `compat-flag-duplicate`: a compatibility flag listed twice, or `nodejs_compat` together with
//! `nodejs_compat_v2`.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Fix, Severity};
use crate::fix::edit;
use crate::lint::rule::{Category, Ctx, Input, Rule};

pub static RULE: Rule = Rule {
    name: "compat-flag-duplicate",
    category: Category::Compatibility,
    default_severity: Severity::Error,
    summary:
        "A compatibility flag listed twice, or `nodejs_compat` together with `nodejs_compat_v2`",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Checks the effective `compatibility_flags` of every Worker in every environment and flags

- a flag listed more than once;
- `nodejs_compat` and `nodejs_compat_v2` together.

## Why it matters
The Workers runtime refuses a flag given twice: `wrangler dev` stops with `Compatibility flag
specified multiple times: nodejs_compat` (wrangler's own config check and `deploy --dry-run` say
nothing, so the mistake survives until the runtime sees it).

`wrangler deploy` refuses the pair: `The nodejs_compat and nodejs_compat_v2 compatibility flags
cannot be used in together. Please select just one.` Since compatibility date 2024-09-23,
`nodejs_compat` alone already gives the v2 behaviour.

## Example
```toml
compatibility_date = "2026-01-15"
compatibility_flags = ["nodejs_compat", "global_fetch_strictly_public", "nodejs_compat"]
```

## Use instead
```toml
compatibility_date = "2026-01-15"
compatibility_flags = ["nodejs_compat", "global_fetch_strictly_public"]
```

## References
- https://developers.cloudflare.com/workers/configuration/compatibility-flags/
- https://developers.cloudflare.com/workers/runtime-apis/nodejs/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let flags = &env.compatibility_flags;
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (i, flag) in flags.iter().enumerate() {
                match first.get(flag.as_str()) {
                    Some(&j) => out.push(
                        cx.diag(
                            flag.span,
                            format!(
                                "compatibility flag `{}` is listed twice; the Workers runtime refuses that (\"Compatibility flag specified multiple times\")",
                                flag.value
                            ),
                        )
                        .with_secondary(cx.label(flags[j].span, "first listed here"))
                        .with_help("remove the repeated entry")
                        .with_env(env.name_str())
                        .with_fix(remove_flag(cx, flag.span)),
                    ),
                    None => {
                        first.insert(flag.as_str(), i);
                    }
                }
            }
            if let (Some(&v1), Some(&v2)) =
                (first.get("nodejs_compat"), first.get("nodejs_compat_v2"))
            {
                let (a, b) = (&flags[v1], &flags[v2]);
                out.push(
                    cx.diag(
                        b.span,
                        "`nodejs_compat` and `nodejs_compat_v2` are both set, and `wrangler deploy` refuses the pair (\"The `nodejs_compat` and `nodejs_compat_v2` compatibility flags cannot be used in together\")",
                    )
                    .with_secondary(cx.label(a.span, "`nodejs_compat` listed here"))
                    .with_help(pair_help(env.compatibility_date.as_ref().map(|d| d.as_str())))
                    .with_env(env.name_str()),
                );
            }
        }
    }
    out
}

/// Safe: the runtime refuses the list as it is, and the repeat adds nothing the first entry
/// does not already give.
fn remove_flag(cx: &Ctx, span: crate::source::Span) -> Option<Fix> {
    let (list, i) = edit::find_list_item(cx.root, span)?;
    Some(Fix::safe(
        "remove the repeated flag",
        edit::remove_list_item(cx.file(), list, i)?,
    ))
}

/// Which flag to keep: `nodejs_compat` implies v2 from 2024-09-23 (wrangler's
/// `NODEJS_COMPAT_V2_SWITCH_OVER_DATE`).
fn pair_help(date: Option<&str>) -> &'static str {
    // YYYY-MM-DD strings compare like dates; a malformed date is `compat-date-invalid`'s business.
    match date {
        Some(d) if d >= "2024-09-23" => {
            "keep only `nodejs_compat`: from compatibility date 2024-09-23 on it already includes the v2 behaviour"
        }
        _ => {
            "keep only one: `nodejs_compat_v2` for the v2 behaviour at this compatibility date, or move the date to 2024-09-23 or later and keep `nodejs_compat`"
        }
    }
}
