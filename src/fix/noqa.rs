//! `doforge check --add-noqa`: adopt doforge on a repository with existing findings by
//! inserting a `doforge-ignore: rule -- reason` comment above every finding a lint rule reports
//! (ruff's `--add-noqa`). One comment per line, naming every rule reported there; it is indented
//! like that line, written with the file's comment prefix, and inserted as a new line, so nothing
//! else in the file changes. The result is checked like a fix: each file must still load and
//! report nothing it did not report before (else it is left alone).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::edit::{indent_of, newline};
use super::{apply_edits, FixedFile};
use crate::check::{check_sources, CheckOptions, Report};
use crate::diagnostics::{Diagnostic, Edit};
use crate::lint::{registry, suppress};
use crate::source::{Format, SourceFile};

/// The reason written into every added suppression.
pub const REASON: &str = "existing finding, added by `doforge check --add-noqa`: fix it or say why";

/// What `--add-noqa` did.
#[derive(Debug)]
pub struct Noqa {
    /// Changed files (write them with [`super::write_fixed`]).
    pub files: Vec<FixedFile>,
    /// Suppression comments added.
    pub added: usize,
    /// Files left alone because the comments would have broken them.
    pub skipped: Vec<String>,
}

pub fn add_noqa(report: &Report, options: &CheckOptions) -> Noqa {
    let options = CheckOptions {
        progress: false,
        ..options.clone()
    };
    let loaded: Vec<Arc<SourceFile>> = report
        .files
        .iter()
        .filter(|f| !f.fatal && f.file.format != Format::Source)
        .map(|f| Arc::clone(&f.file))
        .collect();
    // path → line → rules reported there.
    let mut targets: HashMap<&std::path::Path, BTreeMap<usize, BTreeSet<&str>>> = HashMap::new();
    for d in &report.diagnostics {
        // Only lint rules can be suppressed; an unused suppression is removed, not suppressed.
        if registry::find(&d.rule).is_none() || d.rule == suppress::UNUSED {
            continue;
        }
        let (line, _) = d.primary.start();
        targets
            .entry(d.primary.file.path.as_path())
            .or_default()
            .entry(line)
            .or_default()
            .insert(d.rule.as_str());
    }
    let mut noqa = Noqa {
        files: Vec::new(),
        added: 0,
        skipped: Vec::new(),
    };
    let mut current = loaded.clone();
    for (i, file) in loaded.iter().enumerate() {
        let Some(lines) = targets.get(file.path.as_path()) else {
            continue;
        };
        let edits = comments(file, lines);
        let Some(text) = apply_edits(&file.text, &edits) else {
            continue;
        };
        let mut trial = current.clone();
        trial[i] = SourceFile::new(file.path.clone(), file.format, text.clone());
        if ok(&report.diagnostics, &check_sources(&trial, &options), file) {
            current = trial;
            noqa.added += edits.len();
            noqa.files.push(FixedFile {
                original: Arc::clone(file),
                text,
                redact_original: Vec::new(),
                redact_fixed: Vec::new(),
            });
        } else {
            noqa.skipped.push(file.display_path());
        }
    }
    noqa
}

fn comments(file: &Arc<SourceFile>, lines: &BTreeMap<usize, BTreeSet<&str>>) -> Vec<Edit> {
    let text = file.text.as_str();
    let nl = newline(text);
    let prefix = file.format.comment_prefix();
    lines
        .iter()
        .map(|(&line, rules)| {
            let at = file.line_start(line).min(text.len());
            let indent = indent_of(text, at);
            let names: Vec<&str> = rules.iter().copied().collect();
            let comment = format!(
                "{indent}{prefix} {} {} -- {REASON}{nl}",
                suppress::MARKER,
                names.join(", ")
            );
            // A last line without a line break: the comment still goes above it.
            Edit::insert(file, at, comment)
        })
        .collect()
}

/// The file loads and reports no more than before (per rule and env, as fixes are judged).
fn ok(before: &[Diagnostic], after: &Report, file: &SourceFile) -> bool {
    let count = |ds: &[Diagnostic]| {
        let mut m: HashMap<(String, Option<String>), usize> = HashMap::new();
        for d in ds.iter().filter(|d| d.primary.file.path == file.path) {
            *m.entry((d.rule.clone(), d.env.clone())).or_default() += 1;
        }
        m
    };
    let loads = after
        .files
        .iter()
        .any(|f| f.file.path == file.path && !f.fatal);
    let (b, a) = (count(before), count(&after.diagnostics));
    loads && a.iter().all(|(k, n)| b.get(k).copied().unwrap_or(0) >= *n)
}
