//! `compat-date-invalid`: a `compatibility_date` that Cloudflare refuses — not `YYYY-MM-DD`,
//! written with en/em dashes, a month or day that cannot exist, or a date in the future.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::days_from_civil;
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::runtime::{advised_as, advised_date, NEWEST_SUPPORTED_DATE, WRANGLER_VERSION};
use crate::model::Sp;

pub static RULE: Rule = Rule {
    name: "compat-date-invalid",
    category: Category::Compatibility,
    default_severity: Severity::Error,
    summary: "A `compatibility_date` wrangler or Cloudflare refuses: not YYYY-MM-DD, en/em dashes, no such month or day, or in the future",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Checks the effective `compatibility_date` of every Worker in every environment and flags a value
that a deploy would refuse:

- written with en dashes (`–`) or em dashes (`—`) instead of hyphens — usually pasted from a
  document or chat;
- not exactly `YYYY-MM-DD` (`20250101`, `2025-2-3`, `2025-01-01T00:00:00Z`);
- a month or day that cannot exist in any year (`2025-13-01`, `2025-01-32`, `2025-00-10`);
- a date after today (UTC);
- as a warning, a date after the newest one the runtime of the wrangler doforge is checked
  against supports (wrangler 4.164.0 bundles workerd 1.20261117.1: dates up to 2026-11-17).
  Cloudflare accepts it, but `wrangler dev` and vitest-pool-workers cannot run the Worker with
  it. Advice in this and the other compatibility-date rules never goes past that date either.

A date that is well-formed but not on the calendar (`2025-02-30`) is accepted by wrangler and the
runtime, so it is not an error: `compat-date-stale` reports it as a likely typo. In a blueprint the
schema already requires `YYYY-MM-DD`, so only the future-date case applies there.

## Why it matters
Each of these fails the deploy, some only at the last step:

- dashes: wrangler refuses the config (`"compatibility_date" field should use ISO-8601 accepted
  hyphens (-) rather than en-dashes (–) or em-dashes (—)`);
- a value JavaScript cannot parse as a date, or an impossible month or day: wrangler refuses the
  config (`should be a valid ISO-8601 date (YYYY-MM-DD)`);
- a value JavaScript *can* parse but that is not `YYYY-MM-DD` (`2025-2-3`): wrangler accepts it,
  then the Workers runtime refuses it (`Invalid compatibility date: 2025-2-3` from `wrangler dev`);
- a future date: Cloudflare's API rejects the upload (`Can't set compatibility date in the future`,
  code 10021) and `wrangler dev` will not start (`Compatibility date "…" is in the future and
  unsupported`). Cloudflare compares against today's date in UTC, so setting "today" in a time
  zone ahead of UTC fails until UTC catches up.

## Example
```toml
compatibility_date = "2025–10–08"
```

## Use instead
```toml
compatibility_date = "2025-10-08"
```

## References
- https://developers.cloudflare.com/workers/configuration/compatibility-dates/
- https://developers.cloudflare.com/workers/wrangler/configuration/
- https://github.com/cloudflare/workers-sdk/issues/5453 (future dates: API error 10021)
"#;

/// What is wrong with the shape of a compatibility date (before comparing it with today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Exactly `YYYY-MM-DD` with a possible month and day: (year, month, day).
    Ok(i64, i64, i64),
    /// En or em dashes; the value with hyphens instead.
    Dashes(String),
    /// Not `YYYY-MM-DD`; the normalised date when it reads as year-month-day.
    Malformed(Option<String>),
    /// `YYYY-MM-DD` with a month outside 1-12 or a day outside 1-31.
    OutOfRange { month: i64, day: i64 },
}

/// Classify a compatibility date as written.
pub(crate) fn shape(value: &str) -> Shape {
    if value.contains(['\u{2013}', '\u{2014}']) {
        return Shape::Dashes(value.replace(['\u{2013}', '\u{2014}'], "-"));
    }
    let b = value.as_bytes();
    let strict = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !strict {
        return Shape::Malformed(normalise(value));
    }
    let num = |r: std::ops::Range<usize>| value[r].parse::<i64>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Shape::OutOfRange { month: m, day: d };
    }
    Shape::Ok(y, m, d)
}

/// `2025-2-3` / `2025/02/03` → `2025-02-03` when that is a real date.
fn normalise(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.trim().split(['-', '/', '.']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let ok = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|c| c.is_ascii_digit())
    };
    if y.len() != 4 || !ok(y, 4) || !ok(m, 2) || !ok(d, 2) {
        return None;
    }
    let date = format!("{y}-{m:0>2}-{d:0>2}");
    days_from_civil(&date).map(|_| date)
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let today = days_from_civil(cx.today);
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let Some(date) = &env.compatibility_date else {
                continue;
            };
            if let Some(d) = finding(cx, date, today) {
                out.push(d.with_env(env.name_str()));
            }
        }
    }
    out
}

fn finding(cx: &Ctx, date: &Sp<String>, today: Option<i64>) -> Option<Diagnostic> {
    let value = date.as_str();
    let (message, help) = match shape(value) {
        Shape::Dashes(fixed) => (
            format!("compatibility date \"{value}\" uses en or em dashes instead of hyphens, which wrangler refuses"),
            format!("write it with ASCII hyphens: \"{fixed}\""),
        ),
        Shape::Malformed(Some(fixed)) => (
            format!("compatibility date \"{value}\" is not in YYYY-MM-DD form: wrangler accepts it, but the Workers runtime refuses it (\"Invalid compatibility date\")"),
            format!("write it as \"{fixed}\" (four-digit year, two-digit month and day)"),
        ),
        Shape::Malformed(None) => (
            format!("compatibility date \"{value}\" is not a YYYY-MM-DD date, which wrangler or the Workers runtime refuses"),
            format!("use a date in YYYY-MM-DD form, such as \"{}\" ({})", advised_date(cx.today), advised_as(cx.today)),
        ),
        Shape::OutOfRange { month, day } => {
            let what = if (1..=12).contains(&month) {
                format!("day {day} does not exist")
            } else {
                format!("month {month} does not exist")
            };
            (
                format!("compatibility date \"{value}\" is not a valid date ({what}), which wrangler refuses"),
                format!("use a real date in YYYY-MM-DD form, such as \"{}\" ({})", advised_date(cx.today), advised_as(cx.today)),
            )
        }
        Shape::Ok(..) => {
            let (Some(days), Some(today)) = (days_from_civil(value), today) else {
                return None; // not on the calendar (`compat-date-stale`), or no usable today
            };
            if days <= today {
                return newer_than_runtime(cx, date);
            }
            (
                format!(
                    "compatibility date {value} is in the future (today is {} UTC): Cloudflare refuses the upload (\"Can't set compatibility date in the future\") and `wrangler dev` will not start",
                    cx.today
                ),
                format!(
                    "use today's date or an earlier one: \"{}\"; Cloudflare compares with the date in UTC",
                    advised_date(cx.today)
                ),
            )
        }
    };
    Some(cx.diag(date.span, message).with_help(help))
}

/// A date Cloudflare accepts (not after today) that the checked-against wrangler's runtime does
/// not support yet: deploys work, `wrangler dev` does not run it. A warning.
fn newer_than_runtime(cx: &Ctx, date: &Sp<String>) -> Option<Diagnostic> {
    let value = date.as_str();
    if value <= NEWEST_SUPPORTED_DATE {
        return None;
    }
    let mut d = cx
        .diag(
            date.span,
            format!(
                "compatibility date {value} is newer than the newest date wrangler {WRANGLER_VERSION}'s runtime supports ({NEWEST_SUPPORTED_DATE}): deploys work, but `wrangler dev` and vitest cannot run the Worker with it"
            ),
        )
        .with_help(format!(
            "use \"{NEWEST_SUPPORTED_DATE}\" or earlier until a newer wrangler is installed (`npm i -D wrangler@latest`), or set an earlier date in the env used for local development"
        ));
    d.severity = Severity::Warning;
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(shape("2025-10-08"), Shape::Ok(2025, 10, 8));
        assert_eq!(shape("2025-02-30"), Shape::Ok(2025, 2, 30));
        assert_eq!(
            shape("2025\u{2013}10\u{2014}08"),
            Shape::Dashes("2025-10-08".into())
        );
        assert_eq!(
            shape("2025-2-3"),
            Shape::Malformed(Some("2025-02-03".into()))
        );
        assert_eq!(shape("20250101"), Shape::Malformed(None));
        assert_eq!(shape("2025-01-01T00:00:00Z"), Shape::Malformed(None));
        assert_eq!(shape(""), Shape::Malformed(None));
        assert_eq!(shape("2025-13-01"), Shape::OutOfRange { month: 13, day: 1 });
        assert_eq!(shape("2025-01-00"), Shape::OutOfRange { month: 1, day: 0 });
        assert_eq!(shape("2025-1é-01"), Shape::Malformed(None));
    }
}
