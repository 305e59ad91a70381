//! Renderers: the only place diagnostics become text. One module per output format.

mod concise;
mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use super::{Diagnostic, Summary};

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Graphical, with source snippets (plain when NO_COLOR is set or stdout is not a terminal).
    Human,
    /// One line per finding: `path:line:col: severity[rule] message (env: …)`.
    Concise,
    /// One JSON document: `{"version":1,"diagnostics":[…],"summary":{…}}`.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

/// What a renderer knows about a rule (SARIF lists the rules it ran).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    pub name: String,
    pub summary: String,
    /// Where the rule's docs page is (an absolute URI; SARIF's `helpUri`).
    pub help_uri: Option<String>,
    /// The rule's full docs, in Markdown (SARIF's `help.markdown`).
    pub help: Option<String>,
}

/// Presentation settings for the human renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Use colour and Unicode box drawing.
    pub color: bool,
    /// Wrap width for the human renderer.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            width: 100,
        }
    }
}

/// Write `diagnostics` (already sorted) and the summary in `format` to `out`.
///
/// Errors are the writer's; the caller treats [`io::ErrorKind::BrokenPipe`] as success.
pub fn render(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    summary: &Summary,
    rules: &[RuleDoc],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_with(format, diagnostics, Some(summary), rules, options, out)
}

/// [`render`], with the closing summary line of the text formats left out when `summary` is
/// `None` (`--quiet`; JSON keeps its `summary` object, which is data, not chatter).
pub fn render_with(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    summary: Option<&Summary>,
    rules: &[RuleDoc],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let counted;
    let full = match summary {
        Some(s) => s,
        None => {
            counted = Summary::count(0, diagnostics);
            &counted
        }
    };
    match format {
        OutputFormat::Human => human::render(diagnostics, summary, options, out),
        OutputFormat::Concise => concise::render(diagnostics, summary, out),
        OutputFormat::Json => json::render(diagnostics, full, out),
        OutputFormat::Sarif => sarif::render(diagnostics, rules, out),
        OutputFormat::Github => github::render(diagnostics, full, out),
    }?;
    out.flush()
}

/// Whether to colour output written to a stream.
///
/// `NO_COLOR` (non-empty) always wins and turns colour off; otherwise `CLICOLOR_FORCE` or
/// `FORCE_COLOR` (set, and not `0`/`false`) turns it on even when the stream is not a terminal;
/// otherwise colour is used exactly when the stream is a terminal.
pub fn color_wanted(stream_is_terminal: bool) -> bool {
    color_wanted_with(|name| std::env::var_os(name), stream_is_terminal)
}

fn color_wanted_with(
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
    stream_is_terminal: bool,
) -> bool {
    if var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    let forced = |name: &str| {
        var(name).is_some_and(|v| {
            let v = v.to_string_lossy();
            !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false")
        })
    };
    if forced("CLICOLOR_FORCE") || forced("FORCE_COLOR") {
        return true;
    }
    stream_is_terminal
}

/// The closing line shared by the text formats: `doforge: 2 errors, 1 warning, 0 infos in 3 files`
/// or `doforge: no problems found in 3 files`.
pub fn summary_line(summary: &Summary) -> String {
    let files = plural(summary.files, "file", "files");
    if summary.errors + summary.warnings + summary.infos == 0 {
        return format!("doforge: no problems found in {files}");
    }
    format!(
        "doforge: {}, {}, {} in {files}",
        plural(summary.errors, "error", "errors"),
        plural(summary.warnings, "warning", "warnings"),
        plural(summary.infos, "info", "infos"),
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Hand-built diagnostics shared by the renderer tests.

    use std::sync::Arc;

    use crate::diagnostics::{Diagnostic, Label, Summary};
    use crate::source::{Format, SourceFile, Span};

    pub const TOML: &str = "name = \"shop\"\nmain = \"src/index.ts\"\n\n[[durable_objects.bindings]]\nname = \"CART\"\nclass_name = \"Cart\"\n\n[[migrations]]\ntag = \"v1\"\nnew_classes = [\"Carts\"]\n";

    pub fn toml_file() -> Arc<SourceFile> {
        SourceFile::new("wrangler.toml", Format::WranglerToml, TOML.to_owned())
    }

    /// The span of the first occurrence of `needle` in `file`.
    pub fn span_of(file: &SourceFile, needle: &str) -> Span {
        let start = file.text.find(needle).expect("needle in text");
        Span::new(start, start + needle.len())
    }

    pub fn label(file: &Arc<SourceFile>, needle: &str) -> Label {
        Label::new(file, span_of(file, needle))
    }

    /// One warning with a message label, a same-file secondary label, help and an env.
    pub fn sample() -> (Vec<Diagnostic>, Summary) {
        let file = toml_file();
        let d = Diagnostic::warning(
            "migration-missing-class",
            "class `Cart` is bound but no migration creates it",
            label(&file, "class_name = \"Cart\"").with_message("bound here"),
        )
        .with_secondary(label(&file, "new_classes = [\"Carts\"]").with_message("migration v1"))
        .with_help("add \"Cart\" to `new_classes` in a migration")
        .with_env(Some("staging"));
        let diags = vec![d];
        let summary = Summary::count(1, &diags);
        (diags, summary)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::ffi::OsString;

    use super::*;

    fn wanted(vars: &[(&str, &str)], tty: bool) -> bool {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        color_wanted_with(|name| map.get(name).cloned(), tty)
    }

    #[test]
    fn color_follows_terminal_and_env() {
        assert!(wanted(&[], true));
        assert!(!wanted(&[], false));
        assert!(!wanted(&[("NO_COLOR", "1")], true));
        assert!(
            wanted(&[("NO_COLOR", "")], true),
            "empty NO_COLOR is ignored"
        );
        assert!(wanted(&[("CLICOLOR_FORCE", "1")], false));
        assert!(wanted(&[("FORCE_COLOR", "1")], false));
        assert!(!wanted(&[("FORCE_COLOR", "0")], false));
        assert!(!wanted(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], true));
    }

    #[test]
    fn summary_lines() {
        let s = Summary {
            files: 3,
            errors: 2,
            warnings: 1,
            infos: 0,
        };
        assert_eq!(
            summary_line(&s),
            "doforge: 2 errors, 1 warning, 0 infos in 3 files"
        );
        let none = Summary {
            files: 1,
            ..Summary::default()
        };
        assert_eq!(summary_line(&none), "doforge: no problems found in 1 file");
    }

    #[test]
    fn render_dispatches_every_format() {
        let (diags, summary) = testutil::sample();
        for format in [
            OutputFormat::Human,
            OutputFormat::Concise,
            OutputFormat::Json,
            OutputFormat::Sarif,
            OutputFormat::Github,
        ] {
            let mut out = Vec::new();
            render(
                format,
                &diags,
                &summary,
                &[],
                &RenderOptions::default(),
                &mut out,
            )
            .unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                text.contains("migration-missing-class"),
                "{format:?}: {text}"
            );
            assert!(text.ends_with('\n'), "{format:?}");
        }
    }
}
