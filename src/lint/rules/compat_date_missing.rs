//! `compat-date-missing`: a Worker deployed without a `compatibility_date`.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{Env, ProjectKind, Worker};
use crate::source::{Format, Span};

pub static RULE: Rule = Rule {
    name: "compat-date-missing",
    category: Category::Compatibility,
    default_severity: Severity::Error,
    summary: "No `compatibility_date` in effect, so `wrangler deploy` refuses to upload the Worker",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Flags a Worker that has no `compatibility_date` in effect. In a wrangler config the date is
inheritable: environments use the top-level one unless they set their own, so the finding is about
the top level (and names the environments that have no date of their own either). In a blueprint,
a Worker gets its date from its `config.compatibility_date`, else from the blueprint's top-level
`compatibility_date`; the finding points at the Worker resource that has neither.

A `compatibility_date` of the wrong type (a TOML date literal, a number) is a `schema` error at
the value, not a finding of this rule.

## Why it matters
`wrangler deploy` and `wrangler versions upload` stop with `A compatibility_date is required when
uploading a Worker`. `wrangler dev` only warns and runs with the installed runtime's latest date,
so the problem stays hidden until the first deploy — typically in CI. Cloudflare's API, when it
gets no date, falls back to the oldest behaviour (2021-11-02).

## Example
```toml
name = "tickets"
main = "src/index.ts"
```

## Use instead
```toml
name = "tickets"
main = "src/index.ts"
compatibility_date = "2026-01-15"
```

## References
- https://developers.cloudflare.com/workers/configuration/compatibility-dates/
- https://developers.cloudflare.com/workers/wrangler/configuration/#inheritable-keys
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        let top = worker.top();
        if has_date(top) {
            continue;
        }
        // Environments that set their own date deploy fine; the others inherit the missing one.
        let prefix = match cx.project.kind {
            ProjectKind::Wrangler => "env.",
            ProjectKind::Blueprint => "environments.",
        };
        let own: Vec<String> = worker
            .envs
            .iter()
            .skip(1)
            .filter(|e| has_date(e))
            .filter_map(|e| e.name_str().map(|n| format!("`{prefix}{n}`")))
            .collect();
        let only = if own.is_empty() {
            String::new()
        } else {
            format!(
                " (only {} set{} {})",
                own.join(", "),
                if own.len() == 1 { "s" } else { "" },
                if own.len() == 1 {
                    "its own"
                } else {
                    "their own"
                }
            )
        };
        let mut d = match cx.project.kind {
            ProjectKind::Wrangler => {
                let (where_, whom) = if own.is_empty() {
                    ("", "this Worker")
                } else {
                    (
                        " at the top level",
                        "this Worker and the environments without their own date",
                    )
                };
                cx.diag(
                    top_of_file(cx),
                    format!(
                        "no `compatibility_date` is set{where_}{only}, so `wrangler deploy` refuses to upload {whom} (\"A compatibility_date is required when uploading a Worker\")"
                    ),
                )
            }
            ProjectKind::Blueprint => {
                let name = worker.id.as_ref().map_or("this Worker".to_owned(), |id| {
                    format!("Worker `{}`", id.value)
                });
                cx.diag(
                    worker_span(worker),
                    format!(
                        "{name} has no `compatibility_date`: neither its `config` nor the blueprint's top level sets one{only}, so wrangler refuses to deploy the generated config"
                    ),
                )
            }
        };
        if cx.project.kind == ProjectKind::Wrangler {
            d.primary.message = Some("the top level has no `compatibility_date`".to_owned());
            d = d.with_fix(crate::fix::build::compat_date(cx));
        }
        out.push(d.with_help(help(cx)));
    }
    out
}

/// A date is in effect, or the key is written but with a wrong type (a `schema` error).
fn has_date(env: &Env) -> bool {
    env.compatibility_date.is_some() || env.origins.contains_key("compatibility_date")
}

fn help(cx: &Ctx) -> String {
    let today = crate::lint::runtime::advised_date(cx.today);
    match cx.file().format {
        Format::WranglerToml => format!(
            "add `compatibility_date = \"{today}\"` (today, for a new Worker) at the top level; environments inherit it"
        ),
        Format::WranglerJson => format!(
            "add `\"compatibility_date\": \"{today}\"` (today, for a new Worker) at the top level; environments inherit it"
        ),
        _ => format!(
            "add `compatibility_date: \"{today}\"` (today, for a new project) at the top of the blueprint, or to this Worker's `config`"
        ),
    }
}

/// The first line that is not blank or a comment: where a top-level key would go.
pub(crate) fn top_of_file(cx: &Ctx) -> Span {
    let file = cx.file();
    let prefix = file.format.comment_prefix();
    for line in 1..=file.line_count() {
        let text = file.line_text(line);
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with(prefix) {
            continue;
        }
        let start = file.line_start(line) + (text.len() - trimmed.len());
        return Span::new(start, start + trimmed.trim_end().len());
    }
    Span::default()
}

/// The Worker resource's `id` value (or the whole entry when it has none).
fn worker_span(worker: &Worker) -> Span {
    worker.id.as_ref().map_or(worker.span, |id| id.span)
}
