//! Rule fixtures: `tests/fixtures/rules/<rule>/` holds, for every input format the rule applies
//! to, at least one failing and one passing case:
//!
//! * files `fail*.{yaml,toml,jsonc}` / `pass*.{yaml,toml,jsonc}` (the extension gives the format:
//!   yaml = blueprint, toml = wrangler.toml, jsonc = wrangler.jsonc), or
//! * directories `fail*/` / `pass*/`, checked like `doforge check DIR` (cross-file cases, settings
//!   files); they count for the formats of the files inside.
//!
//! Every case is snapshot-tested (human output, no colour); a failing case must report the rule,
//! a passing case must not. (`migration-history-rewritten` needs a git repository for a failing
//! case; it has passing fixtures here and its failing cases in tests/migration_history.rs.) Dates are judged against a pinned "today" so snapshots do not age.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use doforge::check::{check_classified, check_paths, CheckOptions, Report};
use doforge::diagnostics::render::{render, OutputFormat, RenderOptions};
use doforge::lint::{registry, Input};
use doforge::source::Format;

/// The date fixtures are judged on.
pub const TODAY: &str = "2026-06-01";

/// `migration-history-rewritten` compares a file with its version in git's `HEAD`. The fixtures
/// live in doforge's own repository, so its findings would depend on whether a fixture has
/// uncommitted edits; it only runs on its own fixtures (which must stay as committed).
const GIT_HISTORY_RULE: &str = "migration-history-rewritten";

fn options(rule: &str) -> CheckOptions {
    CheckOptions {
        today: Some(TODAY.to_owned()),
        ignore: if rule == GIT_HISTORY_RULE {
            Vec::new()
        } else {
            vec![GIT_HISTORY_RULE.to_owned()]
        },
        ..CheckOptions::default()
    }
}

/// Rules whose failing case cannot be a fixture file; each is tested elsewhere and still needs
/// passing fixtures.
fn failing_fixture_exempt(rule: &str) -> bool {
    // A failing case needs a git repository with a commit to compare against; a `fail*/`
    // directory inside doforge's own repository cannot be one (nested `.git` directories are
    // not committed). tests/migration_history.rs builds such a repository in a temp dir.
    rule == GIT_HISTORY_RULE
}

fn format_of(path: &Path) -> Option<(Format, Input)> {
    match path.extension()?.to_str()? {
        "yaml" | "yml" => Some((Format::Blueprint, Input::Blueprint)),
        "toml" => Some((Format::WranglerToml, Input::WranglerToml)),
        "jsonc" | "json" => Some((Format::WranglerJson, Input::WranglerJsonc)),
        _ => None,
    }
}

fn inputs_in_dir(dir: &Path) -> BTreeSet<&'static str> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| format_of(e.path()).map(|(_, i)| i.extension()))
        .collect()
}

fn render_report(report: &Report) -> String {
    let mut out = Vec::new();
    let opts = RenderOptions {
        color: false,
        width: 100,
    };
    render(
        OutputFormat::Human,
        &report.diagnostics,
        &report.summary,
        &[],
        &opts,
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_rule_has_failing_and_passing_fixtures_that_behave() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let fixtures = Path::new("tests/fixtures/rules");
    let mut problems = Vec::new();
    for rule in registry::all() {
        let dir = fixtures.join(rule.name);
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(_) => {
                problems.push(format!(
                    "{}: no fixture directory {}",
                    rule.name,
                    dir.display()
                ));
                continue;
            }
        };
        entries.sort();
        let mut covered: BTreeSet<(bool, &str)> = BTreeSet::new();
        for entry in &entries {
            let name = entry.file_name().unwrap().to_string_lossy().into_owned();
            let failing = if name.starts_with("fail") {
                true
            } else if name.starts_with("pass") {
                false
            } else {
                continue;
            };
            let report = if entry.is_dir() {
                for i in inputs_in_dir(entry) {
                    covered.insert((failing, i));
                }
                check_paths(std::slice::from_ref(entry), &options(rule.name))
            } else {
                let Some((format, input)) = format_of(entry) else {
                    continue;
                };
                covered.insert((failing, input.extension()));
                check_classified(&[(entry.clone(), format)], &options(rule.name))
            };
            let fired = report.diagnostics.iter().any(|d| d.rule == rule.name);
            if failing && !fired {
                problems.push(format!(
                    "{}: {} does not report the rule",
                    rule.name,
                    entry.display()
                ));
            }
            if !failing && fired {
                problems.push(format!(
                    "{}: {} reports the rule but should pass",
                    rule.name,
                    entry.display()
                ));
            }
            let text = format!(
                "exit code: {}\n\n{}",
                report.exit_code(false),
                render_report(&report)
            );
            insta::assert_snapshot!(format!("{}__{}", rule.name, name), text);
        }
        for input in rule.applies_to {
            for failing in [true, false] {
                if failing && failing_fixture_exempt(rule.name) {
                    continue;
                }
                if !covered.contains(&(failing, input.extension())) {
                    problems.push(format!(
                        "{}: no {} fixture for .{}",
                        rule.name,
                        if failing { "failing" } else { "passing" },
                        input.extension()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
