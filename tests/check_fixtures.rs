//! Every fixture file under tests/fixtures is checked through the library and its rendered
//! diagnostics (human, no colour, width 100) are snapshot-tested: a new file is a new test.
//! Also: no input may panic, and the exit code must match the kind of problem.

use std::path::{Path, PathBuf};

use doforge::check::{check_paths, CheckOptions};
use doforge::diagnostics::render::{render, OutputFormat, RenderOptions};

/// Fixture runs do not depend on the calendar or on uncommitted edits: today is pinned and the
/// git-history rule is off (it compares the working tree with HEAD).
fn options() -> CheckOptions {
    CheckOptions {
        today: Some("2026-06-01".to_owned()),
        ignore: vec!["migration-history-rewritten".to_owned()],
        ..CheckOptions::default()
    }
}

fn rendered(path: &Path, format: OutputFormat) -> (String, i32) {
    let report = check_paths(&[path.to_path_buf()], &options());
    let mut out = Vec::new();
    let options = RenderOptions {
        color: false,
        width: 100,
    };
    render(
        format,
        &report.diagnostics,
        &report.summary,
        &[],
        &options,
        &mut out,
    )
    .unwrap();
    (String::from_utf8(out).unwrap(), report.exit_code(false))
}

/// Paths in output relative to the repo root, whatever the working directory.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

/// Snapshot every file matching `glob_pattern` under tests/fixtures as `<group>@<file>.snap`.
fn snapshot_dir(group: &str, glob_pattern: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    insta::glob!("fixtures", glob_pattern, |path| {
        if path.is_dir() {
            return;
        }
        let (text, code) = rendered(&relative(path), OutputFormat::Human);
        insta::assert_snapshot!(group, format!("exit code: {code}\n\n{text}"));
    });
}

#[test]
fn seed_configs() {
    snapshot_dir("seeds", "seeds/*/wrangler.*");
}

#[test]
fn blueprints() {
    snapshot_dir("blueprints", "blueprints/*.yaml");
}

/// The shipped examples must load and check clean (the seed-002 example unchanged).
#[test]
fn examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    insta::glob!("../examples", "**/*.yaml", |path| {
        let (text, code) = rendered(&relative(path), OutputFormat::Human);
        assert_eq!(code, 0, "{text}");
        insta::assert_snapshot!("examples", format!("exit code: {code}\n\n{text}"));
    });
}

#[test]
fn robustness_inputs() {
    snapshot_dir("robustness", "robustness/**/*");
}

#[test]
fn same_config_as_toml_and_jsonc_gives_the_same_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/fixtures/equivalent");
    let summarize = |file: &str| -> Vec<(String, String, Option<String>, String)> {
        let report = check_paths(&[dir.join(file)], &options());
        report
            .diagnostics
            .iter()
            .map(|d| {
                // The line each finding points at, as text: equal findings point at equal lines.
                let (line, _) = d.primary.start();
                let text = d.primary.file.line_text(line).trim().to_owned();
                (d.rule.clone(), d.message.clone(), d.env.clone(), text)
            })
            .collect()
    };
    let toml = summarize("toml/wrangler.toml");
    let jsonc = summarize("jsonc/wrangler.jsonc");
    assert!(
        !toml.is_empty(),
        "the equivalent fixture must produce findings"
    );
    let rules = |v: &[(String, String, Option<String>, String)]| -> Vec<(String, Option<String>)> {
        v.iter()
            .map(|(r, _, e, _)| (r.clone(), e.clone()))
            .collect()
    };
    assert_eq!(rules(&toml), rules(&jsonc));
    for ((_, _, _, t), (_, _, _, j)) in toml.iter().zip(&jsonc) {
        // Each finding points at the same key in both files (quotes differ between formats).
        let key = |s: &str| {
            let k = s.split(['=', ':']).next().unwrap().trim();
            let k = k.trim_matches(|c| c == '"' || c == '[' || c == ']');
            k.rsplit('.').next().unwrap().to_owned()
        };
        assert_eq!(key(t), key(j), "toml line `{t}` vs jsonc line `{j}`");
    }
}

#[test]
fn a_one_megabyte_blueprint_is_checked_without_trouble() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.blueprint.yaml");
    let mut text = String::from("project_name: big\nprovider: cloudflare\ncompatibility_date: \"2025-10-08\"\nresources:\n  - { id: api, type: cloudflare_worker }\ndurable_objects:\n");
    let mut i = 0;
    while text.len() < 1024 * 1024 {
        text.push_str(&format!(
            "  - {{ class_name: Room{i}, kind: chat_room, instances: {{ route: \"/r{i}/:id\", key: \"{{id}}\" }} }}\n"
        ));
        i += 1;
    }
    std::fs::write(&path, &text).unwrap();
    let report = check_paths(&[path], &options());
    assert!(
        !report.fatal,
        "{:?}",
        report.diagnostics.first().map(|d| &d.message)
    );
    assert_eq!(report.files[0].project.as_ref().unwrap().classes.len(), i);
}

/// Finding the files: `wrangler.<variant>.*` in a directory walk, explicit files whatever their
/// name, and exit 2 for a file that is another tool's or a path that yields nothing.
#[test]
fn files_are_found_by_variant_and_explicit_files_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let config = "name = \"agg\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2026-01-15\"\n";
    std::fs::write(root.join("wrangler.aggregator.toml"), config).unwrap();
    std::fs::write(root.join("wrangler.toml.dev"), config).unwrap();
    std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    std::fs::create_dir(root.join("empty")).unwrap();

    let walked = check_paths(&[root.to_path_buf()], &options());
    let names: Vec<String> = walked
        .files
        .iter()
        .map(|f| {
            f.file
                .path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["wrangler.aggregator.toml"]);
    assert_eq!(walked.exit_code(false), 0);

    let explicit = check_paths(&[root.join("wrangler.toml.dev")], &options());
    assert_eq!(explicit.exit_code(false), 0, "{:?}", explicit.diagnostics);
    assert_eq!(explicit.summary.files, 1);

    for bad in [root.join("Cargo.toml"), root.join("empty")] {
        let report = check_paths(std::slice::from_ref(&bad), &options());
        assert_eq!(report.exit_code(true), 2, "{}", bad.display());
        let message = &report.diagnostics[0].message;
        assert!(
            message.contains("a Cargo manifest") || message.contains("found no wrangler config"),
            "{message}"
        );
    }
}

/// After the bundled runtime's newest date, advice stops at that date and a newer date is a
/// warning (deploys work, `wrangler dev` does not).
#[test]
fn compatibility_advice_never_passes_the_runtime_date() {
    use doforge::lint::runtime::NEWEST_SUPPORTED_DATE;
    use doforge::source::{Format, SourceFile};
    let opts = CheckOptions {
        today: Some("2026-12-01".to_owned()),
        ..options()
    };
    let newer = SourceFile::new(
        "wrangler.toml",
        Format::WranglerToml,
        "name = \"a\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2026-11-30\"\n".to_owned(),
    );
    let report = doforge::check::check_sources(&[newer], &opts);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "compat-date-invalid")
        .expect("a date newer than the runtime's is flagged");
    assert_eq!(d.severity, doforge::diagnostics::Severity::Warning);
    assert!(d.help.as_deref().unwrap().contains(NEWEST_SUPPORTED_DATE));
    let missing = SourceFile::new(
        "wrangler.toml",
        Format::WranglerToml,
        "name = \"a\"\nmain = \"src/index.ts\"\n".to_owned(),
    );
    let report = doforge::check::check_sources(&[missing], &opts);
    let help = report.diagnostics[0].help.clone().unwrap();
    assert!(
        help.contains(NEWEST_SUPPORTED_DATE) && !help.contains("2026-12-01"),
        "{help}"
    );
}

/// Output safety: every value `secret-in-vars` would flag is masked in every snippet of every
/// format, although that rule is off in tests/fixtures/masking (its doforge.toml) and the
/// snippets belong to other findings (a misspelt key, a schema error, a syntax error).
#[test]
fn secret_values_are_masked_in_every_format() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let secrets = [
        "sk_live_51DoforgeMaskFixture000000",
        "Tr0ub4dor-and-3",
        "ghp_DoforgeMaskFixture0123456789abcdefABCD",
        "correct-horse-battery-staple",
        "q8Rz3Kp1Xw7Lm2Nb5Vc9Tf4Hg6Jd0Ys",
        "tok-7Hq2xLm9-DoforgeMask",
        "hunter2-DoforgeMask",
    ];
    for (name, format) in [
        ("human", OutputFormat::Human),
        ("concise", OutputFormat::Concise),
        ("json", OutputFormat::Json),
        ("sarif", OutputFormat::Sarif),
        ("github", OutputFormat::Github),
    ] {
        let (text, code) = rendered(Path::new("tests/fixtures/masking"), format);
        assert_eq!(code, 2, "the syntax error makes it exit 2:\n{text}");
        for s in secrets {
            // Not the value, and not the part after a short shown prefix.
            for shown in [s, &s[4..]] {
                assert!(!text.contains(shown), "{name} shows {shown:?}:\n{text}");
            }
        }
        assert!(
            !text.contains("secret-in-vars"),
            "the rule is off here:\n{text}"
        );
        insta::assert_snapshot!(format!("masking_{name}"), text);
    }
}
