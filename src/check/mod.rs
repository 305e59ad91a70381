//! `doforge check`: find files, load each with spans, check its structure, resolve it into the
//! model and collect diagnostics. Files are checked in parallel; the report is ordered by file
//! and position so output is the same on every run.

mod discover;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use discover::{discover, looks_like_blueprint, Discovered};

use crate::diagnostics::{Diagnostic, Label, Summary};
use crate::model::{self, Project};
use crate::schema;
use crate::source::{self, Format, Limits, Node, SourceFile, Span};

/// Built-in check names (lint rules have their own).
pub const SYNTAX: &str = "syntax";
pub const IO: &str = "io";
pub const UNKNOWN_ENV: &str = "unknown-env";

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Only report findings for this environment (and the top level), like `wrangler --env`.
    pub env: Option<String>,
    pub limits: Limits,
    /// Worker threads (0 = one per core).
    pub jobs: usize,
}

/// The result of checking one file.
#[derive(Debug)]
pub struct FileOutcome {
    pub file: Arc<SourceFile>,
    pub project: Option<Project>,
    pub diagnostics: Vec<Diagnostic>,
    /// The file could not be checked (unreadable, not UTF-8, syntax error, over a limit).
    pub fatal: bool,
}

/// Everything `check` found.
#[derive(Debug)]
pub struct Report {
    pub files: Vec<FileOutcome>,
    /// All diagnostics, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// Some file or path could not be checked at all.
    pub fatal: bool,
}

/// Exit codes (documented in the README and `doforge check --help`).
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_TOOL_FAILED: i32 = 2;

impl Report {
    /// 0 when clean (infos allowed), 1 when an error or warning was reported, 2 when doforge could
    /// not do its job. `--exit-zero` turns 1 into 0 but never hides a 2.
    pub fn exit_code(&self, exit_zero: bool) -> i32 {
        if self.fatal {
            EXIT_TOOL_FAILED
        } else if self.summary.failed() && !exit_zero {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        }
    }
}

/// Check every file found under `paths` (files or directories).
pub fn check_paths(paths: &[PathBuf], options: &CheckOptions) -> Report {
    let found = discover(paths);
    let mut outcomes: Vec<FileOutcome> = found
        .problems
        .into_iter()
        .map(|(path, message, help)| {
            let file = SourceFile::new(path, Format::Blueprint, String::new());
            let d =
                Diagnostic::error(IO, message, Label::new(&file, Span::default())).with_help(help);
            FileOutcome {
                file,
                project: None,
                diagnostics: vec![d],
                fatal: true,
            }
        })
        .collect();
    outcomes.extend(check_files(&found.files, options));
    finish(outcomes)
}

/// Check the given files (already classified), in parallel.
pub fn check_files(files: &[(PathBuf, Format)], options: &CheckOptions) -> Vec<FileOutcome> {
    let jobs = match options.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(files.len().max(1));
    if jobs <= 1 {
        return files
            .iter()
            .map(|(p, f)| check_file(p, *f, options))
            .collect();
    }
    let chunk = files.len().div_ceil(jobs);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(p, f)| check_file(p, *f, options))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("checking a file never panics"))
            .collect()
    })
}

/// Read and check one file.
pub fn check_file(path: &Path, format: Format, options: &CheckOptions) -> FileOutcome {
    let bytes = match read_limited(path, &options.limits) {
        Ok(b) => b,
        Err(message) => {
            let file = SourceFile::new(path, format, String::new());
            let d = Diagnostic::error(IO, message, Label::new(&file, Span::default()));
            return fatal(file, d);
        }
    };
    let text = match source::decode(bytes) {
        Ok(t) => t,
        Err((e, bytes)) => {
            // Show the text up to the bad byte's line only: past it the file may be binary noise.
            let lossy = String::from_utf8_lossy(&bytes);
            let end = lossy[..e.span.start.min(lossy.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let line_end = lossy[end..].find('\n').map_or(lossy.len(), |i| end + i);
            // A short line is worth showing (the renderer neutralises control characters); a long
            // one is binary noise.
            let shown = if line_end - end <= 200 {
                lossy[..line_end].to_owned()
            } else {
                lossy[..end].to_owned()
            };
            let file = SourceFile::new(path, format, shown);
            return fatal(Arc::clone(&file), load_error(&file, e));
        }
    };
    check_source(SourceFile::new(path, format, text), options)
}

/// Check a file already in memory.
pub fn check_source(file: Arc<SourceFile>, options: &CheckOptions) -> FileOutcome {
    let root = match source::parse(&file, &options.limits) {
        Ok(root) => root,
        Err(e) => return fatal(Arc::clone(&file), load_error(&file, e)),
    };
    let (project, mut diagnostics) = check_tree(&file, &root);
    if let (Some(env), Some(p)) = (&options.env, &project) {
        diagnostics.retain(|d| d.env.as_ref().is_none_or(|e| e == env));
        if let Some(d) = unknown_env(&file, p, env) {
            diagnostics.push(d);
        }
    }
    diagnostics.sort_by_key(Diagnostic::sort_key);
    FileOutcome {
        file,
        project,
        diagnostics,
        fatal: false,
    }
}

/// Structure, then model. The model is only built for a blueprint whose structure is valid (a
/// half-valid blueprint would resolve into misleading findings); a wrangler config is resolved
/// from whatever is readable, as wrangler does.
fn check_tree(file: &Arc<SourceFile>, root: &Node) -> (Option<Project>, Vec<Diagnostic>) {
    match file.format {
        Format::Blueprint => {
            let mut diagnostics = schema::blueprint::check(file, root);
            if !diagnostics.is_empty() {
                return (None, diagnostics);
            }
            let (project, more) = model::blueprint::resolve(file, root);
            diagnostics.extend(more);
            (project, diagnostics)
        }
        Format::WranglerToml | Format::WranglerJson => {
            let mut diagnostics = schema::wrangler::check(file, root);
            let (project, more) = model::wrangler::resolve(file, root);
            diagnostics.extend(more);
            (project, diagnostics)
        }
    }
}

fn unknown_env(file: &Arc<SourceFile>, project: &Project, env: &str) -> Option<Diagnostic> {
    let names = project.env_names();
    if names.iter().any(|n| n == env) {
        return None;
    }
    let label = Label::new(file, Span::default());
    Some(if names.is_empty() {
        Diagnostic::info(
            UNKNOWN_ENV,
            format!(
                "--env {env}: this file defines no environments, so only its top level was checked"
            ),
            label,
        )
    } else {
        Diagnostic::error(
            UNKNOWN_ENV,
            format!("--env {env}: no environment named `{env}` in this file"),
            label,
        )
        .with_help(format!("environments defined here: {}", names.join(", ")))
    })
}

fn finish(mut files: Vec<FileOutcome>) -> Report {
    files.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    let mut diagnostics: Vec<Diagnostic> = files
        .iter()
        .flat_map(|f| f.diagnostics.iter().cloned())
        .collect();
    diagnostics.sort_by_key(Diagnostic::sort_key);
    let summary = Summary::count(files.len(), &diagnostics);
    let fatal = files.iter().any(|f| f.fatal);
    Report {
        files,
        diagnostics,
        summary,
        fatal,
    }
}

fn fatal(file: Arc<SourceFile>, d: Diagnostic) -> FileOutcome {
    FileOutcome {
        file,
        project: None,
        diagnostics: vec![d],
        fatal: true,
    }
}

fn load_error(file: &Arc<SourceFile>, e: source::LoadError) -> Diagnostic {
    let d = Diagnostic::error(SYNTAX, e.message, Label::new(file, e.span));
    match e.help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

/// Read a file, refusing (without reading it all) one larger than the limit.
fn read_limited(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let f =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    f.take(limits.max_file_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() > limits.max_file_bytes {
        return Err(format!(
            "{} is larger than the limit of {} bytes; raise it with --max-file-size if the file is genuine",
            path.display(),
            limits.max_file_bytes
        ));
    }
    Ok(bytes)
}
