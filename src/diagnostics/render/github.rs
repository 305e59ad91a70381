//! `--format github`: GitHub Actions workflow commands, one line per diagnostic.
//!
//! ```text
//! ::warning file=wrangler.toml,line=6,col=1,endLine=6,endColumn=20,title=rule::message%0Ahelp: …
//! ```
//! Errors become `::error`, warnings `::warning`, infos `::notice`. The message data carries the
//! env, the help and related locations on extra lines. Escaping follows the Actions runner: in
//! the data `%`, CR and LF are percent-encoded; in property values also `:` and `,`. The output
//! ends with the plain summary line.

use std::io::{self, Write};

use crate::diagnostics::{Diagnostic, Severity, Summary};

pub(super) fn render(
    diagnostics: &[Diagnostic],
    summary: &Summary,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in diagnostics {
        writeln!(out, "{}", command(d))?;
    }
    writeln!(out, "{}", super::summary_line(summary))
}

/// The workflow command for one diagnostic (without the line break).
fn command(d: &Diagnostic) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let (line, col) = d.primary.start();
    let (end_line, end_col) = d.primary.end();
    let props = [
        ("file", d.primary.file.display_path()),
        ("line", line.to_string()),
        ("col", col.to_string()),
        ("endLine", end_line.to_string()),
        ("endColumn", end_col.to_string()),
        ("title", d.rule.clone()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", escape_property(v)))
    .collect::<Vec<_>>()
    .join(",");

    let mut data = d.message.clone();
    if let Some(env) = &d.env {
        data.push_str(&format!(" (env: {env})"));
    }
    if let Some(help) = &d.help {
        data.push_str("\nhelp: ");
        data.push_str(help);
    }
    for l in &d.secondary {
        let (line, col) = l.start();
        data.push_str(&format!("\nsee {}:{line}:{col}", l.file.display_path()));
        if let Some(m) = &l.message {
            data.push_str(": ");
            data.push_str(m);
        }
    }
    format!("::{name} {props}::{}", escape_data(&data))
}

/// Escape workflow command data (the part after `::`).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow command property value (`file=…`, `title=…`).
pub fn escape_property(s: &str) -> String {
    // What data escapes, plus the `:` and `,` that separate properties. `%` is escaped first, so
    // the `%` these two add stays as written.
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::render::testutil::{label, sample, toml_file};
    use crate::diagnostics::{Diagnostic, Label};
    use crate::source::{Format, SourceFile};

    fn render_to_string(diags: &[Diagnostic], summary: &Summary) -> String {
        let mut out = Vec::new();
        render(diags, summary, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escaping_rules() {
        assert_eq!(escape_data("100% a:b, c\r\nd"), "100%25 a:b, c%0D%0Ad");
        assert_eq!(
            escape_property("100% a:b, c\r\nd"),
            "100%25 a%3Ab%2C c%0D%0Ad"
        );
        // `%` first, so already-escaped looking input is not double-decoded by the runner.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn one_command_per_diagnostic_then_summary() {
        let (diags, summary) = sample();
        let text = render_to_string(&diags, &summary);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with(
            "::warning file=wrangler.toml,line=6,col=1,endLine=6,endColumn=20,title=migration-missing-class::"
        ));
        assert!(lines[0].contains("%0Ahelp: add \"Cart\""));
        assert_eq!(lines[1], "doforge: 0 errors, 1 warning, 0 infos in 1 file");
        insta::assert_snapshot!("github_sample", text);
    }

    #[test]
    fn severities_and_hostile_text() {
        let file = toml_file();
        let odd = SourceFile::new(
            "dir,with:odd%/wrangler.toml",
            Format::WranglerToml,
            "a = 1\n".to_owned(),
        );
        let diags = vec![
            Diagnostic::error(
                "syntax",
                "bad: 50% done,\nsecond line",
                label(&file, "main"),
            ),
            Diagnostic::info(
                "note:rule,x",
                "info",
                Label::new(&odd, crate::source::Span::new(0, 1)),
            )
            .with_secondary(label(&file, "[[migrations]]")),
        ];
        let text = render_to_string(&diags, &Summary::count(2, &diags));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=wrangler.toml,line=2,col=1,endLine=2,endColumn=5,title=syntax::bad: 50%25 done,%0Asecond line"
        );
        assert_eq!(
            lines[1],
            "::notice file=dir%2Cwith%3Aodd%25/wrangler.toml,line=1,col=1,endLine=1,endColumn=2,title=note%3Arule%2Cx::info%0Asee wrangler.toml:8:1"
        );
        assert_eq!(lines[2], "doforge: 1 error, 0 warnings, 1 info in 2 files");
        assert_eq!(lines.len(), 3);
        insta::assert_snapshot!("github_severities", text);
    }

    #[test]
    fn no_diagnostics_prints_only_the_summary() {
        let text = render_to_string(
            &[],
            &Summary {
                files: 3,
                ..Summary::default()
            },
        );
        assert_eq!(text, "doforge: no problems found in 3 files\n");
    }
}
