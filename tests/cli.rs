//! End-to-end tests of the `doforge` binary: arguments, exit codes, output formats.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Run doforge with dates judged against a fixed day, so output does not age.
fn doforge(args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    if args.first() == Some(&"check") {
        all.push("--today=2026-06-01");
    }
    Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args(&all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run doforge")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

const SEED_002: &str = "tests/fixtures/seeds/002-template/wrangler.toml";
const SEED_003: &str = "tests/fixtures/seeds/003-chittyconnect/wrangler.toml";

#[test]
fn json_output_is_one_document_with_the_documented_shape() {
    let o = doforge(&["check", SEED_003, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON document");
    assert_eq!(doc["version"], 1);
    let diags = doc["diagnostics"].as_array().unwrap();
    let classes = diags
        .iter()
        .find(|d| d["rule"] == "unknown-field")
        .expect("seed 003's `durable_objects.classes` is unknown to wrangler");
    for key in [
        "rule",
        "severity",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "env",
    ] {
        assert!(classes.get(key).is_some(), "missing {key}");
    }
    assert_eq!(classes["file"], SEED_003);
    // `classes = [` is on line 9 of the fixture, at column 1.
    assert_eq!(
        (classes["line"].as_u64(), classes["column"].as_u64()),
        (Some(9), Some(1))
    );
    assert_eq!(doc["summary"]["files"], 1);
    assert!(doc["summary"]["warnings"].as_u64().unwrap() >= 1);
}

#[test]
fn toml_syntax_error_exits_2_at_the_right_line() {
    let o = doforge(&[
        "check",
        "tests/fixtures/robustness/toml-syntax/wrangler.toml",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(d["rule"], "syntax");
    assert_eq!(d["line"], 4, "{d}");
}

#[test]
fn human_output_names_file_line_and_column_without_colour() {
    let o = doforge(&["check", SEED_003]);
    let text = stdout(&o);
    assert!(
        text.contains("tests/fixtures/seeds/003-chittyconnect/wrangler.toml:9:1"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "NO_COLOR output must not contain escapes"
    );
    assert!(text.contains("doforge:"), "summary line: {text}");
}

#[test]
fn exit_zero_keeps_findings_but_not_tool_failures() {
    assert_eq!(
        doforge(&["check", SEED_003, "--exit-zero"]).status.code(),
        Some(0)
    );
    assert_eq!(
        doforge(&["check", "does/not/exist.toml", "--exit-zero"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(
        doforge(&["check", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(doforge(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(doforge(&["--help"]).status.code(), Some(0));
}

#[test]
fn an_unsupported_file_exits_2() {
    let o = doforge(&["check", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

#[test]
fn env_flag_limits_findings_to_that_env() {
    let all = doforge(&[
        "check",
        "tests/fixtures/equivalent/toml/wrangler.toml",
        "--format",
        "json",
    ]);
    let staging = doforge(&[
        "check",
        "tests/fixtures/equivalent/toml/wrangler.toml",
        "--format",
        "json",
        "--env",
        "staging",
    ]);
    let count_env = |o: &Output, env: &str| {
        let doc: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["env"] == env)
            .count()
    };
    assert!(count_env(&all, "staging") > 0);
    assert_eq!(count_env(&staging, "staging"), count_env(&all, "staging"));
    let missing = doforge(&[
        "check",
        "tests/fixtures/equivalent/toml/wrangler.toml",
        "--env",
        "prod",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stdout(&missing).contains("no environment named `prod`"));
}

#[test]
fn directories_are_walked_and_vendor_dirs_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        let dest = dir.path().join(to);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(from), dest).unwrap();
    };
    copy(SEED_002, "svc/a/wrangler.toml");
    copy(SEED_003, "svc/b/wrangler.toml");
    copy(
        "tests/fixtures/robustness/toml-syntax/wrangler.toml",
        "node_modules/pkg/wrangler.toml",
    );
    let o = doforge(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["summary"]["files"], 2, "{doc}");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn schema_prints_the_blueprint_schema() {
    let o = doforge(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(schema["properties"]["project_name"].is_object());
}

#[test]
fn blueprint_with_bad_class_names_is_a_schema_finding() {
    for (file, bad) in [
        ("invalid-class-name-path.yaml", "../evil"),
        ("invalid-class-name-space.yaml", "Chat Room"),
    ] {
        let path = format!("tests/fixtures/blueprints/{file}");
        let o = doforge(&["check", &path, "--format", "json"]);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let d = &doc["diagnostics"][0];
        assert_eq!(d["rule"], "schema");
        assert!(d["message"].as_str().unwrap().contains(bad), "{d}");
        // The finding points at the class name value itself.
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&path)).unwrap();
        let line = text
            .lines()
            .nth(d["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        assert!(line.contains(bad), "line {} is `{line}`", d["line"]);
    }
}

#[test]
fn sarif_and_github_formats_render() {
    let sarif = doforge(&["check", SEED_003, "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&sarif)).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let github = doforge(&["check", SEED_003, "--format", "github"]);
    let text = stdout(&github);
    let annotation = text
        .lines()
        .find(|l| l.contains("title=unknown-field"))
        .unwrap_or_default();
    assert!(
        annotation.starts_with(
            "::warning file=tests/fixtures/seeds/003-chittyconnect/wrangler.toml,line=9,col=1"
        ),
        "{text}"
    );
}

#[test]
fn a_closed_stdout_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args(["check", "tests/fixtures", "--exit-zero"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The fixture tree holds files that cannot be parsed, so a completed run exits 2; a broken
    // pipe must not turn into a panic or an I/O error message.
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn rules_and_explain() {
    let o = doforge(&["rules", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"unknown-field") && names.contains(&"env-binding-not-inherited"),
        "{names:?}"
    );
    let human = stdout(&doforge(&["rules"]));
    assert!(human.contains("unknown-field"));

    let o = doforge(&["explain", "unknown-field"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for section in [
        "## What it does",
        "## Why it matters",
        "## Example",
        "## Use instead",
        "## References",
    ] {
        assert!(text.contains(section), "{section} missing from:\n{text}");
    }
    let o = doforge(&["explain", "unknwon-field"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Did you mean `unknown-field`"));
}

#[test]
fn select_ignore_and_settings_files_control_rules() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("svc/wrangler.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED_003),
        &config,
    )
    .unwrap();
    let path = config.to_str().unwrap();
    let rules_of = |o: &Output| -> Vec<String> {
        let doc: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = rules_of(&doforge(&["check", path, "--format", "json"]));
    assert!(all.iter().any(|r| r == "unknown-field"), "{all:?}");

    let ignored = rules_of(&doforge(&[
        "check",
        path,
        "--format",
        "json",
        "--ignore",
        "unknown-field",
    ]));
    assert!(!ignored.iter().any(|r| r == "unknown-field"), "{ignored:?}");
    let selected = rules_of(&doforge(&[
        "check",
        path,
        "--format",
        "json",
        "--select",
        "unknown-field",
    ]));
    assert!(
        selected.iter().all(|r| r == "unknown-field"),
        "{selected:?}"
    );
    assert_eq!(
        doforge(&["check", path, "--select", "no-such-rule"])
            .status
            .code(),
        Some(2)
    );

    // A doforge.toml above the config turns the rule off, or makes it an error.
    std::fs::write(
        dir.path().join("doforge.toml"),
        "[lint]\nallow = [\"unknown-field\"]\n",
    )
    .unwrap();
    let allowed = rules_of(&doforge(&["check", path, "--format", "json"]));
    assert!(!allowed.iter().any(|r| r == "unknown-field"), "{allowed:?}");
    std::fs::write(
        dir.path().join("doforge.toml"),
        "[lint]\ndeny = [\"unknown-field\"]\n",
    )
    .unwrap();
    let o = doforge(&["check", path, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unknown-field")
        .unwrap();
    assert_eq!(d["severity"], "error");

    // A misspelled rule in the settings file is itself reported, at its place in doforge.toml.
    std::fs::write(
        dir.path().join("doforge.toml"),
        "[lint]\nallow = [\"unknown-feild\"]\n",
    )
    .unwrap();
    let o = doforge(&["check", path, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unknown-rule")
        .expect("unknown-rule finding");
    assert!(d["file"].as_str().unwrap().ends_with("doforge.toml"), "{d}");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(10))
    );
}

/// `check` and `generate` see the same project: with a `doforge.lock` beside the blueprint,
/// `check` reports what `generate` would refuse (here a class removed without a tombstone),
/// positioned in the blueprint; a lock that is not one is an error, not silence.
#[test]
fn check_reports_what_generate_would_refuse_from_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let bp = dir.path().join("blueprint.yaml");
    let blueprint = |classes: &str| {
        format!("project_name: app\nprovider: cloudflare\ncompatibility_date: \"2026-01-15\"\nresources:\n  - {{ id: w, type: cloudflare_worker, config: {{ main: src/index.ts }} }}\ndurable_objects:\n{classes}")
    };
    let room = "  - { class_name: Room, kind: chat_room, instances: { route: \"/room/:id/*\", key: \"{id}\" } }\n";
    let cart = "  - { class_name: Cart, kind: counter, instances: { route: \"/cart/:id/*\", key: \"{id}\" } }\n";
    let bindings = |names: &[&str]| {
        let mut b = "bindings:\n".to_owned();
        for n in names {
            b.push_str(&format!(
                "  - {{ name: {}, target: {n} }}\n",
                n.to_uppercase()
            ));
        }
        b
    };
    std::fs::write(
        &bp,
        blueprint(&format!("{room}{cart}{}", bindings(&["Room", "Cart"]))),
    )
    .unwrap();
    let (bp_s, out_s) = (bp.to_str().unwrap(), dir.path().to_str().unwrap());
    let o = doforge(&["generate", bp_s, "--out", out_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = doforge(&["check", bp_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // `Cart` vanishes without `deleted: true`: generate refuses, and so does check.
    std::fs::write(&bp, blueprint(&format!("{room}{}", bindings(&["Room"])))).unwrap();
    let o = doforge(&["generate", bp_s, "--out", out_s]);
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = doforge(&["check", bp_s, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let found = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "class-removed-without-tombstone")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert!(
        found["message"].as_str().unwrap().contains("Cart"),
        "{found:#}"
    );
    assert!(
        found["file"].as_str().unwrap().ends_with("blueprint.yaml"),
        "{found:#}"
    );

    // A lock that cannot be read is reported, not ignored.
    std::fs::write(dir.path().join("doforge.lock"), "not a lock").unwrap();
    let o = doforge(&["check", bp_s]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("lock-unreadable"), "{}", stdout(&o));
}
