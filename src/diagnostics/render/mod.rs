//! Renderers: the only place diagnostics become text. One module per output format.

use std::io::{self, Write};

use super::{Diagnostic, Summary};

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Graphical, with source snippets (plain when NO_COLOR is set or stdout is not a terminal).
    Human,
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
    pub help_uri: Option<String>,
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
pub fn render(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    summary: &Summary,
    rules: &[RuleDoc],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let _ = (format, diagnostics, summary, rules, options, out);
    todo!("renderers are being written")
}
