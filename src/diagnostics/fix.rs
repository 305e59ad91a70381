//! Fixes as plain data: a rule attaches a [`Fix`] (text edits of source files, with how safe it
//! is) to its finding; `crate::fix` applies them. Nothing here touches a file.

use std::sync::Arc;

use crate::source::{SourceFile, Span};

/// How safe a fix is to apply without review (ruff's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Keeps what the config means to wrangler except for the problem it removes:
    /// `doforge check --fix` applies it.
    Safe,
    /// Changes what gets deployed in a way the user must review (a shared resource, a secret,
    /// a storage backend): applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the text at `span` of `file` with `content` (an empty span inserts, empty content
/// deletes).
#[derive(Debug, Clone)]
pub struct Edit {
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(file: &Arc<SourceFile>, span: Span, content: impl Into<String>) -> Edit {
        Edit {
            file: Arc::clone(file),
            span,
            content: content.into(),
        }
    }
    pub fn delete(file: &Arc<SourceFile>, span: Span) -> Edit {
        Edit::replace(file, span, "")
    }
    pub fn insert(file: &Arc<SourceFile>, at: usize, content: impl Into<String>) -> Edit {
        Edit::replace(file, Span::new(at, at), content)
    }

    /// Do two edits of the same file touch the same text? Two insertions at one offset count as
    /// overlapping (their order would be a guess); an insertion at the boundary of a replacement
    /// does not.
    pub fn overlaps(&self, other: &Edit) -> bool {
        if self.file.path != other.file.path {
            return false;
        }
        let (a, b) = (self.span, other.span);
        if a.is_empty() && b.is_empty() {
            return a.start == b.start;
        }
        if a.is_empty() {
            return b.start < a.start && a.start < b.end;
        }
        if b.is_empty() {
            return a.start < b.start && b.start < a.end;
        }
        a.start < b.end && b.start < a.end
    }
}

/// Secret values findings mark for redaction (`Diagnostic::redact`), per file path: what no
/// rendering of a fix's content may show either (a fix that copies a block copies its values).
pub fn secret_texts(
    diagnostics: &[super::Diagnostic],
) -> std::collections::HashMap<std::path::PathBuf, Vec<String>> {
    let mut out: std::collections::HashMap<std::path::PathBuf, Vec<String>> = Default::default();
    for d in diagnostics {
        for s in &d.redact {
            if let Some(t) = d.primary.file.text.get(s.start..s.end) {
                if !t.is_empty() {
                    out.entry(d.primary.file.path.clone())
                        .or_default()
                        .push(t.to_owned());
                }
            }
        }
    }
    for texts in out.values_mut() {
        // Longest first, so a secret containing another is masked whole.
        texts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        texts.dedup();
    }
    out
}

impl Edit {
    /// The new text with every secret of `secrets` masked.
    pub fn shown_content(&self, secrets: Option<&Vec<String>>) -> String {
        let mut content = self.content.clone();
        for s in secrets.into_iter().flatten() {
            content = content.replace(s.as_str(), &"*".repeat(s.chars().count()));
        }
        content
    }
}

/// One way to fix a finding: every edit applies together, or none does.
#[derive(Debug, Clone)]
pub struct Fix {
    /// What the fix does, imperative ("remove the repeated flag").
    pub message: String,
    pub applicability: Applicability,
    /// Non-overlapping edits, in source order per file.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(message, Applicability::Safe, edits)
    }
    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(message, Applicability::Unsafe, edits)
    }
    pub fn new(
        message: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by(|a, b| (&a.file.path, a.span).cmp(&(&b.file.path, b.span)));
        Fix {
            message: message.into(),
            applicability,
            edits,
        }
    }

    /// Is this fix applied in a run that applies `allowed` fixes (safe only, or safe and unsafe)?
    pub fn applies_at(&self, allowed: Applicability) -> bool {
        self.applicability <= allowed
    }

    /// Well-formed: at least one edit, each inside its file on char boundaries, none overlapping.
    pub fn is_well_formed(&self) -> bool {
        !self.edits.is_empty()
            && self.edits.iter().all(|e| {
                let t = &e.file.text;
                e.span.start <= e.span.end
                    && e.span.end <= t.len()
                    && t.is_char_boundary(e.span.start)
                    && t.is_char_boundary(e.span.end)
            })
            && self
                .edits
                .iter()
                .enumerate()
                .all(|(i, a)| self.edits[i + 1..].iter().all(|b| !a.overlaps(b)))
    }
}
