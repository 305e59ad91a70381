//! doforge's own diagnostic type. Rules and checks build plain data; `render` turns it into text,
//! JSON, SARIF or GitHub annotations at the edge.

pub mod fix;
pub mod render;

pub use fix::{Applicability, Edit, Fix};

use std::fmt;
use std::sync::Arc;

use crate::source::{SourceFile, Span};

/// How serious a finding is. Errors and warnings fail a check (exit 1); infos do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a file, optionally with a short message ("migration declared here").
#[derive(Debug, Clone)]
pub struct Label {
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub message: Option<String>,
}

impl Label {
    pub fn new(file: &Arc<SourceFile>, span: Span) -> Label {
        Label {
            file: Arc::clone(file),
            span,
            message: None,
        }
    }
    pub fn with_message(mut self, message: impl Into<String>) -> Label {
        self.message = Some(message.into());
        self
    }
    /// 1-based (line, column) of the start of the span.
    pub fn start(&self) -> (usize, usize) {
        self.file.line_col(self.span.start)
    }
    /// 1-based (line, column) of the end of the span (inclusive of the last character's line).
    pub fn end(&self) -> (usize, usize) {
        self.file.line_col(self.span.end.max(self.span.start))
    }
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Rule name (kebab-case), or a built-in check name such as `syntax` or `schema`.
    pub rule: String,
    pub severity: Severity,
    /// What is wrong, one sentence.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Where it is.
    pub primary: Label,
    /// Related places (in this or other files).
    pub secondary: Vec<Label>,
    /// The wrangler environment it is in (`None` for the top level or when env-independent).
    pub env: Option<String>,
    /// Spans of the primary file whose text no output may show (a secret value): renderers that
    /// print source snippets mask them, in every snippet of that file.
    pub redact: Vec<Span>,
    /// How to fix it mechanically, when a rule knows (`doforge check --fix`).
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        primary: Label,
    ) -> Diagnostic {
        Diagnostic {
            rule: rule.into(),
            severity,
            message: message.into(),
            help: None,
            primary,
            secondary: Vec::new(),
            env: None,
            redact: Vec::new(),
            fix: None,
        }
    }
    pub fn error(rule: impl Into<String>, message: impl Into<String>, primary: Label) -> Self {
        Self::new(rule, Severity::Error, message, primary)
    }
    pub fn warning(rule: impl Into<String>, message: impl Into<String>, primary: Label) -> Self {
        Self::new(rule, Severity::Warning, message, primary)
    }
    pub fn info(rule: impl Into<String>, message: impl Into<String>, primary: Label) -> Self {
        Self::new(rule, Severity::Info, message, primary)
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_secondary(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }
    pub fn with_env(mut self, env: Option<&str>) -> Self {
        self.env = env.map(str::to_owned);
        self
    }
    /// Never show the text at `span` (of the primary file) in any output.
    pub fn with_redacted(mut self, span: Span) -> Self {
        self.redact.push(span);
        self
    }

    /// Offer `fix` (a rule passes `None` when it cannot build one for this finding).
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix.filter(Fix::is_well_formed);
        self
    }

    /// Sort key: file, position, rule, message — so output order is stable across runs.
    pub fn sort_key(&self) -> (String, usize, String, String) {
        (
            self.primary.file.display_path(),
            self.primary.span.start,
            self.rule.clone(),
            self.message.clone(),
        )
    }
}

/// Counts for the summary line and the exit code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn count(files: usize, diagnostics: &[Diagnostic]) -> Summary {
        let mut s = Summary {
            files,
            ..Summary::default()
        };
        for d in diagnostics {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
    /// True when the check should fail (any error or warning).
    pub fn failed(&self) -> bool {
        self.errors + self.warnings > 0
    }
}
