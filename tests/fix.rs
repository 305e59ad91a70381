//! `doforge check --fix` on the fixtures in `tests/fixtures/fix/<rule>/`: one case per file
//! (TOML, JSONC, blueprint YAML), each copied into a scratch directory under its real name
//! (`wrangler.toml`, `wrangler.jsonc`, `blueprint.yaml`) and fixed there, as a user would.
//!
//! Per case: the rule's finding is there and carries a fix before; after `--fix` (with
//! `--unsafe-fixes` for rules whose fix is unsafe) the finding is gone, nothing is reported that
//! was not reported before, every comment line of the original is still in the file, and a
//! second `--fix` changes nothing. The fixed text is an insta snapshot
//! (`tests/snapshots/fix__<rule>@<case>.snap`). `tests/fix_oracle.rs` runs real wrangler on the
//! fixed configs.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use doforge::check::{check_paths, CheckOptions, Report};
use doforge::diagnostics::{Applicability, Diagnostic};
use doforge::fix::{self, catalog};

/// The date fixtures are judged on (as in tests/rules.rs).
const TODAY: &str = "2026-06-01";

fn options() -> CheckOptions {
    CheckOptions {
        today: Some(TODAY.to_owned()),
        jobs: 1,
        ..CheckOptions::default()
    }
}

/// Every fixture: (rule, case file).
fn cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix");
    let mut out = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let rule = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (rule.clone(), f)));
    }
    out
}

/// The name the case is checked under.
pub fn real_name(case: &Path) -> &'static str {
    match case.extension().and_then(|e| e.to_str()) {
        Some("toml") => "wrangler.toml",
        Some("jsonc") => "wrangler.jsonc",
        _ => "blueprint.yaml",
    }
}

fn allowed(rule: &str) -> Applicability {
    catalog::fix_doc(rule)
        .and_then(|d| d.applicability)
        .unwrap_or_else(|| panic!("{rule} has a fixture but no fix docs"))
}

/// `(rule, env)` counts: what "nothing new" is judged on (as the fix engine judges it:
/// messages listing names change when a fix removes one).
fn kinds(report: &Report) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for d in &report.diagnostics {
        let env = d.env.clone().unwrap_or_default();
        *out.entry((d.rule.clone(), env)).or_default() += 1;
    }
    out
}

fn comment_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#') || l.starts_with("//") || l.starts_with("/*"))
        .collect()
}

/// Fix one case in a scratch dir; returns the fixed text.
fn fix_case(rule: &str, case: &Path, dir: &Path) -> String {
    let target = dir.join(real_name(case));
    std::fs::copy(case, &target).unwrap();
    let label = format!("{rule}/{}", case.file_name().unwrap().to_string_lossy());
    let before = check_paths(std::slice::from_ref(&target), &options());
    let ours: Vec<&Diagnostic> = before
        .diagnostics
        .iter()
        .filter(|d| d.rule == rule)
        .collect();
    assert!(
        !ours.is_empty(),
        "{label}: no `{rule}` finding before fixing"
    );
    assert!(
        ours.iter().all(|d| d.fix.is_some()),
        "{label}: a `{rule}` finding has no fix: {:#?}",
        ours.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    let kinds_before = kinds(&before);
    let original = std::fs::read_to_string(&target).unwrap();
    let run = fix::fix_report(before, &options(), allowed(rule));
    assert_eq!(run.refused, 0, "{label}: a fix was refused");
    for f in &run.files {
        fix::write_fixed(f).unwrap();
    }
    let fixed = std::fs::read_to_string(&target).unwrap();
    assert_ne!(fixed, original, "{label}: nothing changed");

    let after = check_paths(std::slice::from_ref(&target), &options());
    let left: Vec<_> = after
        .diagnostics
        .iter()
        .filter(|d| d.rule == rule)
        .collect();
    assert!(
        left.is_empty(),
        "{label}: still reported after --fix: {left:#?}\n{fixed}"
    );
    for (kind, n) in kinds(&after) {
        let had = kinds_before.get(&kind).copied().unwrap_or(0);
        assert!(
            n <= had,
            "{label}: new finding {kind:?} after --fix:\n{fixed}"
        );
    }
    let comments_after = comment_lines(&fixed);
    for c in comment_lines(&original) {
        // A suppression the fix removed is the only comment allowed to go.
        if rule == "unused-suppression" && c.contains("doforge-ignore") {
            continue;
        }
        assert!(
            comments_after.contains(&c),
            "{label}: lost comment `{c}`:\n{fixed}"
        );
    }
    // A second run has nothing left to do.
    let again = fix::fix_report(
        check_paths(std::slice::from_ref(&target), &options()),
        &options(),
        Applicability::Unsafe,
    );
    let changed: Vec<_> = again.files.iter().map(|f| f.masked_diff()).collect();
    assert!(
        again.files.is_empty() || rule_fixes_other(rule),
        "{label}: a second --fix changed the file:\n{}",
        changed.join("\n")
    );
    fixed
}

/// No case expects other rules' fixes to apply on top.
fn rule_fixes_other(_rule: &str) -> bool {
    false
}

#[test]
fn every_fixable_rule_fixes_its_fixtures() {
    let cases = cases();
    assert!(cases.len() >= 15, "fixtures missing: {}", cases.len());
    for (rule, case) in cases {
        let dir = tempfile::tempdir().unwrap();
        let fixed = fix_case(&rule, &case, dir.path());
        let name = format!("{rule}@{}", case.file_name().unwrap().to_string_lossy());
        insta::assert_snapshot!(name, fixed);
    }
}

#[test]
fn safe_runs_leave_unsafe_fixes_alone() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fix/env-binding-not-inherited/kv.toml");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("wrangler.toml");
    std::fs::copy(&case, &target).unwrap();
    let report = check_paths(std::slice::from_ref(&target), &options());
    let run = fix::fix_report(report, &options(), Applicability::Safe);
    assert!(run.files.is_empty(), "a safe run applied an unsafe fix");
    let (now, hidden) = fix::fixable_counts(&run.report.diagnostics, Applicability::Safe);
    assert_eq!((now, hidden), (0, 1));
}

fn doforge(args: &[&str], dir: &Path) -> (i32, String, String) {
    let today: &[&str] = if args[0] == "check" {
        &["--today", TODAY]
    } else {
        &[]
    };
    let out = Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args(args)
        .args(today)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn cli_diff_fix_and_unsafe_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix");
    // Safe (duplicate flag) and unsafe (env binding) fixes in one file.
    let text = std::fs::read_to_string(fixtures.join("compat-flag-duplicate/flags.toml")).unwrap()
        + "\n[[env.staging.kv_namespaces]]\nbinding = \"CACHE\"\nid = \"1f2ac74b498b48028cb68387c421e279\"\n\n[[kv_namespaces]]\nbinding = \"CACHE\"\nid = \"0f2ac74b498b48028cb68387c421e279\"\n\n[[r2_buckets]]\nbinding = \"FILES\"\nbucket_name = \"files\"\n";
    std::fs::write(dir.path().join("wrangler.toml"), &text).unwrap();

    let (code, out, _) = doforge(&["check"], dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error[compat-flag-duplicate]: [*] compatibility flag"),
        "{out}"
    );
    assert!(
        out.contains("[*] 2 fixable with `doforge check --fix`"),
        "{out}"
    );
    assert!(
        out.contains("1 more fixable with `--unsafe-fixes`"),
        "{out}"
    );

    let (code, json, _) = doforge(&["check", "--format", "json"], dir.path());
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let fixes: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["fix"].as_object().map(|_| &d["fix"]))
        .collect();
    assert_eq!(fixes.len(), 3, "{json}");
    let edit = &fixes[0]["edits"][0];
    for key in [
        "file",
        "start",
        "end",
        "line",
        "column",
        "end_line",
        "end_column",
        "content",
    ] {
        assert!(!edit[key].is_null(), "edit lacks {key}: {edit}");
    }
    assert!(fixes.iter().any(|f| f["applicability"] == "unsafe"));

    let (code, sarif, _) = doforge(&["check", "--format", "sarif"], dir.path());
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let with_fixes = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"]
                .is_u64()
        })
        .count();
    assert_eq!(with_fixes, 3, "{sarif}");

    // --diff writes nothing and exits 1.
    let (code, diff, err) = doforge(&["check", "--diff"], dir.path());
    assert_eq!(code, 1, "{diff}{err}");
    assert!(
        diff.starts_with("--- wrangler.toml\n+++ wrangler.toml\n@@"),
        "{diff}"
    );
    assert!(
        diff.contains(
            "-  \"nodejs_compat\", # pasted again by mistake\n+  # pasted again by mistake"
        ),
        "{diff}"
    );
    assert!(
        !diff.contains("+[[env.staging.r2_buckets]]") && !diff.contains("r2_buckets ="),
        "safe diff has the unsafe fix: {diff}"
    );
    assert!(err.contains("would fix 2 findings"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("wrangler.toml")).unwrap(),
        text
    );

    let (code, diff, _) = doforge(&["check", "--diff", "--unsafe-fixes"], dir.path());
    assert_eq!(code, 1);
    assert!(
        diff.contains("+r2_buckets = [{ binding = \"FILES\" }]"),
        "{diff}"
    );

    // --fix applies the safe ones and reports what is left.
    let (code, out, err) = doforge(&["check", "--fix"], dir.path());
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("doforge: fixed 2 findings (1 remaining)"),
        "{out}"
    );
    assert!(
        out.contains("warning[env-binding-not-inherited]: `r2_buckets`"),
        "{out}"
    );
    let (code, out, _) = doforge(&["check", "--fix", "--unsafe-fixes"], dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("doforge: fixed 1 finding (0 remaining)"),
        "{out}"
    );
    let (code, diff, _) = doforge(&["check", "--diff", "--unsafe-fixes"], dir.path());
    assert_eq!((code, diff.as_str()), (0, ""));
}

#[test]
fn diff_never_shows_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix");
    std::fs::copy(
        fixtures.join("secret-in-vars/token.toml"),
        dir.path().join("wrangler.toml"),
    )
    .unwrap();
    let (code, diff, _) = doforge(&["check", "--diff", "--unsafe-fixes"], dir.path());
    assert_eq!(code, 1);
    assert!(diff.contains("-STRIPE_SECRET_KEY = \"*"), "{diff}");
    assert!(!diff.contains("sk_live_51Doforge"), "{diff}");
}

#[test]
fn explain_says_how_a_rule_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out, _) = doforge(&["explain", "env-binding-not-inherited"], dir.path());
    assert!(
        out.contains("## Fix\n`doforge check --fix --unsafe-fixes` fixes it"),
        "{out}"
    );
    let (_, out, _) = doforge(&["explain", "placeholder-id"], dir.path());
    assert!(
        out.contains("## Fix\nNo automatic fix: the real id"),
        "{out}"
    );
}

#[test]
fn stdin_concise_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix");
    let case = fixtures.join("compat-flag-duplicate/flags.toml");
    let text = std::fs::read_to_string(&case).unwrap();
    std::fs::write(dir.path().join("wrangler.toml"), &text).unwrap();

    let (code, out, _) = doforge(&["check", "--output-format", "concise"], dir.path());
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("wrangler.toml:10:3: error[compat-flag-duplicate] [*] "),
        "{out}"
    );
    assert!(lines[1].ends_with("(env: staging)"), "{out}");
    assert_eq!(lines.len(), 4, "{out}");
    let (_, quiet, _) = doforge(&["check", "--format", "concise", "-q"], dir.path());
    assert_eq!(quiet.lines().count(), 2, "{quiet}");

    // stdin: the fixed text on stdout, what is left on stderr; nothing on disk changes.
    let out = Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args([
            "check",
            "-",
            "--stdin-filename",
            "wrangler.toml",
            "--fix",
            "--today",
            TODAY,
        ])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(&case).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let fixed = String::from_utf8(out.stdout).unwrap();
    let snapshot = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots/fix__compat-flag-duplicate@flags.toml.snap"),
    )
    .unwrap();
    assert!(
        snapshot.ends_with(&fixed),
        "stdin --fix differs from the file --fix:\n{fixed}"
    );
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("no problems found"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("wrangler.toml")).unwrap(),
        text
    );

    let (code, _, err) = doforge(&["check", "-", "--fix"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("--stdin-filename"), "{err}");
}

#[test]
fn add_noqa_suppresses_every_current_finding_and_nothing_else_changes() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let mut originals = Vec::new();
    for entry in walkdir::WalkDir::new(&seeds)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(&seeds).unwrap();
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
            originals.push((
                to,
                std::fs::read_to_string(entry.path()).unwrap_or_default(),
            ));
        }
    }
    let (code, _, _) = doforge(&["check", "-q"], dir.path());
    assert_eq!(code, 1, "the seeds have findings");
    let (code, out, err) = doforge(&["check", "--add-noqa"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("doforge: added "), "{out}");
    let (code, out, _) = doforge(&["check"], dir.path());
    assert_eq!(code, 0, "findings left after --add-noqa:\n{out}");
    // Only comment lines were added.
    for (path, before) in originals {
        let after = std::fs::read_to_string(&path).unwrap_or_default();
        let kept: Vec<&str> = after
            .lines()
            .filter(|l| !l.contains("doforge-ignore:") || before.contains(l))
            .collect();
        assert_eq!(
            kept,
            before.lines().collect::<Vec<_>>(),
            "{}",
            path.display()
        );
    }
}
