//! `compat-date-stale`: a `compatibility_date` more than a year old (configurable), or one that is
//! not on the calendar (`2025-02-30`).

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::days_from_civil;
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::runtime::{advised_as, advised_date};
use crate::model::ProjectKind;
use crate::source::{Node, NodeKind, Span};

use super::compat_date_invalid::{shape, Shape};

pub static RULE: Rule = Rule {
    name: "compat-date-stale",
    category: Category::Compatibility,
    default_severity: Severity::Info,
    summary: "A `compatibility_date` more than a year old (option `max_age_days`), or one that is not on the calendar",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Flags an effective `compatibility_date` (in every environment) that is more than `max_age_days`
days before today (default 365), and a well-formed date that is not on the calendar, such as
`2025-02-30` or `2025-02-29`.

Dates that a deploy would refuse — en/em dashes, not `YYYY-MM-DD`, month 13, a date in the
future — are errors of `compat-date-invalid`, not findings of this rule.

Option (blueprint `lint.options.compat-date-stale`, or `[lint.options.compat-date-stale]` in
`doforge.toml`):

| option | type | default | meaning |
|---|---|---|---|
| `max_age_days` | integer ≥ 1 | `365` | Age in days after which the date is reported. |

A bad option value (not a whole number ≥ 1) is reported by this rule and the default is used.

## Why it matters
The compatibility date freezes the runtime behaviour a Worker gets. Cloudflare's advice is to set
it to the current date when a project starts and to move it forward from time to time: bug fixes
that change behaviour, and some new features (JavaScript RPC needs 2024-04-03; WebSocket
auto-reply to close needs 2026-04-07), only reach Workers with a recent enough date. A date years
old means every update is a large, risky jump.

A date such as `2025-02-30` is almost certainly a typo. Wrangler and the runtime accept it (it
sorts between `2025-02-28` and `2025-03-01`), so the Worker silently gets a date nobody chose.

## Example
```toml
compatibility_date = "2023-05-04"
```

## Use instead
```toml
# read the compatibility-flags change log between the two dates, then:
compatibility_date = "2026-05-20"
```

## References
- https://developers.cloudflare.com/workers/configuration/compatibility-dates/
- https://developers.cloudflare.com/workers/configuration/compatibility-flags/
"#;

const DEFAULT_MAX_AGE_DAYS: i64 = 365;
const OPTION: &str = "max_age_days";

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let (max_age, option_problems) = max_age_days(cx);
    out.extend(option_problems);
    let Some(today) = days_from_civil(cx.today) else {
        return out;
    };
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let Some(date) = &env.compatibility_date else {
                continue;
            };
            let value = date.as_str();
            let Shape::Ok(y, m, d) = shape(value) else {
                continue; // compat-date-invalid
            };
            let d = match days_from_civil(value) {
                None => cx
                    .diag(
                        date.span,
                        format!(
                            "compatibility date {value} is not on the calendar ({} has {} days); wrangler accepts it, but it is almost certainly a typo",
                            month_name(y, m),
                            month_len(y, m)
                        ),
                    )
                    .with_help(format!(
                        "use a real date, such as \"{y:04}-{m:02}-{:02}\" or {}, \"{}\"",
                        d.min(month_len(y, m)),
                        advised_as(cx.today),
                        advised_date(cx.today)
                    )),
                Some(days) if today - days > max_age => cx
                    .diag(
                        date.span,
                        format!(
                            "compatibility date {value} is {} old (more than {max_age} days)",
                            age(today - days)
                        ),
                    )
                    .with_help(format!(
                        "move it forward, e.g. to \"{}\" ({}), after reading the compatibility-flag changes since {value}: https://developers.cloudflare.com/workers/configuration/compatibility-flags/",
                        advised_date(cx.today),
                        advised_as(cx.today)
                    )),
                Some(_) => continue,
            };
            out.push(d.with_env(env.name_str()));
        }
    }
    out
}

/// The configured maximum age, with findings for a bad option value or an unknown option key.
fn max_age_days(cx: &Ctx) -> (i64, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut max_age = DEFAULT_MAX_AGE_DAYS;
    // A blueprint's own `lint.options.<rule>` replaces doforge.toml's, so when the blueprint has
    // one, the option nodes point into this file; otherwise they come from a doforge.toml, which
    // a rule cannot point into (see `where_option`).
    let own = cx.project.kind == ProjectKind::Blueprint
        && cx.project.lint.options.contains_key(cx.rule.name);
    for (key, node) in cx.options {
        if key == OPTION {
            match node.kind {
                NodeKind::Int(n) if n >= 1 => max_age = n,
                _ => {
                    if let Some(span) = where_option(cx, own, node) {
                        problems.push(
                            cx.diag(
                                span,
                                format!(
                                    "option `{OPTION}` of compat-date-stale{} must be a whole number of days ≥ 1, not {}; the default ({DEFAULT_MAX_AGE_DAYS}) is used",
                                    if own { "" } else { " (in doforge.toml)" },
                                    describe(node)
                                ),
                            )
                            .with_help(if own {
                                format!("for example `{OPTION}: 365` (one year) or `{OPTION}: 180`")
                            } else {
                                format!("for example `{OPTION} = 365` (one year) or `{OPTION} = 180`")
                            }),
                        );
                    }
                }
            }
        } else if let Some(span) = where_option(cx, own, node) {
            let span = if own {
                option_key_span(cx, key).unwrap_or(span)
            } else {
                span
            };
            problems.push(
                cx.diag(
                    span,
                    format!(
                        "compat-date-stale has no option `{key}`{}; it is ignored",
                        if own { "" } else { " (in doforge.toml)" }
                    ),
                )
                .with_help(format!(
                    "the only option is `{OPTION}` (days, default {DEFAULT_MAX_AGE_DAYS})"
                )),
            );
        }
    }
    (max_age, problems)
}

/// Where to report a problem with an option: the option itself when it is written in this file,
/// else (doforge.toml) the top-level compatibility date it would apply to, if any.
fn where_option(cx: &Ctx, own: bool, node: &Node) -> Option<Span> {
    if own {
        return Some(node.span);
    }
    cx.project
        .workers
        .iter()
        .find_map(|w| w.top().compatibility_date.as_ref().map(|d| d.span))
}

/// The key span of `lint.options.<rule>.<key>` in a blueprint.
fn option_key_span(cx: &Ctx, key: &str) -> Option<Span> {
    let opts = cx.project.lint.options.get(cx.rule.name)?;
    opts.entry(key).map(|e| e.key_span)
}

fn describe(node: &Node) -> String {
    match &node.kind {
        NodeKind::Int(n) => n.to_string(),
        NodeKind::Float(f) => f.to_string(),
        NodeKind::Str(s) => format!("the string \"{s}\""),
        _ => node.type_name().to_owned(),
    }
}

fn age(days: i64) -> String {
    let years = days / 365;
    let months = (days % 365) / 30;
    match (years, months) {
        (0, _) => format!("{days} days"),
        (1, 0) => "over a year".to_owned(),
        (y, 0) => format!("over {y} years"),
        (1, 1) => "a year and a month".to_owned(),
        (1, m) => format!("a year and {m} months"),
        (y, 1) => format!("{y} years and a month"),
        (y, m) => format!("{y} years and {m} months"),
    }
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_len(y: i64, m: i64) -> i64 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn month_name(y: i64, m: i64) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{} {y}", NAMES[((m - 1).clamp(0, 11)) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age(200), "200 days");
        assert_eq!(age(366), "over a year");
        assert_eq!(age(400), "a year and a month");
        assert_eq!(age(1_100), "over 3 years");
        assert_eq!(age(1_200), "3 years and 3 months");
        assert_eq!(month_len(2024, 2), 29);
        assert_eq!(month_len(2100, 2), 28);
        assert_eq!(month_name(2025, 2), "February 2025");
    }
}
