//! `doforge check --fix`: apply the fixes rules attached to their findings.
//!
//! Fixes are text edits of the files as read ([`crate::diagnostics::Fix`]); applying one never
//! re-serialises a file. A run works in rounds: take every applicable fix whose edits overlap no
//! fix already taken this round, apply them to the in-memory texts, and check the whole
//! workspace again. The round is kept only when every changed file still loads and no finding
//! appears that was not there before; otherwise its fixes are tried one at a time and those that
//! fail the same test are refused. Rounds repeat until no fix is left (fixes that overlapped, or
//! that a first fix made possible, get their turn) or [`MAX_ROUNDS`] is reached. Only then is
//! anything written ([`write`]), atomically, and never over a file that changed on disk meanwhile.

pub mod build;
pub mod catalog;
mod diff;
pub mod edit;
pub mod noqa;
mod write;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use diff::unified_diff;
pub use write::write_fixed;

use crate::check::{check_sources, CheckOptions, FileOutcome, Report};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Summary};
use crate::source::{SourceFile, Span};

/// Rounds before giving up on reaching a fixed point (ruff uses 100; fixes that insert at one place take a round each).
pub const MAX_ROUNDS: usize = 25;

/// One file `--fix` changed (in memory; [`write_fixed`] puts it on disk).
#[derive(Debug, Clone)]
pub struct FixedFile {
    /// The file as it was read.
    pub original: Arc<SourceFile>,
    /// Its fixed text.
    pub text: String,
    /// Secret values (spans no output may show) in the original and in the fixed text.
    pub redact_original: Vec<Span>,
    pub redact_fixed: Vec<Span>,
}

impl FixedFile {
    /// The diff of this file for `--diff`, secrets masked (a diff shows removed lines too).
    pub fn masked_diff(&self) -> String {
        unified_diff(
            &self.original.display_path(),
            &mask(&self.original.text, &self.redact_original),
            &mask(&self.text, &self.redact_fixed),
        )
    }
}

/// Replace the characters at `spans` with `*` (line breaks kept, so lines stay lines).
fn mask(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let hidden = spans.iter().any(|s| s.start <= i && i < s.end);
        out.push(if hidden && c != '\n' && c != '\r' {
            '*'
        } else {
            c
        });
    }
    out
}

/// What a diff of these files must mask: every secret-looking value of each file (found in the
/// file, not in its findings: a fixed file may have none left while its context lines still
/// show a value), plus what the findings mark.
fn redactions(
    files: &[FileOutcome],
    diagnostics: &[Diagnostic],
) -> HashMap<std::path::PathBuf, Vec<Span>> {
    let mut out = crate::check::secret_spans_by_path(files);
    for d in diagnostics {
        if !d.redact.is_empty() {
            out.entry(d.primary.file.path.clone())
                .or_default()
                .extend(d.redact.iter().copied());
        }
    }
    out
}

/// What a fix run did.
#[derive(Debug)]
pub struct FixRun {
    /// The check of the fixed texts: what is left.
    pub report: Report,
    /// Changed files, in path order.
    pub files: Vec<FixedFile>,
    /// Fixes applied.
    pub applied: usize,
    /// Fixes refused because their result did not load or reported something new.
    pub refused: usize,
}

/// Apply every fix of `report` that `allowed` permits, in rounds, re-checking after each.
pub fn fix_report(report: Report, options: &CheckOptions, allowed: Applicability) -> FixRun {
    let options = CheckOptions {
        progress: false,
        ..options.clone()
    };
    let redact_before = redactions(&report.files, &report.diagnostics);
    // Files that could not be loaded have no fixes; keep their findings as they are.
    let (loaded, unloaded): (Vec<FileOutcome>, Vec<FileOutcome>) =
        report.files.into_iter().partition(|f| !f.fatal);
    let extra: Vec<Diagnostic> = unloaded
        .iter()
        .flat_map(|f| f.diagnostics.clone())
        .collect();
    let originals: Vec<Arc<SourceFile>> = loaded.iter().map(|f| Arc::clone(&f.file)).collect();
    let mut current = originals.clone();
    let mut state = loaded;
    let mut diagnostics: Vec<Diagnostic> =
        state.iter().flat_map(|f| f.diagnostics.clone()).collect();
    let mut refused: HashSet<String> = HashSet::new();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let chosen = choose(&diagnostics, allowed, &refused);
        if chosen.is_empty() {
            break;
        }
        match attempt(&current, &chosen, &diagnostics, &options) {
            Some((files, rep)) => {
                applied += chosen.len();
                (current, state, diagnostics) = (files, rep.files, rep.diagnostics);
            }
            None => {
                // One bad fix spoils the batch: find the first good one, refuse the bad ones.
                let mut progressed = false;
                for fix in &chosen {
                    if let Some((files, rep)) = attempt(&current, &[fix], &diagnostics, &options) {
                        applied += 1;
                        (current, state, diagnostics) = (files, rep.files, rep.diagnostics);
                        progressed = true;
                        break;
                    }
                    refused.insert(fix_key(fix));
                }
                if !progressed {
                    break;
                }
            }
        }
    }
    // Refused fixes whose findings are still there (a fix refused in one round may apply in a
    // later one, rebuilt on the new text).
    let refused_left = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| refused.contains(&fix_key(f)))
        .count();
    let mut redact_after = redactions(&state, &diagnostics);
    let files = originals
        .iter()
        .zip(&current)
        .filter(|(o, c)| o.text != c.text)
        .map(|(o, c)| FixedFile {
            original: Arc::clone(o),
            text: c.text.clone(),
            redact_original: redact_before.get(&o.path).cloned().unwrap_or_default(),
            redact_fixed: redact_after.remove(&o.path).unwrap_or_default(),
        })
        .collect();
    let mut outcomes = state;
    outcomes.extend(unloaded);
    outcomes.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    let mut all = diagnostics;
    all.extend(extra);
    all.sort_by_key(Diagnostic::sort_key);
    let summary = Summary::count(outcomes.len(), &all);
    let fatal = report.fatal;
    FixRun {
        report: Report {
            files: outcomes,
            diagnostics: all,
            summary,
            fatal,
        },
        files,
        applied,
        refused: refused_left,
    }
}

/// The fixes to try this round: applicable, not refused, and overlapping none chosen before
/// (in report order, so the first finding in a file wins).
fn choose<'a>(
    diagnostics: &'a [Diagnostic],
    allowed: Applicability,
    refused: &HashSet<String>,
) -> Vec<&'a Fix> {
    let mut chosen: Vec<&Fix> = Vec::new();
    for fix in diagnostics.iter().filter_map(|d| d.fix.as_ref()) {
        if !fix.applies_at(allowed) || refused.contains(&fix_key(fix)) {
            continue;
        }
        let clashes = chosen.iter().any(|c| {
            c.edits
                .iter()
                .any(|a| fix.edits.iter().any(|b| a.overlaps(b)))
        });
        if !clashes {
            chosen.push(fix);
        }
    }
    chosen
}

/// Apply `fixes` to `current` and check the workspace again; `None` when a changed file no
/// longer loads or a finding appears that `before` did not have.
fn attempt(
    current: &[Arc<SourceFile>],
    fixes: &[&Fix],
    before: &[Diagnostic],
    options: &CheckOptions,
) -> Option<(Vec<Arc<SourceFile>>, Report)> {
    let mut by_file: HashMap<&std::path::Path, Vec<Edit>> = HashMap::new();
    for fix in fixes {
        for e in &fix.edits {
            by_file
                .entry(e.file.path.as_path())
                .or_default()
                .push(e.clone());
        }
    }
    let mut changed = HashSet::new();
    let mut files = Vec::with_capacity(current.len());
    for f in current {
        match by_file.get(f.path.as_path()) {
            Some(edits) => {
                // An edit made against another version of the file is stale: refuse it.
                if edits.iter().any(|e| !Arc::ptr_eq(&e.file, f)) {
                    return None;
                }
                let text = apply_edits(&f.text, edits)?;
                changed.insert(f.path.clone());
                files.push(SourceFile::new(f.path.clone(), f.format, text));
            }
            None => files.push(Arc::clone(f)),
        }
    }
    if changed.len() != by_file.len() {
        return None; // an edit of a file outside the run
    }
    let report = check_sources(&files, options);
    let broken = report
        .files
        .iter()
        .any(|f| f.fatal && changed.contains(&f.file.path));
    if broken || introduces_findings(before, &report.diagnostics) {
        return None;
    }
    Some((files, report))
}

/// Does `after` hold a finding `before` did not? Findings are counted per file, rule and
/// environment: positions move when text is inserted above them, and messages that list names
/// change when a fix removes one of them (`lacks the top-level vars A, B` → `… var A`), so
/// neither can say what is new; a count that grows can.
fn introduces_findings(before: &[Diagnostic], after: &[Diagnostic]) -> bool {
    let mut counts: HashMap<String, isize> = HashMap::new();
    for d in before {
        *counts.entry(finding_key(d)).or_default() += 1;
    }
    for d in after {
        let c = counts.entry(finding_key(d)).or_default();
        *c -= 1;
        if *c < 0 {
            return true;
        }
    }
    false
}

fn finding_key(d: &Diagnostic) -> String {
    format!(
        "{}\0{}\0{}",
        d.primary.file.path.display(),
        d.rule,
        d.env.as_deref().unwrap_or("")
    )
}

/// A fix's identity across rounds (its spans move as other fixes apply).
fn fix_key(fix: &Fix) -> String {
    let mut key = fix.message.clone();
    for e in &fix.edits {
        key.push('\0');
        key.push_str(&e.file.path.to_string_lossy());
        key.push('\0');
        key.push_str(&e.content);
    }
    key
}

/// Apply non-overlapping edits of one text. `None` when they overlap or leave the text (or a
/// char boundary) — which a well-formed fix never does.
pub fn apply_edits(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in sorted {
        let (s, end) = (e.span.start, e.span.end);
        if s < at || end < s || end > text.len() {
            return None;
        }
        if !text.is_char_boundary(s) || !text.is_char_boundary(end) {
            return None;
        }
        out.push_str(&text[at..s]);
        out.push_str(&e.content);
        at = end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// How many findings of `diagnostics` a run with `allowed` would fix, and how many more only
/// `--unsafe-fixes` would.
pub fn fixable_counts(diagnostics: &[Diagnostic], allowed: Applicability) -> (usize, usize) {
    let fixes = diagnostics.iter().filter_map(|d| d.fix.as_ref());
    let (mut now, mut hidden) = (0, 0);
    for f in fixes {
        if f.applies_at(allowed) {
            now += 1;
        } else {
            hidden += 1;
        }
    }
    (now, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Format;

    #[test]
    fn edits_apply_in_order_and_refuse_overlaps() {
        let f = SourceFile::new("wrangler.toml", Format::WranglerToml, "abcdef".to_owned());
        let e = |s, t, c: &str| Edit::replace(&f, Span::new(s, t), c);
        assert_eq!(
            apply_edits(&f.text, &[e(4, 5, "E"), e(0, 1, ""), e(2, 2, "+")]).as_deref(),
            Some("b+cdEf")
        );
        assert_eq!(apply_edits(&f.text, &[e(0, 3, ""), e(2, 4, "")]), None);
        assert_eq!(apply_edits(&f.text, &[e(5, 9, "")]), None);
        assert!(e(2, 2, "x").overlaps(&e(2, 2, "y")));
        assert!(!e(2, 2, "x").overlaps(&e(2, 4, "y")));
        assert!(e(3, 3, "x").overlaps(&e(2, 4, "y")));
    }
}
