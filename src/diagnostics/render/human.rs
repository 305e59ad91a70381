//! `--format human`: graphical output with source snippets, drawn by miette.
//!
//! ```text
//! warning[global-singleton]: message
//!   --> wrangler.toml:6:1 (env: staging)
//!    ╭─[wrangler.toml:6:1]
//!  5 │ name = "CART"
//!  6 │ class_name = "Cart"
//!    · ─────────┬─────────
//!    ·          ╰── bound here
//!  7 │
//!    ╰────
//!   help: …
//!   = note: other.toml:3:1: related place in another file
//! ```
//! We write the heading, the `-->` line and the notes ourselves; miette draws the snippet (primary
//! and same-file secondary labels) and the help. Our [`Diagnostic`] is adapted through a private
//! [`miette::Diagnostic`] whose [`SourceCode`] reads straight out of the shared
//! `Arc<SourceFile>` using its line index, so a diagnostic costs only its snippet lines, never a
//! copy or a scan of the whole file (miette's own `SourceCode` for strings scans from the start).

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::RenderOptions;
use crate::diagnostics::{Diagnostic, Label, Severity, Summary};
use crate::source::{SourceFile, Span};

/// A label whose snippet (its lines plus one line of context either side) is larger than this is
/// cut to its first line; if even that is larger (a minified file), it is shown as a note instead.
const MAX_SNIPPET_BYTES: usize = 16 * 1024;
/// Lines of context miette shows around each label.
const CONTEXT_LINES: usize = 1;
/// Narrowest wrap width we honour (below this the box drawing is unreadable anyway).
const MIN_WIDTH: usize = 40;

pub(super) fn render(
    diagnostics: &[Diagnostic],
    summary: Option<&Summary>,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut renderer = Renderer::new(options);
    // A value any finding marks secret is masked in every snippet of its file, not only in the
    // snippet of that finding (another finding's context lines may show the same line).
    for d in diagnostics {
        if !d.redact.is_empty() {
            renderer
                .redactions
                .entry(Arc::as_ptr(&d.primary.file))
                .or_default()
                .extend(d.redact.iter().copied());
        }
    }
    for d in diagnostics {
        let text = renderer.diagnostic(d);
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
    }
    let Some(summary) = summary else {
        return Ok(());
    };
    let line = super::summary_line(summary);
    if options.color {
        writeln!(out, "{BOLD}{line}{RESET}")
    } else {
        writeln!(out, "{line}")
    }
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const BLUE: &str = "\x1b[1;34m";

fn severity_style(s: Severity) -> &'static str {
    match s {
        Severity::Error => "\x1b[1;31m",
        Severity::Warning => "\x1b[1;33m",
        Severity::Info => "\x1b[1;36m",
    }
}

struct Renderer {
    handler: GraphicalReportHandler,
    color: bool,
    width: usize,
    /// Per file (by identity): the text miette is shown, sanitised of control characters once.
    sources: HashMap<*const SourceFile, Arc<FileSource>>,
    /// Per file (by identity): spans whose text must not be shown (secret values).
    redactions: HashMap<*const SourceFile, Vec<Span>>,
    /// What miette prints for a diagnostic with no snippet and no help (its empty message
    /// line), per severity; stripped from the front of every rendering.
    preludes: HashMap<Severity, String>,
}

impl Renderer {
    fn new(options: &RenderOptions) -> Renderer {
        let width = options.width.max(MIN_WIDTH);
        let theme = if options.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_context_lines(CONTEXT_LINES)
            .with_links(false)
            .with_urls(false)
            .without_cause_chain()
            .without_syntax_highlighting();
        Renderer {
            handler,
            color: options.color,
            width,
            sources: HashMap::new(),
            redactions: HashMap::new(),
            preludes: HashMap::new(),
        }
    }

    fn source(&mut self, file: &Arc<SourceFile>) -> Arc<FileSource> {
        let redact = self
            .redactions
            .get(&Arc::as_ptr(file))
            .map_or(&[][..], Vec::as_slice);
        Arc::clone(
            self.sources
                .entry(Arc::as_ptr(file))
                .or_insert_with(|| Arc::new(FileSource::new(file, redact))),
        )
    }

    fn miette(&self, report: &Report) -> String {
        let mut s = String::new();
        if self.handler.render_report(&mut s, report).is_err() {
            // Only our own SourceCode can fail, and it does not for in-range spans; show
            // nothing rather than half a snippet.
            s.clear();
        }
        s
    }

    fn prelude(&mut self, severity: Severity, source: &Arc<FileSource>) -> String {
        if let Some(p) = self.preludes.get(&severity) {
            return p.clone();
        }
        let empty = Report {
            source: Arc::clone(source),
            labels: Vec::new(),
            help: None,
            severity: miette_severity(severity),
        };
        let p = self.miette(&empty);
        self.preludes.insert(severity, p.clone());
        p
    }

    /// One diagnostic, every line ending in `\n`.
    fn diagnostic(&mut self, d: &Diagnostic) -> String {
        let mut out = String::new();

        // Heading: `warning[rule]: message`.
        let sev = d.severity.as_str();
        let rule = sanitize_line(&d.rule);
        // `[*]`: `--fix` fixes it (ruff's mark; an unsafe fix shows it under `--unsafe-fixes`).
        let mark = match &d.fix {
            Some(f) if f.applicability == crate::diagnostics::Applicability::Safe => "[*] ",
            _ => "",
        };
        let message = format!("{mark}{}", sanitize_line(&d.message));
        let head = format!("{sev}[{rule}]: ");
        let wrapped = wrap(&message, self.width, head.chars().count(), 2);
        if self.color {
            let style = severity_style(d.severity);
            out.push_str(&format!(
                "{style}{sev}[{rule}]{RESET}{BOLD}: {wrapped}{RESET}\n"
            ));
        } else {
            out.push_str(&format!("{head}{wrapped}\n"));
        }

        // Location: `  --> path:line:col (env: staging)`.
        let (line, col) = d.primary.start();
        let path = sanitize_line(&d.primary.file.display_path());
        let env = d
            .env
            .as_deref()
            .map(|e| format!(" (env: {})", sanitize_line(e)))
            .unwrap_or_default();
        if self.color {
            out.push_str(&format!("  {BLUE}-->{RESET} {path}:{line}:{col}{env}\n"));
        } else {
            out.push_str(&format!("  --> {path}:{line}:{col}{env}\n"));
        }

        // Snippet and help, by miette. Labels that cannot share the primary's snippet become
        // notes below it.
        let source = self.source(&d.primary.file);
        let mut labels = Vec::new();
        let mut notes: Vec<&Label> = Vec::new();
        match snippet_span(&d.primary) {
            Some(span) => labels.push(LabeledSpan::new_primary_with_span(
                d.primary.message.as_deref().map(sanitize),
                span,
            )),
            None => {
                if d.primary.message.is_some() {
                    notes.push(&d.primary);
                }
            }
        }
        for l in &d.secondary {
            let same_file = Arc::ptr_eq(&l.file, &d.primary.file);
            match snippet_span(l).filter(|_| same_file) {
                Some(span) => labels.push(LabeledSpan::new_with_span(
                    l.message.as_deref().map(sanitize),
                    span,
                )),
                None => notes.push(l),
            }
        }
        let help = d.help.as_deref().map(sanitize);
        let report = Report {
            source: Arc::clone(&source),
            labels,
            help,
            severity: miette_severity(d.severity),
        };
        let prelude = self.prelude(d.severity, &source);
        let body = self.miette(&report);
        let body = body.strip_prefix(prelude.as_str()).unwrap_or(&body);
        // miette pads empty source lines with the gutter's spaces; drop trailing blanks.
        for line in body.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }

        for l in notes {
            let (line, col) = l.start();
            let mut note = format!("{}:{line}:{col}", sanitize_line(&l.file.display_path()));
            if let Some(m) = &l.message {
                note.push_str(": ");
                note.push_str(&sanitize_line(m));
            }
            let wrapped = wrap(&note, self.width, 10, 10);
            if self.color {
                out.push_str(&format!("  {BLUE}={RESET} {BOLD}note{RESET}: {wrapped}\n"));
            } else {
                out.push_str(&format!("  = note: {wrapped}\n"));
            }
        }
        out
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// The byte span miette should underline for `label`, or `None` when its snippet would be too
/// large to show (or the file is empty).
fn snippet_span(label: &Label) -> Option<SourceSpan> {
    let f = &*label.file;
    let len = f.text.len();
    if len == 0 {
        return None;
    }
    let mut start = f.clamp(label.span.start);
    let mut end = f.clamp(label.span.end).max(start);
    if start == len {
        // A position at the very end: point at the last character instead (usually the final
        // line break), which miette can draw.
        start = f.clamp(len - 1);
        end = len;
    }
    let start_line = f.line_col(start).0;
    let region = |end: usize| {
        let last = if end > start { f.clamp(end - 1) } else { start };
        let first = start_line.saturating_sub(CONTEXT_LINES).max(1);
        let last = (f.line_col(last).0 + CONTEXT_LINES).min(f.line_count());
        f.line_start(last + 1) - f.line_start(first)
    };
    if region(end) > MAX_SNIPPET_BYTES {
        // Keep only the first line of a long multi-line span.
        let first_line_end = f.line_start(start_line + 1).saturating_sub(1).max(start);
        end = end.min(first_line_end);
        if region(end) > MAX_SNIPPET_BYTES {
            return None;
        }
    }
    Some(SourceSpan::new(start.into(), end - start))
}

/// A file as miette sees it: reads spans through the file's line index.
#[derive(Debug)]
struct FileSource {
    file: Arc<SourceFile>,
    name: String,
    /// The text with control characters replaced byte-for-byte (so offsets still hold), only
    /// when the file has any; otherwise the file's own text is shown.
    sanitized: Option<String>,
}

impl FileSource {
    fn new(file: &Arc<SourceFile>, redact: &[Span]) -> FileSource {
        let text = &file.text;
        let mut sanitized = text
            .chars()
            .any(|c| is_unsafe_control(c) || c == '\r' || is_invisible_format(c))
            .then(|| sanitize_same_length(text));
        if !redact.is_empty() {
            sanitized = Some(mask_same_length(
                sanitized.as_deref().unwrap_or(text),
                redact,
            ));
        }
        FileSource {
            file: Arc::clone(file),
            name: sanitize_line(&file.display_path()),
            sanitized,
        }
    }

    fn bytes(&self) -> &[u8] {
        self.sanitized
            .as_deref()
            .unwrap_or(&self.file.text)
            .as_bytes()
    }
}

impl SourceCode for FileSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let f = &*self.file;
        let len = f.text.len();
        if span.offset() > len || span.offset() + span.len() > len {
            return Err(MietteError::OutOfBounds);
        }
        let start = f.clamp(span.offset());
        let end = f.clamp(span.offset() + span.len()).max(start);
        let (start_line, start_col) = f.line_col(start);
        let last = if end > start { f.clamp(end - 1) } else { start };
        let end_line = f.line_col(last).0;
        // Like miette's own implementation: without context lines the data is exactly the span
        // (and its column is the span's); with them, whole lines.
        let (first_line, data_start, column) = if context_lines_before == 0 {
            (start_line, start, start_col - 1)
        } else {
            let first = start_line.saturating_sub(context_lines_before).max(1);
            (first, f.line_start(first), 0)
        };
        let (last_line, data_end) = if context_lines_after == 0 {
            (end_line, end)
        } else {
            let l = (end_line + context_lines_after).min(f.line_count());
            (l, f.line_start(l + 1))
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            first_line - 1,
            column,
            last_line + 1 - first_line,
        )))
    }
}

/// The adapter miette renders: no message (we print the heading), labels, help.
#[derive(Debug)]
struct Report {
    source: Arc<FileSource>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    severity: miette::Severity,
}

impl fmt::Display for Report {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

/// Control characters that would let file contents drive the terminal (escape sequences,
/// backspaces, C1 codes). Tabs and line breaks are layout, and stay.
fn is_unsafe_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Invisible characters that reorder or hide text ("Trojan Source": bidi overrides and isolates,
/// zero-width characters): shown escaped, so what is printed is what the file holds.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// Replace unsafe control characters (and a carriage return that does not end a line, which
/// would overwrite the terminal line) with printable ones of the same UTF-8 length.
fn sanitize_same_length(s: &str) -> String {
    let mut chars = s.chars().peekable();
    let mut out = String::with_capacity(s.len());
    while let Some(c) = chars.next() {
        out.push(match c {
            '\r' if chars.peek() != Some(&'\n') => '?',
            // `�`: three bytes, like the characters it replaces.
            c if is_invisible_format(c) && c.len_utf8() == 3 => '\u{fffd}',
            c if is_invisible_format(c) => '\u{bf}',
            c if !is_unsafe_control(c) => c,
            c if c.len_utf8() == 1 => '?',
            _ => '\u{bf}', // `¿`: two bytes, like the C1 controls it replaces
        });
    }
    out
}

/// Replace the characters inside `spans` with `*` (as many as each character has UTF-8 bytes, so
/// offsets still hold); line breaks stay, so line numbers do too.
fn mask_same_length(s: &str, spans: &[Span]) -> String {
    let mut spans = spans.to_vec();
    spans.sort();
    let mut next = spans.iter().peekable();
    let mut end = 0;
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        while let Some(sp) = next.next_if(|sp| sp.start <= i) {
            end = end.max(sp.end);
        }
        if i < end && !matches!(c, '\n' | '\r') {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Make text from a config file or a message safe to print: unsafe control characters become
/// `\u{..}` escapes.
fn sanitize(s: &str) -> String {
    escape_where(s, |c| {
        is_unsafe_control(c) || c == '\r' || is_invisible_format(c)
    })
}

/// [`sanitize`] for text that must stay on one line (headings, paths, label notes): a name that
/// holds a line break cannot start a forged diagnostic line.
pub(super) fn sanitize_line(s: &str) -> String {
    escape_where(s, |c| c.is_control() || is_invisible_format(c))
}

fn escape_where(s: &str, escape: impl Fn(char) -> bool) -> String {
    if !s.chars().any(&escape) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if escape(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Greedy word wrap of `text` to `width` columns, for text that starts at column `first_indent`
/// (its prefix is printed by the caller); continuation lines are indented by `indent` spaces.
/// Existing line breaks are kept; words longer than a line are not split.
fn wrap(text: &str, width: usize, first_indent: usize, indent: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let pad = " ".repeat(indent);
    let mut col = first_indent;
    for (i, para) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&pad);
            col = indent;
        }
        let mut first_word = true;
        for word in para.split(' ') {
            let w = word.chars().count();
            if !first_word {
                if col + 1 + w > width && col > indent {
                    out.push('\n');
                    out.push_str(&pad);
                    col = indent;
                } else {
                    out.push(' ');
                    col += 1;
                }
            }
            out.push_str(word);
            col += w;
            first_word = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::render::testutil::{label, sample, toml_file, TOML};
    use crate::diagnostics::Diagnostic;
    use crate::source::{Format, Span};

    fn render_plain(diags: &[Diagnostic], summary: &Summary, width: usize) -> String {
        let mut out = Vec::new();
        let options = RenderOptions {
            color: false,
            width,
        };
        render(diags, Some(summary), &options, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains('\x1b'),
            "plain output has no escapes:\n{text}"
        );
        text
    }

    #[test]
    fn redacted_spans_are_masked_in_every_snippet_of_the_file() {
        let file = toml_file();
        let secret = crate::diagnostics::render::testutil::span_of(&file, "Cart\"");
        // The redacting finding points elsewhere; a second finding's snippet shows the line.
        let a = Diagnostic::warning("secret", "hidden", label(&file, "CART"))
            .with_redacted(Span::new(secret.start, secret.end - 1));
        let b = Diagnostic::warning("other", "near it", label(&file, "class_name"));
        let text = render_plain(&[a, b], &Summary::default(), 100);
        assert!(!text.contains("\"Cart\""), "{text}");
        assert!(text.contains("class_name = \"****\""), "{text}");
        assert_eq!(
            mask_same_length("a\u{e9}b\nc", &[Span::new(1, 6)]),
            "a**\u{2a}\n*"
        );
    }

    #[test]
    fn sample_with_snippet_labels_help_env() {
        let (diags, summary) = sample();
        let text = render_plain(&diags, &summary, 100);
        assert!(text.starts_with(
            "warning[migration-missing-class]: class `Cart` is bound but no migration creates it\n  --> wrangler.toml:6:1 (env: staging)\n"
        ), "{text}");
        assert!(text.contains(" 6 │ class_name = \"Cart\""), "{text}");
        assert!(text.contains("bound here"), "{text}");
        assert!(text.contains("migration v1"), "{text}");
        assert!(text.contains("help: add \"Cart\" to `new_classes` in a migration"));
        assert!(text.ends_with("\ndoforge: 0 errors, 1 warning, 0 infos in 1 file\n"));
        insta::assert_snapshot!("human_sample", text);
    }

    #[test]
    fn secondary_in_another_file_is_a_note() {
        let file = toml_file();
        let other = SourceFile::new(
            "blueprint.yaml",
            Format::Blueprint,
            "objects:\n  Cart:\n    class: Cart\n".to_owned(),
        );
        let d = Diagnostic::error(
            "class-mismatch",
            "binding `CART` names a class the blueprint does not declare",
            label(&file, "\"Cart\"").with_message("bound here"),
        )
        .with_secondary(label(&other, "Cart:").with_message("declared here"))
        .with_secondary(label(&other, "class"));
        let diags = vec![d];
        let text = render_plain(&diags, &Summary::count(2, &diags), 100);
        assert!(
            text.contains("  = note: blueprint.yaml:2:3: declared here\n"),
            "{text}"
        );
        assert!(text.contains("  = note: blueprint.yaml:3:5\n"), "{text}");
        assert!(
            !text.contains("objects:"),
            "other file's text is not in the snippet"
        );
        insta::assert_snapshot!("human_cross_file", text);
    }

    #[test]
    fn infos_errors_far_apart_labels_and_no_problems() {
        let file = toml_file();
        let mut big = String::new();
        for i in 0..50 {
            big.push_str(&format!("key{i} = {i}\n"));
        }
        let bigf = SourceFile::new("wrangler.staging.toml", Format::WranglerToml, big);
        let diags = vec![
            Diagnostic::error(
                "syntax",
                "expected a value",
                label(&file, "\"src/index.ts\""),
            )
            .with_help("quote the value"),
            Diagnostic::info(
                "far-apart",
                "two places far apart",
                label(&bigf, "key3 =").with_message("first"),
            )
            .with_secondary(label(&bigf, "key40 =").with_message("second")),
        ];
        let text = render_plain(&diags, &Summary::count(2, &diags), 100);
        assert!(text.contains("error[syntax]: expected a value\n  --> wrangler.toml:2:8\n"));
        assert!(text
            .contains("info[far-apart]: two places far apart\n  --> wrangler.staging.toml:4:1\n"));
        assert!(text.contains("41 │ key40 = 40"), "{text}");
        assert!(
            !text.contains("key20"),
            "only the lines around the labels: {text}"
        );
        insta::assert_snapshot!("human_error_info", text);

        let none = render_plain(
            &[],
            &Summary {
                files: 3,
                ..Summary::default()
            },
            100,
        );
        assert_eq!(none, "doforge: no problems found in 3 files\n");
    }

    #[test]
    fn wraps_at_width_and_handles_edges() {
        let text = TOML.to_owned() + "x = \"\u{1b}[31mred\"";
        let file = SourceFile::new("wrangler.toml", Format::WranglerToml, text.clone());
        let long = "this message is long enough that it has to be wrapped at the narrow width we ask for here";
        let diags = vec![
            Diagnostic::warning("long", long, label(&file, "tag"))
                .with_help("and the help text is also long enough to need wrapping at this width"),
            // Zero-length span at the very end, and a span covering several lines.
            Diagnostic::error(
                "eof",
                "unexpected end of file",
                Label::new(&file, Span::new(text.len(), text.len())),
            ),
            Diagnostic::error(
                "multi",
                "a table \u{1b}[2J",
                label(
                    &file,
                    "[[durable_objects.bindings]]\nname = \"CART\"\nclass_name",
                )
                .with_message("this table"),
            ),
        ];
        let out = render_plain(&diags, &Summary::count(1, &diags), 50);
        for line in out.lines() {
            // Source lines are never wrapped; everything else fits the width.
            if !line.contains(" │ ") {
                assert!(line.chars().count() <= 50, "too wide: {line:?}\n{out}");
            }
        }
        assert!(
            out.contains("x = \"?[31mred\""),
            "control characters are neutralised:\n{out}"
        );
        assert!(out.contains("a table \\u{1b}[2J"), "{out}");
        insta::assert_snapshot!("human_wrap_edges", out);
    }

    #[test]
    fn huge_lines_skip_the_snippet_but_keep_the_location() {
        let mut text = String::from("{\"name\":\"x\",\"pad\":\"");
        text.push_str(&"a".repeat(MAX_SNIPPET_BYTES * 2));
        text.push_str("\"}\n");
        let file = SourceFile::new("wrangler.json", Format::WranglerJson, text);
        let d = Diagnostic::warning(
            "big",
            "minified",
            label(&file, "\"x\"").with_message("here"),
        );
        let out = render_plain(
            std::slice::from_ref(&d),
            &Summary::count(1, std::slice::from_ref(&d)),
            80,
        );
        assert!(out.len() < 1000, "{} bytes", out.len());
        assert!(out.contains("  --> wrangler.json:1:9\n"), "{out}");
        assert!(out.contains("  = note: wrangler.json:1:9: here\n"), "{out}");
    }

    #[test]
    fn many_diagnostics_on_a_large_file_stay_linear() {
        // ~1 MB of short lines, 1,000 diagnostics spread over it.
        let mut text = String::new();
        let mut offsets = Vec::new();
        for i in 0..50_000 {
            if i % 50 == 0 {
                offsets.push(text.len());
            }
            text.push_str(&format!("key_{i:06} = \"value\"\n"));
        }
        assert!(text.len() > 1_000_000);
        let file = SourceFile::new("wrangler.toml", Format::WranglerToml, text);
        let diags: Vec<Diagnostic> = offsets
            .iter()
            .map(|&o| Diagnostic::warning("r", "m", Label::new(&file, Span::new(o, o + 10))))
            .collect();
        let started = std::time::Instant::now();
        let out = render_plain(&diags, &Summary::count(1, &diags), 100);
        let elapsed = started.elapsed();
        assert_eq!(out.matches("warning[r]").count(), 1000);
        assert!(
            out.contains("49951 │ key_049950"),
            "line numbers from the index"
        );
        // Quadratic behaviour (a scan or copy of 1 MB per diagnostic) takes far longer than
        // this even in a debug build; linear takes well under a second.
        assert!(elapsed.as_secs() < 10, "took {elapsed:?}");
    }

    #[test]
    fn color_output_uses_ansi() {
        let (diags, summary) = sample();
        let mut out = Vec::new();
        let options = RenderOptions {
            color: true,
            width: 100,
        };
        render(&diags, Some(&summary), &options, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\x1b[1;33mwarning[migration-missing-class]"));
        assert!(text.contains("class_name"));
    }

    #[test]
    fn wrap_helper() {
        assert_eq!(wrap("a b c", 80, 0, 2), "a b c");
        assert_eq!(wrap("aaa bbb ccc", 8, 0, 2), "aaa bbb\n  ccc");
        assert_eq!(wrap("x\ny", 80, 5, 4), "x\n    y");
        assert_eq!(
            wrap("averyveryverylongword b", 5, 0, 1),
            "averyveryverylongword\n b"
        );
    }
}
