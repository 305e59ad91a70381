//! Source files, byte spans and the position-keeping value tree every input format loads into.
//!
//! Blueprint YAML, `wrangler.toml` and `wrangler.json(c)` all become one [`Node`] tree whose every
//! value and key carries a byte [`Span`] into its [`SourceFile`]. Everything downstream (schema
//! checks, model resolution, lint rules, diagnostics) works on that tree, so any finding can name
//! file, line and column.

mod depth;
mod jsonc;
mod limits;
mod node;
mod toml;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use limits::Limits;
pub use node::{Entry, Node, NodeKind};

/// A half-open byte range `[start, end)` into a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What kind of document a file holds; decides the loader and the checks that apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A doforge blueprint (YAML).
    Blueprint,
    /// `wrangler.toml`.
    WranglerToml,
    /// `wrangler.json` or `wrangler.jsonc` (both accept comments and trailing commas, as wrangler does).
    WranglerJson,
    /// A Worker source file (JavaScript, TypeScript, Rust) that a lint rule points into. Never
    /// loaded as configuration: it exists so a diagnostic can show a line of code.
    Source,
}

impl Format {
    /// The format a path is checked as, from its file name alone.
    ///
    /// `wrangler.toml`, `wrangler.json` and `wrangler.jsonc` (also with a prefix such as
    /// `wrangler.staging.toml`, which people pass with `--config`) are wrangler configs; any other
    /// `.yaml`/`.yml` file is treated as a blueprint when passed explicitly.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("wrangler") {
            if lower.ends_with(".toml") {
                return Some(Format::WranglerToml);
            }
            if lower.ends_with(".json") || lower.ends_with(".jsonc") {
                return Some(Format::WranglerJson);
            }
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Some(Format::Blueprint);
        }
        None
    }

    /// The comment prefix of the format (used by inline suppressions and generated headers).
    pub fn comment_prefix(self) -> &'static str {
        match self {
            Format::Blueprint | Format::WranglerToml => "#",
            Format::WranglerJson | Format::Source => "//",
        }
    }

    pub fn is_wrangler(self) -> bool {
        matches!(self, Format::WranglerToml | Format::WranglerJson)
    }
}

/// One loaded file: its path as the user should see it, its text and a line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as given or found (relative when the user gave a relative path).
    pub path: PathBuf,
    pub format: Format,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, format: Format, text: String) -> Arc<SourceFile> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Arc::new(SourceFile {
            path: path.into(),
            format,
            text,
            line_starts,
        })
    }

    /// The path printed in diagnostics (forward slashes, as CI annotations and SARIF expect).
    pub fn display_path(&self) -> String {
        let s = self.path.to_string_lossy().replace('\\', "/");
        s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
    }

    /// 1-based line and column of a byte offset; the column counts Unicode scalar values.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(offset);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches('\r')
    }

    /// Byte offset of the start of 1-based line `line` (end of text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Clamp an offset into the text and onto a char boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }
}

/// Why a file could not be loaded into a [`Node`] tree. Always carries a position.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub message: String,
    pub span: Span,
    /// How to fix it, when we know.
    pub help: Option<String>,
}

impl LoadError {
    pub fn new(message: impl Into<String>, span: Span) -> LoadError {
        LoadError {
            message: message.into(),
            span,
            help: None,
        }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> LoadError {
        self.help = Some(help.into());
        self
    }
}

/// Parse a file's text into a spanned tree, with the loader its format calls for.
pub fn parse(file: &SourceFile, limits: &Limits) -> Result<Node, LoadError> {
    limits.check_size(file.text.len())?;
    match file.format {
        Format::Blueprint => yaml::parse(&file.text, limits),
        Format::WranglerToml => toml::parse(&file.text, limits),
        Format::WranglerJson => jsonc::parse(&file.text, limits),
        Format::Source => Err(LoadError::new(
            "a Worker source file is not a configuration file",
            Span::default(),
        )),
    }
}

/// Decode raw bytes as UTF-8 text (a leading BOM is dropped, as wrangler and YAML parsers do).
///
/// On failure the error's span is the offset of the first bad byte in the *lossy* decoding of the
/// bytes, which keeps the valid prefix byte-for-byte, so it can be shown against that text.
/// Binary content (NUL or other control bytes) is refused as such, not as "bad UTF-8".
pub fn decode(bytes: Vec<u8>) -> Result<String, (LoadError, Vec<u8>)> {
    if let Some(at) = bytes
        .iter()
        .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
    {
        let e = LoadError::new(
            format!(
                "file holds binary data (control byte 0x{:02x} at offset {at}), not text",
                bytes[at]
            ),
            Span::new(at, at + 1),
        )
        .with_help("doforge checks text files: blueprint YAML and wrangler TOML/JSON");
        return Err((e, bytes));
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..'\u{feff}'.len_utf8());
            }
            Ok(s)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let err = LoadError::new(
                format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                Span::new(at, at + 1),
            )
            .with_help("save the file as UTF-8");
            Err((err, e.into_bytes()))
        }
    }
}
