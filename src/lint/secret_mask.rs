//! Which text of a file no output may show: every value `secret-in-vars` would flag, found in
//! the file itself rather than in the findings, so a secret is masked in every snippet even
//! when the rule is off, suppressed, or skipped for a test path, and when the snippet belongs to
//! another finding whose context lines happen to show it.
//!
//! With a loaded tree, every entry of every `vars` map (top level, environments, blueprint
//! workers) is judged as the rule judges it (by name and by value), and every other string of
//! the file by its value's well-known credential formats (a Stripe key in `define` is still a
//! Stripe key). A file that did not load (a syntax error) or a Worker source file a finding
//! points into is judged line by line: `NAME = value` / `NAME: value` pairs by name and value,
//! any other token by value.

use crate::lint::rules::secret_in_vars::{public_or_id, secret_name, secret_value, words};
use crate::source::{Node, NodeKind, SourceFile, Span};

/// The spans of `file` to mask, from its loaded tree when there is one, else from its lines.
pub fn secret_spans(file: &SourceFile, root: Option<&Node>) -> Vec<Span> {
    let mut out = Vec::new();
    match root {
        Some(root) => walk(file, root, &mut out),
        None => by_lines(file, &mut out),
    }
    out.sort();
    out.dedup();
    out
}

fn walk(file: &SourceFile, node: &Node, out: &mut Vec<Span>) {
    match &node.kind {
        NodeKind::Str(s) if secret_value(s, false).is_some() => {
            out.push(unquoted(file, node.span));
        }
        NodeKind::Seq(items) => items.iter().for_each(|n| walk(file, n, out)),
        NodeKind::Map(entries) => {
            for e in entries {
                match (&e.key[..], e.value.as_map()) {
                    ("vars", Some(vars)) => {
                        for var in vars {
                            judge_var(file, &var.key, &var.value, out);
                        }
                    }
                    _ => walk(file, &e.value, out),
                }
            }
        }
        _ => {}
    }
}

/// A `vars` entry: flagged as the rule flags it, then every string of its value is masked.
fn judge_var(file: &SourceFile, name: &str, value: &Node, out: &mut Vec<Span>) {
    let w = words(name);
    let mut strings = Vec::new();
    collect_strings(value, &mut strings);
    let by_value = strings
        .iter()
        .any(|(s, _)| secret_value(s, !public_or_id(&w)).is_some());
    let by_name = secret_name(&w).is_some() && strings.iter().any(|(s, _)| !s.trim().is_empty());
    if by_value || by_name {
        out.extend(strings.iter().map(|&(_, span)| unquoted(file, span)));
    }
}

fn collect_strings<'a>(node: &'a Node, out: &mut Vec<(&'a str, Span)>) {
    match &node.kind {
        NodeKind::Str(s) => out.push((s, node.span)),
        NodeKind::Seq(items) => items.iter().for_each(|n| collect_strings(n, out)),
        NodeKind::Map(entries) => entries.iter().for_each(|e| collect_strings(&e.value, out)),
        _ => {}
    }
}

/// A string's span without its quotes (`"…"`, `'…'`, TOML's `"""…"""`), so a masked snippet
/// still shows that a string is there.
pub fn unquoted(file: &SourceFile, span: Span) -> Span {
    let text = file.text.as_bytes();
    let Span { start, end } = span;
    if end > text.len() || start >= end {
        return span;
    }
    for q in [&b"\"\"\""[..], b"'''", b"\"", b"'"] {
        let n = q.len();
        if end >= start + 2 * n && &text[start..start + n] == q && &text[end - n..end] == q {
            return Span::new(start + n, end - n);
        }
    }
    span
}

/// Without a tree: `NAME = value` / `"NAME": value` / `NAME: value` lines by name and value,
/// every other token by value alone.
fn by_lines(file: &SourceFile, out: &mut Vec<Span>) {
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        judge_line(line, offset, out);
        offset += line.len();
    }
}

fn judge_line(line: &str, offset: usize, out: &mut Vec<Span>) {
    let body = line.trim_end_matches(['\n', '\r']);
    // The key: a name (optionally quoted) right before the first `=` or `:`.
    let sep = body.find(['=', ':']);
    if let Some(sep) = sep {
        let key = body[..sep]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .rsplit(|c: char| c.is_whitespace() || c == '.')
            .next()
            .unwrap_or_default();
        let value_start = sep + 1 + (body[sep + 1..].len() - body[sep + 1..].trim_start().len());
        let value = body[value_start..].trim_end().trim_end_matches(',');
        let plain_key = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if plain_key && !value.is_empty() {
            let w = words(key);
            let inner = value.trim_matches(|c| c == '"' || c == '\'');
            let flagged = secret_name(&w).is_some() && !inner.trim().is_empty()
                || secret_value(inner, !public_or_id(&w)).is_some();
            if flagged {
                let start = offset + value_start;
                out.push(Span::new(start, start + value.len()));
                return;
            }
        }
    }
    // Any other token (a string in code, a list item) by its value alone.
    let is_sep = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',');
    let mut start = None;
    for (i, c) in body.char_indices().chain([(body.len(), ' ')]) {
        match (start, is_sep(c)) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                if secret_value(&body[s..i], true).is_some() {
                    out.push(Span::new(offset + s, offset + i));
                }
                start = None;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{parse, Format, Limits};

    fn masked(format: Format, text: &str, tree: bool) -> String {
        let file = SourceFile::new("x", format, text.to_owned());
        let root = tree.then(|| parse(&file, &Limits::default()).unwrap());
        let spans = secret_spans(&file, root.as_ref());
        let mut out = text.to_owned();
        for s in spans.iter().rev() {
            out.replace_range(s.start..s.end, &"*".repeat(s.len()));
        }
        out
    }

    #[test]
    fn vars_are_judged_by_name_and_value_everything_else_by_value() {
        let stripe = ["sk_live_", "51DoforgeMaskCheck0000000"].concat();
        let text = format!(
            "name = \"a\"\n[vars]\nDB_PASSWORD = \"hunter2\"\nLOG = \"info\"\nCFG = {{ k = [\"{stripe}\"] }}\n[define]\nX = \"{stripe}\"\nY = \"q8Rz3Kp1Xw7Lm2Nb5Vc9Tf4Hg6Jd0Ys\"\n"
        );
        let m = masked(Format::WranglerToml, &text, true);
        assert!(m.contains("DB_PASSWORD = \"*******\""), "{m}");
        assert!(m.contains("LOG = \"info\""), "{m}");
        assert!(!m.contains(&stripe), "{m}");
        // Outside vars, entropy alone does not mask (an id someone must read stays readable).
        assert!(m.contains("q8Rz3Kp1Xw7Lm2Nb5Vc9Tf4Hg6Jd0Ys"), "{m}");
    }

    #[test]
    fn env_and_blueprint_vars() {
        let m = masked(
            Format::WranglerJson,
            "{\"env\": {\"dev\": {\"vars\": {\"API_TOKEN\": \"abc\", \"MODE\": \"x\"}}}}",
            true,
        );
        assert!(m.contains("\"API_TOKEN\": \"***\""), "{m}");
        assert!(m.contains("\"MODE\": \"x\""), "{m}");
        let m = masked(
            Format::Blueprint,
            "resources:\n  - id: api\n    config:\n      vars:\n        JWT_SECRET: s3cr3t\n        N: 1\n",
            true,
        );
        assert!(m.contains("JWT_SECRET: ******\n"), "{m}");
    }

    #[test]
    fn lines_without_a_tree() {
        let m = masked(
            Format::WranglerToml,
            "[vars\nSMTP_PASSWORD = \"pw-1\",\nURL = \"postgres://a:b3c@db.example.com/x\"\nlet k = 'ghp_1234567890abcdefghijABCDEFGHIJ123456';\nLEVEL = \"info\"\n",
            false,
        );
        assert!(m.contains("SMTP_PASSWORD = ******,"), "{m}");
        assert!(!m.contains("b3c@"), "{m}");
        assert!(!m.contains("ghp_"), "{m}");
        assert!(m.contains("LEVEL = \"info\""), "{m}");
    }
}
