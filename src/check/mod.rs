//! `doforge check`: find files, load each with spans, check its structure and resolve it into the
//! model (in parallel), then run the lint rules over all of them as one workspace, apply settings
//! and suppressions. The report is ordered by file and position so output is the same every run.

mod discover;
pub mod progress;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use discover::{discover, looks_like_blueprint, Discovered};

use crate::diagnostics::{Diagnostic, Label, Summary};
use crate::lint::git_history::GitHistory;
use crate::lint::{self, LintInput, SettingsFinder, Workspace};
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
    /// `--select`: only these rules run (empty = all enabled rules).
    pub select: Vec<String>,
    /// `--ignore`: these rules do not run.
    pub ignore: Vec<String>,
    /// Today as `YYYY-MM-DD` (None = the real date); tests pin it.
    pub today: Option<String>,
    /// `--base REF`: `migration-history-rewritten` also compares with the merge base of `HEAD`
    /// and REF (None: with the upstream or the remote's default branch, when there is one).
    pub base: Option<String>,
    /// Show a progress line on stderr for long runs ([`progress`]; the CLI sets it when stderr
    /// is a terminal outside CI).
    pub progress: bool,
    /// Do not read the `doforge.lock` beside a blueprint (`generate` plans over its own `--out`).
    pub no_lock: bool,
}

/// The result of checking one file.
#[derive(Debug)]
pub struct FileOutcome {
    pub file: Arc<SourceFile>,
    /// The loaded tree (None when the file could not be loaded).
    pub root: Option<Node>,
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
            fatal(file, d)
        })
        .collect();
    let git = GitHistory::with_base(options.base.clone());
    outcomes.extend(check_loaded(
        load_files_with(&found.files, options, Some(&git)),
        options,
        &git,
    ));
    finish(outcomes)
}

/// Check files whose formats are already known (no discovery), as one workspace.
pub fn check_classified(files: &[(PathBuf, Format)], options: &CheckOptions) -> Report {
    let git = GitHistory::with_base(options.base.clone());
    finish(check_loaded(
        load_files_with(files, options, Some(&git)),
        options,
        &git,
    ))
}

/// Check files already in memory (no discovery, no reading), as one workspace. Rules that look
/// beyond the file (worker sources, git history, doforge.toml) still look at the file's path.
pub fn check_sources(files: &[Arc<SourceFile>], options: &CheckOptions) -> Report {
    let git = GitHistory::with_base(options.base.clone());
    let loaded = parallel_map(files, options.jobs, |_, f| {
        prestart_git(f, &git);
        load_source(Arc::clone(f), options)
    });
    finish(check_loaded(loaded, options, &git))
}

fn check_loaded(
    mut loaded: Vec<FileOutcome>,
    options: &CheckOptions,
    git: &GitHistory,
) -> Vec<FileOutcome> {
    lint_all(&mut loaded, options, git);
    loaded
}

/// Start git early for a file `migration-history-rewritten` may compare with `HEAD` (one that
/// mentions migrations, or a blueprint with Durable Objects, whose migrations are planned), so
/// git's start-up overlaps with loading and checking. A false guess only costs a process that
/// is never asked anything.
fn prestart_git(file: &SourceFile, git: &GitHistory) {
    let may_need = file.text.contains("migrations")
        || (file.format == Format::Blueprint && file.text.contains("durable_objects"));
    if may_need {
        git.prestart(&file.path);
    }
}

/// Run the lint rules over every loaded project (as one workspace, so cross-file rules see all
/// of them), then apply suppressions and the `--env` filter per file.
fn lint_all(files: &mut [FileOutcome], options: &CheckOptions, git: &GitHistory) {
    let today = options.today.clone().unwrap_or_else(lint::today_utc);
    let finder = SettingsFinder::new(&options.select, &options.ignore);
    let workspace =
        Workspace::new(files.iter().filter_map(|f| f.project.as_ref()).collect()).with_git(git);
    let mut settings_problems = Vec::new();
    let mut seen_configs = Vec::new();
    let settings: Vec<_> = files
        .iter()
        .map(|f| {
            let lint_section = f.project.as_ref().map(|p| &p.lint);
            finder.for_file(
                &f.file.path,
                &f.file,
                lint_section,
                &mut settings_problems,
                &mut seen_configs,
            )
        })
        .collect();
    let findings: Vec<Vec<Diagnostic>> =
        parallel_map(files, options.jobs, |i, f| match (&f.project, &f.root) {
            (Some(project), Some(root)) => {
                let input = LintInput {
                    project,
                    root,
                    path: &f.file.path,
                };
                let mut found = lint::lint_project(&input, &workspace, &settings[i], &today);
                if !options.no_lock && f.file.format == Format::Blueprint {
                    found.extend(crate::generate::lock_findings(project, &f.file.path));
                }
                found
            }
            _ => Vec::new(),
        });
    for ((f, more), settings) in files.iter_mut().zip(findings).zip(&settings) {
        f.diagnostics.extend(more);
        // Settings problems in a blueprint's own `lint:` section belong to that file.
        let (own, rest): (Vec<_>, Vec<_>) = settings_problems
            .drain(..)
            .partition(|d| Arc::ptr_eq(&d.primary.file, &f.file));
        settings_problems = rest;
        f.diagnostics.extend(own);
        if !f.fatal {
            lint::suppress::apply(
                &f.file,
                &mut f.diagnostics,
                lint::unused_suppression_level(settings),
            );
        }
        if let (Some(env), Some(p)) = (&options.env, &f.project) {
            f.diagnostics
                .retain(|d| d.env.as_ref().is_none_or(|e| e == env));
            if let Some(d) = unknown_env(&f.file, p, env) {
                f.diagnostics.push(d);
            }
        }
        f.diagnostics.sort_by_key(Diagnostic::sort_key);
    }
    // What is left are problems of doforge.toml files: report them against those files.
    for d in settings_problems {
        let file = Arc::clone(&d.primary.file);
        match files.iter_mut().find(|f| f.file.path == file.path) {
            Some(f) => f.diagnostics.push(d),
            None => {
                if let Some(f) = files.first_mut() {
                    f.diagnostics.push(d);
                }
            }
        }
    }
}

/// Map `f` over `items` on up to `jobs` threads (0 = one per core), keeping order.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let jobs = match jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(items.len().max(1));
    if jobs <= 1 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let chunk = items.len().div_ceil(jobs);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, t)| f(c * chunk + i, t))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("checking never panics"))
            .collect()
    })
}

/// Load and resolve the given files (already classified), in parallel.
pub fn load_files(files: &[(PathBuf, Format)], options: &CheckOptions) -> Vec<FileOutcome> {
    load_files_with(files, options, None)
}

fn load_files_with(
    files: &[(PathBuf, Format)],
    options: &CheckOptions,
    git: Option<&GitHistory>,
) -> Vec<FileOutcome> {
    progress::with_progress(files.len(), options.progress, |done| {
        parallel_map(files, options.jobs, |_, (p, f)| {
            let outcome = load_file_with(p, *f, options, git);
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            outcome
        })
    })
}

/// Read, load and resolve one file (no lint rules: those need the whole workspace).
pub fn load_file(path: &Path, format: Format, options: &CheckOptions) -> FileOutcome {
    load_file_with(path, format, options, None)
}

fn load_file_with(
    path: &Path,
    format: Format,
    options: &CheckOptions,
    git: Option<&GitHistory>,
) -> FileOutcome {
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
    let file = SourceFile::new(path, format, text);
    if let Some(git) = git {
        prestart_git(&file, git);
    }
    load_source(file, options)
}

/// Load and resolve a file already in memory.
pub fn load_source(file: Arc<SourceFile>, options: &CheckOptions) -> FileOutcome {
    let root = match source::parse(&file, &options.limits) {
        Ok(root) => root,
        Err(e) => return fatal(Arc::clone(&file), load_error(&file, e)),
    };
    let (project, diagnostics) = check_tree(&file, &root);
    FileOutcome {
        file,
        root: Some(root),
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
        Format::WranglerToml | Format::WranglerJson => model::wrangler::resolve(file, root),
        // Never discovered or classified as such; only rules create source files.
        Format::Source => (None, Vec::new()),
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
    mark_secrets(&mut files);
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

/// Mark on every finding the secret-looking values of the file it points into
/// ([`lint::secret_mask`]), so no snippet of any format shows one: not the finding's own value,
/// not a neighbouring line, and whether or not `secret-in-vars` ran on that file.
fn mark_secrets(files: &mut [FileOutcome]) {
    let mut spans: HashMap<*const SourceFile, Vec<Span>> = HashMap::new();
    for f in files.iter().filter(|f| !f.diagnostics.is_empty()) {
        spans.insert(
            Arc::as_ptr(&f.file),
            lint::secret_mask::secret_spans(&f.file, f.root.as_ref()),
        );
    }
    for d in files.iter_mut().flat_map(|f| f.diagnostics.iter_mut()) {
        // A file outside the outcomes (a Worker source, a doforge.toml) is judged by its lines.
        let secret = spans
            .entry(Arc::as_ptr(&d.primary.file))
            .or_insert_with(|| lint::secret_mask::secret_spans(&d.primary.file, None));
        d.redact.extend(secret.iter().copied());
        d.redact.sort();
        d.redact.dedup();
    }
}

/// The secret-looking values of every loaded file, by path (what `--diff` masks).
pub fn secret_spans_by_path(files: &[FileOutcome]) -> HashMap<PathBuf, Vec<Span>> {
    files
        .iter()
        .map(|f| {
            (
                f.file.path.clone(),
                lint::secret_mask::secret_spans(&f.file, f.root.as_ref()),
            )
        })
        .collect()
}

fn fatal(file: Arc<SourceFile>, d: Diagnostic) -> FileOutcome {
    FileOutcome {
        file,
        root: None,
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
