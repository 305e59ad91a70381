//! Inline suppressions: a comment on the line before a finding,
//!
//! ```text
//! # doforge-ignore: rule-name -- reason          (YAML, TOML)
//! // doforge-ignore: rule-a, rule-b -- reason    (JSONC)
//! ```
//!
//! silences those rules on the next line that is not blank or a comment. A suppression that
//! silences nothing is itself reported (`unused-suppression`), so stale ones do not pile up.

use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Edit, Fix, Label, Severity};
use crate::fix::edit;
use crate::source::{SourceFile, Span};

use super::registry;

pub const MARKER: &str = "doforge-ignore:";
/// Rule name for suppressions that suppress nothing or name no rule.
pub const UNUSED: &str = "unused-suppression";

#[derive(Debug, Clone)]
pub struct Suppression {
    /// 1-based line the suppression applies to.
    pub target_line: usize,
    /// Rule names, each with its span in the comment.
    pub rules: Vec<(String, Span)>,
    pub reason: Option<String>,
    /// The whole comment.
    pub span: Span,
}

/// Every suppression comment in a file.
pub fn parse(file: &SourceFile) -> Vec<Suppression> {
    let prefix = file.format.comment_prefix();
    let mut out: Vec<Suppression> = Vec::new();
    let mut pending: Vec<Suppression> = Vec::new();
    for line_no in 1..=file.line_count() {
        let line = file.line_text(line_no);
        let start = file.line_start(line_no);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(comment) = trimmed.strip_prefix(prefix) {
            let body = comment.trim_start();
            if let Some(spec) = body.strip_prefix(MARKER) {
                let spec_offset =
                    start + indent + prefix.len() + (comment.len() - body.len()) + MARKER.len();
                let (names, reason) = match spec.split_once("--") {
                    Some((n, r)) => (n, Some(r.trim().to_owned()).filter(|r| !r.is_empty())),
                    None => (spec, None),
                };
                let mut rules = Vec::new();
                let mut offset = 0;
                for part in names.split(',') {
                    let name = part.trim();
                    if !name.is_empty() {
                        let at = spec_offset + offset + part.find(name).unwrap_or(0);
                        rules.push((name.to_owned(), Span::new(at, at + name.len())));
                    }
                    offset += part.len() + 1;
                }
                pending.push(Suppression {
                    target_line: 0,
                    rules,
                    reason,
                    span: Span::new(start + indent, start + line.len()),
                });
            }
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        for mut s in pending.drain(..) {
            s.target_line = line_no;
            out.push(s);
        }
    }
    // Suppressions at the end of the file apply to nothing.
    out.extend(pending);
    out
}

/// Drop the diagnostics of `file` that a suppression covers and report unused suppressions.
/// `unused_level` is the configured level of `unused-suppression` (None = off).
pub fn apply(
    file: &Arc<SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
    unused_level: Option<Severity>,
) {
    let suppressions = parse(file);
    if suppressions.is_empty() {
        return;
    }
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.rules.len()])
        .collect();
    diagnostics.retain(|d| {
        if !Arc::ptr_eq(&d.primary.file, file) && d.primary.file.path != file.path {
            return true;
        }
        // Only lint rules can be suppressed: syntax and schema errors must be fixed.
        if registry::find(&d.rule).is_none() {
            return true;
        }
        let (line, _) = d.primary.start();
        let mut keep = true;
        for (i, s) in suppressions.iter().enumerate() {
            if s.target_line != line {
                continue;
            }
            for (j, (name, _)) in s.rules.iter().enumerate() {
                if *name == d.rule {
                    used[i][j] = true;
                    keep = false;
                }
            }
        }
        keep
    });
    let Some(severity) = unused_level else {
        return;
    };
    for (i, s) in suppressions.iter().enumerate() {
        for (j, (name, span)) in s.rules.iter().enumerate() {
            if used[i][j] {
                continue;
            }
            let (message, help) = if registry::find(name).is_none() {
                (
                    format!("`{name}` in this suppression is not a doforge rule"),
                    "`doforge rules` lists every rule; fix the name or remove it".to_owned(),
                )
            } else if s.target_line == 0 {
                (
                    format!(
                        "this suppression of `{name}` is followed by nothing it could apply to"
                    ),
                    "remove the comment".to_owned(),
                )
            } else {
                (
                    format!(
                        "this suppression of `{name}` suppresses nothing on line {}",
                        s.target_line
                    ),
                    "the problem it silenced is gone (or moved): remove the suppression".to_owned(),
                )
            };
            let all_unused = used[i].iter().all(|u| !u);
            diagnostics.push(
                Diagnostic::new(UNUSED, severity, message, Label::new(file, *span))
                    .with_help(help)
                    .with_fix(Some(unused_fix(file, s, *span, all_unused))),
            );
        }
    }
}

/// Drop the comment when nothing in it is used, else just this name (with its comma). Safe:
/// the name silences nothing.
fn unused_fix(file: &Arc<SourceFile>, s: &Suppression, name: Span, all_unused: bool) -> Fix {
    if all_unused {
        return Fix::safe(
            "remove the suppression comment",
            vec![edit::delete_lines(file, s.span)],
        );
    }
    let text = file.text.as_str();
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let after = name.end + text[name.end..].bytes().take_while(blank).count();
    let span = if text[after..].starts_with(',') {
        let next = after + 1;
        Span::new(
            name.start,
            next + text[next..].bytes().take_while(blank).count(),
        )
    } else {
        let before = text[..name.start].trim_end_matches([' ', '\t']);
        Span::new(before.len().saturating_sub(1), name.end)
    };
    Fix::safe(
        "remove the unused rule name from the suppression",
        vec![Edit::delete(file, span)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Format;

    #[test]
    fn parses_names_reasons_and_targets() {
        let text = "name = \"x\"\n# doforge-ignore: placeholder-id, secret-in-vars -- test key\n\n# other comment\nid = \"xxxx\"\n";
        let file = SourceFile::new("wrangler.toml", Format::WranglerToml, text.to_owned());
        let s = parse(&file);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].target_line, 5);
        let names: Vec<_> = s[0].rules.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["placeholder-id", "secret-in-vars"]);
        let (_, span) = &s[0].rules[1];
        assert_eq!(&text[span.start..span.end], "secret-in-vars");
        assert_eq!(s[0].reason.as_deref(), Some("test key"));
    }

    #[test]
    fn jsonc_uses_slashes() {
        let text = "{\n  // doforge-ignore: placeholder-id\n  \"id\": \"x\"\n}\n";
        let file = SourceFile::new("wrangler.jsonc", Format::WranglerJson, text.to_owned());
        assert_eq!(parse(&file)[0].target_line, 3);
    }
}
