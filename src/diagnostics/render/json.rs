//! `--format json`: one pretty-printed JSON document with every diagnostic and the summary.
//!
//! ```json
//! {"version":1,
//!  "diagnostics":[{"rule","severity","message","help","file","line","column","end_line",
//!                  "end_column","env","related":[{"file","line","column","end_line",
//!                  "end_column","message"}],
//!                  "fix":{"message","applicability","edits":[{"file","start","end","line",
//!                         "column","end_line","end_column","content"}]}}],
//!  "summary":{"files","errors","warnings","infos"}}
//! ```
//! Lines and columns are 1-based; columns count Unicode scalar values; `end_*` point just past
//! the last character. `help`, `env`, `fix` and a related `message` are `null` when absent. A
//! fix's `applicability` is `safe` (`--fix` applies it) or `unsafe` (only with
//! `--unsafe-fixes`); each edit replaces the byte range `start..end` of the file's text (after a
//! byte-order mark, if any) — also given as line and column — with `content`.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::diagnostics::{Diagnostic, Fix, Label, Summary};

/// Version of the document layout; bumped on incompatible changes.
pub const JSON_FORMAT_VERSION: u32 = 1;

pub(super) fn render(
    diagnostics: &[Diagnostic],
    summary: &Summary,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = document(diagnostics, summary);
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

fn document(diagnostics: &[Diagnostic], summary: &Summary) -> Value {
    let secrets = crate::diagnostics::fix::secret_texts(diagnostics);
    json!({
        "version": JSON_FORMAT_VERSION,
        "diagnostics": diagnostics.iter().map(|d| diagnostic(d, &secrets)).collect::<Vec<_>>(),
        "summary": {
            "files": summary.files,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
        },
    })
}

type Secrets = std::collections::HashMap<std::path::PathBuf, Vec<String>>;

fn diagnostic(d: &Diagnostic, secrets: &Secrets) -> Value {
    let (line, column) = d.primary.start();
    let (end_line, end_column) = d.primary.end();
    json!({
        "rule": d.rule,
        "severity": d.severity.as_str(),
        "message": d.message,
        "help": d.help,
        "file": d.primary.file.display_path(),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "env": d.env,
        "label": d.primary.message,
        "related": d.secondary.iter().map(related).collect::<Vec<_>>(),
        "fix": d.fix.as_ref().map(|f| fix(f, secrets)),
    })
}

fn fix(f: &Fix, secrets: &Secrets) -> Value {
    let edits: Vec<Value> = f
        .edits
        .iter()
        .map(|e| {
            let (line, column) = e.file.line_col(e.span.start);
            let (end_line, end_column) = e.file.line_col(e.span.end);
            json!({
                "file": e.file.display_path(),
                "start": e.span.start,
                "end": e.span.end,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "content": e.shown_content(secrets.get(&e.file.path)),
            })
        })
        .collect();
    json!({
        "message": f.message,
        "applicability": f.applicability.as_str(),
        "edits": edits,
    })
}

fn related(l: &Label) -> Value {
    let (line, column) = l.start();
    let (end_line, end_column) = l.end();
    json!({
        "file": l.file.display_path(),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "message": l.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::render::testutil::{label, sample, toml_file};
    use crate::diagnostics::Diagnostic;
    use crate::source::{Format, SourceFile, Span};

    fn to_value(diags: &[Diagnostic], summary: &Summary) -> (String, Value) {
        let mut out = Vec::new();
        render(diags, summary, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let value = serde_json::from_str(&text).expect("one JSON document");
        (text, value)
    }

    #[test]
    fn keys_and_values() {
        let (diags, summary) = sample();
        let (text, v) = to_value(&diags, &summary);
        assert!(text.ends_with("}\n"), "trailing newline: {text:?}");
        assert!(text.contains("\n  \"diagnostics\""), "pretty-printed");
        assert_eq!(v["version"], 1);
        let d = &v["diagnostics"][0];
        assert_eq!(d["rule"], "migration-missing-class");
        assert_eq!(d["severity"], "warning");
        assert_eq!(
            d["message"],
            "class `Cart` is bound but no migration creates it"
        );
        assert_eq!(d["help"], "add \"Cart\" to `new_classes` in a migration");
        assert_eq!(d["file"], "wrangler.toml");
        assert_eq!(d["line"], 6);
        assert_eq!(d["column"], 1);
        assert_eq!(d["end_line"], 6);
        assert_eq!(d["end_column"], 20);
        assert_eq!(d["env"], "staging");
        assert_eq!(d["label"], "bound here");
        let r = &d["related"][0];
        assert_eq!(r["file"], "wrangler.toml");
        assert_eq!(
            (r["line"].as_u64(), r["column"].as_u64()),
            (Some(10), Some(1))
        );
        assert_eq!(r["message"], "migration v1");
        assert_eq!(
            v["summary"],
            json!({"files": 1, "errors": 0, "warnings": 1, "infos": 0})
        );
        // Key order is part of the layout people read.
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            &keys[..10],
            [
                "rule",
                "severity",
                "message",
                "help",
                "file",
                "line",
                "column",
                "end_line",
                "end_column",
                "env"
            ]
        );
    }

    #[test]
    fn absent_fields_are_null_and_empty_is_valid() {
        let file = toml_file();
        let d = Diagnostic::error("syntax", "expected `=`", label(&file, "main"));
        let (_, v) = to_value(
            std::slice::from_ref(&d),
            &Summary::count(1, std::slice::from_ref(&d)),
        );
        let d = &v["diagnostics"][0];
        assert!(d["help"].is_null());
        assert!(d["env"].is_null());
        assert!(d["label"].is_null());
        assert_eq!(d["related"], json!([]));
        assert_eq!(d["severity"], "error");

        let (_, v) = to_value(&[], &Summary::default());
        assert_eq!(v["diagnostics"], json!([]));
        assert_eq!(v["summary"]["files"], 0);
    }

    #[test]
    fn columns_count_unicode_scalars_and_paths_use_slashes() {
        let text = "name = \"café\" # ünïcode\nmain = 1\n".to_owned();
        let file = SourceFile::new(r".\sub\wrangler.toml", Format::WranglerToml, text.clone());
        let start = text.find("# ü").unwrap();
        let d = Diagnostic::info(
            "comment",
            "tab\tand \"quotes\"\nnewline",
            Label::new(&file, Span::new(start, start + "# ünïcode".len())),
        );
        let (_, v) = to_value(std::slice::from_ref(&d), &Summary::default());
        let d = &v["diagnostics"][0];
        assert_eq!(d["file"], "sub/wrangler.toml");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(1), Some(15))
        );
        assert_eq!(d["end_column"], 24);
        assert_eq!(d["message"], "tab\tand \"quotes\"\nnewline");
        assert_eq!(d["severity"], "info");
    }
}
