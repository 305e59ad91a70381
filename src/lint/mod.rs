//! The lint engine: runs every enabled rule over each resolved project (top level and every
//! environment — rules iterate them), applies settings (severity, options, `--select`/`--ignore`)
//! and inline suppressions.

pub mod docs;
pub mod environments;
pub mod git_history;
pub mod paths;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod runtime;
pub mod secret_mask;
pub mod settings;
pub mod source_scan;
pub mod suppress;
pub mod workspace;

use std::collections::HashSet;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Project;
use crate::source::Node;

pub use rule::{Category, Ctx, Input, Rule};
pub use settings::SettingsFinder;
use settings::{Level, Settings};
pub use workspace::Workspace;

/// One project to lint, with what rules may look at besides the model.
pub struct LintInput<'a> {
    pub project: &'a Project,
    pub root: &'a Node,
    pub path: &'a Path,
}

/// Run the enabled rules on one project of the workspace; returns its findings (deduplicated:
/// an inherited problem seen from several envs is reported once, at the first env that has it).
pub fn lint_project(
    input: &LintInput,
    workspace: &Workspace,
    settings: &Settings,
    today: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let format = input.project.file.format;
    for rule in registry::all() {
        if !rule.applies_to.iter().any(|i| i.matches(format)) {
            continue;
        }
        let Level::On(severity) = settings.level(rule) else {
            continue;
        };
        let cx = Ctx {
            project: input.project,
            root: input.root,
            workspace,
            options: settings.options(rule.name),
            today,
            rule,
        };
        for mut d in (rule.check)(&cx) {
            d.severity = configured_severity(d.severity, rule.default_severity, severity);
            let key = (
                d.rule.clone(),
                d.primary.file.path.clone(),
                d.primary.span,
                d.message.clone(),
            );
            if seen.insert(key) {
                out.push(d);
            }
        }
    }
    out
}

/// The severity a finding is reported at. Rules report at their default severity, except where a
/// rule deliberately reports a weaker (or stronger) form of its problem at another level (e.g.
/// `queue-without-consumer`: a queue nobody consumes is a warning, a consumer nobody produces to an
/// info). Settings move every finding of a rule by as many levels as the configured level is from
/// the rule's default, clamped to error..info: with the default settings such a finding keeps its
/// own level, `deny` (error) on a warning rule makes its warnings errors and its infos warnings,
/// `warn` on an error rule makes its errors warnings and its warnings infos.
pub fn configured_severity(emitted: Severity, default: Severity, configured: Severity) -> Severity {
    fn rank(s: Severity) -> i8 {
        match s {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }
    }
    match (rank(emitted) + rank(configured) - rank(default)).clamp(0, 2) {
        0 => Severity::Error,
        1 => Severity::Warning,
        _ => Severity::Info,
    }
}

/// The configured severity of `unused-suppression` for a file (None when allowed).
pub fn unused_suppression_level(settings: &Settings) -> Option<Severity> {
    match registry::find(suppress::UNUSED).map(|r| settings.level(r)) {
        Some(Level::On(s)) => Some(s),
        _ => None,
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (Howard Hinnant's civil-from-days).
pub fn civil_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD` → days since 1970-01-01, when it is a real calendar date.
pub fn days_from_civil(date: &str) -> Option<i64> {
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_len = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d > month_len[(m - 1) as usize] {
        return None;
    }
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_levels_shift_findings_relative_to_the_default() {
        use Severity::{Error, Info, Warning};
        // Default settings: a finding keeps the level the rule gave it.
        assert_eq!(configured_severity(Warning, Warning, Warning), Warning);
        assert_eq!(configured_severity(Info, Warning, Warning), Info);
        assert_eq!(configured_severity(Error, Warning, Warning), Error);
        // `deny` on a warning rule raises everything one level.
        assert_eq!(configured_severity(Warning, Warning, Error), Error);
        assert_eq!(configured_severity(Info, Warning, Error), Warning);
        // `warn` on an error rule lowers everything one level, clamped at info.
        assert_eq!(configured_severity(Error, Error, Warning), Warning);
        assert_eq!(configured_severity(Info, Error, Warning), Info);
        assert_eq!(configured_severity(Error, Info, Error), Error);
    }

    #[test]
    fn civil_dates_round_trip() {
        for (days, date) in [
            (0, "1970-01-01"),
            (19_723, "2024-01-01"),
            (20_415, "2025-11-23"),
            (11_016, "2000-02-29"),
        ] {
            assert_eq!(civil_from_days(days), date);
            assert_eq!(days_from_civil(date), Some(days));
        }
        assert_eq!(days_from_civil("2025-02-29"), None);
        assert_eq!(days_from_civil("2025-13-01"), None);
    }
}
