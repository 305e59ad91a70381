//! `--format sarif`: a SARIF 2.1.0 log with one run, for GitHub code scanning and other consumers.
//!
//! The driver lists the rules that ran (from the caller) followed by any other rule id that a
//! diagnostic names (built-in checks such as `syntax` and `schema`), sorted. Columns count Unicode
//! scalar values (`columnKind: unicodeCodePoints`); `endColumn` points just past the last
//! character, as SARIF's regions do. Relative paths are given against `%SRCROOT%`. Output is
//! deterministic: no timestamps, no absolute paths we did not get, stable ordering. A finding
//! with a fix carries it as `fixes[0]`: one `artifactChange` per file, each edit a `replacement`
//! (an empty `deletedRegion` inserts), and the fix's applicability in its `properties`.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Map, Value};

use super::RuleDoc;
use crate::diagnostics::{Diagnostic, Fix, Label, Severity};

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const SARIF_VERSION: &str = "2.1.0";
/// The base id relative artifact URIs are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

const TOOL_NAME: &str = "doforge";
const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The package's repository or homepage when Cargo.toml names one, else its crates.io page.
const INFORMATION_URI: &str = first_non_empty(
    env!("CARGO_PKG_REPOSITORY"),
    env!("CARGO_PKG_HOMEPAGE"),
    "https://crates.io/crates/doforge",
);

const fn first_non_empty(a: &'static str, b: &'static str, c: &'static str) -> &'static str {
    if !a.is_empty() {
        a
    } else if !b.is_empty() {
        b
    } else {
        c
    }
}

pub(super) fn render(
    diagnostics: &[Diagnostic],
    rules: &[RuleDoc],
    out: &mut dyn Write,
) -> io::Result<()> {
    let log = sarif_log(diagnostics, rules);
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// The whole SARIF log as a JSON value.
pub fn sarif_log(diagnostics: &[Diagnostic], rules: &[RuleDoc]) -> Value {
    // Rule table: the caller's rules in their order (first wins on duplicates), then the ids
    // only diagnostics mention, sorted.
    let mut descriptors = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for r in rules {
        if !index.contains_key(r.name.as_str()) {
            index.insert(&r.name, descriptors.len());
            descriptors.push(rule_descriptor(r));
        }
    }
    let extra: BTreeSet<&str> = diagnostics
        .iter()
        .map(|d| d.rule.as_str())
        .filter(|id| !index.contains_key(id))
        .collect();
    for id in extra {
        index.insert(id, descriptors.len());
        descriptors.push(rule_descriptor(&RuleDoc {
            name: id.to_owned(),
            summary: builtin_summary(id).to_owned(),
            help_uri: None,
            help: None,
        }));
    }

    let secrets = crate::diagnostics::fix::secret_texts(diagnostics);
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| result(d, index[d.rule.as_str()], &secrets))
        .collect();

    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "version": TOOL_VERSION,
                    "semanticVersion": TOOL_VERSION,
                    "informationUri": INFORMATION_URI,
                    "rules": descriptors,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn builtin_summary(id: &str) -> &'static str {
    match id {
        "syntax" => "The file could not be parsed.",
        "schema" => "The file does not match the expected schema.",
        _ => "",
    }
}

fn rule_descriptor(doc: &RuleDoc) -> Value {
    let id = doc.name.as_str();
    let mut r = Map::new();
    r.insert("id".into(), id.into());
    r.insert("name".into(), id.into());
    let text = if doc.summary.is_empty() {
        id
    } else {
        &doc.summary
    };
    r.insert("shortDescription".into(), json!({ "text": text }));
    let uri = doc.help_uri.as_deref().filter(|u| !u.is_empty());
    // `help.text` is what a viewer without Markdown shows: the summary and where to read more.
    let mut help_text = format!("{text}\n\nRun `doforge explain {id}` for the full explanation.");
    if let Some(uri) = uri {
        help_text.push_str(&format!(" Docs: {uri}"));
    }
    let mut help = Map::new();
    help.insert("text".into(), help_text.into());
    if let Some(md) = doc.help.as_deref().filter(|m| !m.is_empty()) {
        help.insert("markdown".into(), md.into());
    }
    r.insert("help".into(), Value::Object(help));
    if let Some(uri) = uri {
        r.insert("helpUri".into(), uri.into());
    }
    Value::Object(r)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

type Secrets = std::collections::HashMap<std::path::PathBuf, Vec<String>>;

fn result(d: &Diagnostic, rule_index: usize, secrets: &Secrets) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut primary = location(&d.primary);
    if let Some(m) = &d.primary.message {
        primary["message"] = json!({ "text": m });
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), d.rule.as_str().into());
    r.insert("ruleIndex".into(), rule_index.into());
    r.insert("level".into(), level(d.severity).into());
    r.insert("message".into(), json!({ "text": text }));
    r.insert("locations".into(), json!([primary]));
    if !d.secondary.is_empty() {
        let related: Vec<Value> = d
            .secondary
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut loc = Map::new();
                loc.insert("id".into(), json!(i + 1));
                if let Value::Object(rest) = location(l) {
                    loc.extend(rest);
                }
                if let Some(m) = &l.message {
                    loc.insert("message".into(), json!({ "text": m }));
                }
                Value::Object(loc)
            })
            .collect();
        r.insert("relatedLocations".into(), related.into());
    }
    if let Some(fix) = &d.fix {
        r.insert("fixes".into(), json!([sarif_fix(fix, secrets)]));
    }
    if let Some(env) = &d.env {
        r.insert("properties".into(), json!({ "env": env }));
    }
    Value::Object(r)
}

fn sarif_fix(fix: &Fix, secrets: &Secrets) -> Value {
    let mut changes: Vec<(String, Vec<Value>)> = Vec::new();
    for e in &fix.edits {
        let path = e.file.display_path();
        let (start_line, start_column) = e.file.line_col(e.span.start);
        let (end_line, end_column) = e.file.line_col(e.span.end);
        let replacement = json!({
            "deletedRegion": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            },
            "insertedContent": { "text": e.shown_content(secrets.get(&e.file.path)) },
        });
        match changes.iter_mut().find(|(p, _)| *p == path) {
            Some((_, r)) => r.push(replacement),
            None => changes.push((path, vec![replacement])),
        }
    }
    let changes: Vec<Value> = changes
        .into_iter()
        .map(|(path, replacements)| {
            json!({ "artifactLocation": artifact_location(&path), "replacements": replacements })
        })
        .collect();
    json!({
        "description": { "text": fix.message },
        "artifactChanges": changes,
        "properties": { "applicability": fix.applicability.as_str() },
    })
}

fn location(l: &Label) -> Value {
    let (start_line, start_column) = l.start();
    let (end_line, end_column) = l.end();
    json!({
        "physicalLocation": {
            "artifactLocation": artifact_location(&l.file.display_path()),
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
    })
}

/// A relative path becomes a percent-encoded relative URI against `%SRCROOT%`; an absolute one a
/// `file:` URI without a base.
fn artifact_location(path: &str) -> Value {
    let windows_drive =
        path.len() >= 3 && path.as_bytes()[0].is_ascii_alphabetic() && &path[1..3] == ":/";
    if windows_drive {
        return json!({ "uri": format!("file:///{}{}", &path[..2], encode_path(&path[2..])) });
    }
    if Path::new(path).is_absolute() || path.starts_with('/') {
        return json!({ "uri": format!("file://{}", encode_path(path)) });
    }
    json!({ "uri": encode_path(path), "uriBaseId": SRCROOT })
}

/// Percent-encode everything but RFC 3986 unreserved characters and `/`.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::render::testutil::{label, sample, toml_file};
    use crate::source::{Format, SourceFile};

    fn doc(diags: &[Diagnostic], rules: &[RuleDoc]) -> Value {
        let mut out = Vec::new();
        render(diags, rules, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("}\n"));
        serde_json::from_str(&text).unwrap()
    }

    fn rule(name: &str) -> RuleDoc {
        RuleDoc {
            name: name.into(),
            summary: format!("{name} summary"),
            help_uri: Some(format!("https://example.invalid/rules/{name}")),
            help: Some(format!("# `{name}`\n\nDocs.")),
        }
    }

    #[test]
    fn log_shape() {
        let (diags, _) = sample();
        let v = doc(
            &diags,
            &[rule("global-singleton"), rule("migration-missing-class")],
        );
        assert_eq!(v["$schema"], SARIF_SCHEMA);
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(v["runs"].as_array().unwrap().len(), 1);
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "doforge");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert!(driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://"));
        assert_eq!(driver["rules"][1]["id"], "migration-missing-class");
        assert_eq!(
            driver["rules"][1]["helpUri"],
            "https://example.invalid/rules/migration-missing-class"
        );
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "migration-missing-class");
        assert_eq!(r["ruleIndex"], 1);
        assert_eq!(r["level"], "warning");
        assert_eq!(
            r["message"]["text"],
            "class `Cart` is bound but no migration creates it\nhelp: add \"Cart\" to `new_classes` in a migration"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "wrangler.toml");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            loc["region"],
            json!({"startLine": 6, "startColumn": 1, "endLine": 6, "endColumn": 20})
        );
        let rel = &r["relatedLocations"][0];
        assert_eq!(rel["id"], 1);
        assert_eq!(rel["message"]["text"], "migration v1");
        assert_eq!(rel["physicalLocation"]["region"]["startLine"], 10);
        assert_eq!(r["properties"]["env"], "staging");
    }

    #[test]
    fn builtin_rules_are_added_sorted_and_levels_map() {
        let file = toml_file();
        let diags = vec![
            Diagnostic::error("syntax", "bad", label(&file, "main")),
            Diagnostic::info("schema", "odd", label(&file, "name")),
            Diagnostic::warning("a-rule", "w", label(&file, "tag")),
            Diagnostic::error("syntax", "bad again", label(&file, "[[migrations]]")),
        ];
        let v = doc(&diags, &[rule("a-rule")]);
        let rules: Vec<&str> = v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["a-rule", "schema", "syntax"]);
        let results = v["runs"][0]["results"].as_array().unwrap();
        let got: Vec<(u64, &str)> = results
            .iter()
            .map(|r| {
                (
                    r["ruleIndex"].as_u64().unwrap(),
                    r["level"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [(2, "error"), (1, "note"), (0, "warning"), (2, "error")]
        );
        assert!(results[0].get("properties").is_none());
        assert!(results[0].get("relatedLocations").is_none());
    }

    #[test]
    fn uris() {
        assert_eq!(
            artifact_location("sub dir/wrangler.toml"),
            json!({"uri": "sub%20dir/wrangler.toml", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("/abs/wrangler.toml"),
            json!({"uri": "file:///abs/wrangler.toml"})
        );
        assert_eq!(
            artifact_location("C:/x/wrangler.toml"),
            json!({"uri": "file:///C:/x/wrangler.toml"})
        );
        assert_eq!(encode_path("a:b/ü%"), "a%3Ab/%C3%BC%25");
        let file = SourceFile::new(r"dir\wrangler.jsonc", Format::WranglerJson, "{}".into());
        let d = Diagnostic::error("schema", "x", label(&file, "{}"));
        let v = doc(&[d], &[]);
        assert_eq!(
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"],
            "dir/wrangler.jsonc"
        );
    }

    #[test]
    fn deterministic() {
        let (diags, _) = sample();
        let a = sarif_log(&diags, &[rule("x")]);
        let b = sarif_log(&diags, &[rule("x")]);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
    }
}
