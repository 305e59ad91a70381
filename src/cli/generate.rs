//! `doforge generate BLUEPRINT --out DIR`, and the pipeline `doforge eject` shares with it.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use super::GenerateArgs;
use crate::check::{check_classified, CheckOptions, EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL_FAILED};
use crate::diagnostics::render::{self, color_wanted, OutputFormat, RenderOptions};
use crate::diagnostics::{Diagnostic, Severity, Summary};
use crate::generate::write::{apply, check_out_dir, Applied, ChangeKind, Conflict, Mode, Policy};
use crate::generate::{self, ConfigChoice, GenerateOptions, Lang, Layout, Lock, Ownership, Plan};
use crate::model::Project;
use crate::source::{Format, Limits};

/// The lint rule whose findings also stop generation (see [`run`]).
const SECRET_IN_VARS: &str = "secret-in-vars";
/// Lint rules whose findings `generate` shows (without stopping): classes the generated router
/// cannot reach.
const REPORTED_RULES: &[&str] = &["class-unbound", "class-unreachable"];

/// One run of the generation pipeline.
pub(super) struct Request<'a> {
    pub blueprint: &'a Path,
    pub out_dir: &'a Path,
    pub config: Option<ConfigChoice>,
    pub lang: Option<Lang>,
    pub limits: Limits,
    pub mode: Mode,
    pub policy: Policy,
}

pub fn run(args: GenerateArgs, out: &mut dyn Write) -> io::Result<i32> {
    let mode = if args.check {
        Mode::Check
    } else if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Write
    };
    let request = Request {
        blueprint: &args.blueprint,
        out_dir: &args.out,
        config: args.config,
        lang: args.lang,
        limits: args.limits.limits(),
        mode,
        policy: Policy {
            force: args.force,
            adopt: args.adopt,
            reclaim: args.force,
        },
    };
    pipeline(&request, out, &mut |_, _, _| Ok(Ok(Ownership::default())))
}

/// What the caller decides once the blueprint and the lock are known: the ownership requests,
/// or an exit code (after printing why).
pub(super) type Prepare<'p> =
    dyn FnMut(&Project, Option<&Lock>, &mut dyn Write) -> io::Result<Result<Ownership, i32>> + 'p;

/// Check the blueprint, plan, compare with the output directory and (in `Write` mode) write.
pub(super) fn pipeline(
    req: &Request,
    out: &mut dyn Write,
    prepare: &mut Prepare,
) -> io::Result<i32> {
    let render_options = RenderOptions {
        color: color_wanted(io::stdout().is_terminal()),
        width: 100,
    };
    // The blueprint must load and pass every error-level check first. The lock `check` would
    // read beside the blueprint is not this run's (that is `--out`'s, planned below).
    let report = check_classified(
        &[(req.blueprint.to_path_buf(), Format::Blueprint)],
        &CheckOptions {
            limits: req.limits,
            no_lock: true,
            ..CheckOptions::default()
        },
    );
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if report.fatal || !errors.is_empty() {
        render::render(
            OutputFormat::Human,
            &report.diagnostics,
            &report.summary,
            &[],
            &render_options,
            out,
        )?;
        writeln!(out, "doforge: not generating: fix the errors above first")?;
        return Ok(if report.fatal {
            EXIT_TOOL_FAILED
        } else {
            EXIT_FINDINGS
        });
    }
    // A var that looks like a secret is only a warning for `check`, but generating would copy the
    // value into every config written (and from there into CI logs and the dashboard).
    let secrets: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == SECRET_IN_VARS)
        .cloned()
        .collect();
    if !secrets.is_empty() {
        let summary = Summary::count(1, &secrets);
        render::render(
            OutputFormat::Human,
            &secrets,
            &summary,
            &[],
            &render_options,
            out,
        )?;
        writeln!(
            out,
            "doforge: not generating: these values look like secrets and would be copied into the generated config; \
declare them under `secrets:` and set them with `wrangler secret put NAME` \
(or, if a value is not a secret, suppress the finding with a `# doforge-ignore: {SECRET_IN_VARS}` comment)"
        )?;
        return Ok(EXIT_FINDINGS);
    }
    // What `check` would say is said here too: warnings do not stop generation, but a config
    // generated from a blueprint with findings should not look clean; and classes no request can
    // reach are named (the router written has no route to them). On stderr: stdout is the plan.
    let shown: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning || REPORTED_RULES.contains(&d.rule.as_str()))
        .cloned()
        .collect();
    if !shown.is_empty() {
        let summary = Summary::count(1, &shown);
        let mut err = io::stderr();
        render::render(
            OutputFormat::Human,
            &shown,
            &summary,
            &[],
            &RenderOptions {
                color: color_wanted(err.is_terminal()),
                width: 100,
            },
            &mut err,
        )?;
    }
    let Some(project) = report.files.first().and_then(|f| f.project.as_ref()) else {
        writeln!(out, "doforge: {} holds no project", req.blueprint.display())?;
        return Ok(EXIT_TOOL_FAILED);
    };
    if let Err(e) = check_out_dir(req.out_dir) {
        eprintln!("doforge: {e}; nothing was written");
        return Ok(EXIT_TOOL_FAILED);
    }
    let previous = match Lock::read(req.out_dir) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("doforge: {e}");
            return Ok(EXIT_TOOL_FAILED);
        }
    };
    let ownership = match prepare(project, previous.as_ref(), out)? {
        Ok(o) => o,
        Err(code) => return Ok(code),
    };
    let options = GenerateOptions {
        config: req.config.unwrap_or_else(|| config_of(previous.as_ref())),
        lang: req
            .lang
            .unwrap_or_else(|| lang_of(project, previous.as_ref())),
    };
    let plan = match generate::plan_with(project, previous.as_ref(), &options, &ownership) {
        Ok(p) => p,
        Err(diagnostics) => {
            render_errors(&diagnostics, &render_options, out)?;
            return Ok(EXIT_FINDINGS);
        }
    };
    let applied = match apply(&plan, req.out_dir, previous.as_ref(), req.mode, req.policy) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("doforge: {e}; nothing was written");
            return Ok(EXIT_TOOL_FAILED);
        }
    };
    report_changes(req, &plan, &applied, out)
}

fn render_errors(
    diagnostics: &[Diagnostic],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let summary = Summary::count(1, diagnostics);
    render::render(
        OutputFormat::Human,
        diagnostics,
        &summary,
        &[],
        options,
        out,
    )?;
    writeln!(out, "doforge: not generating: fix the errors above first")
}

/// `--config` when not given: what the last generation wrote (doforge.lock), else `jsonc`.
fn config_of(lock: Option<&Lock>) -> ConfigChoice {
    let has = |name: &str| {
        lock.is_some_and(|l| l.files.keys().any(|p| p.rsplit('/').next() == Some(name)))
    };
    match (has("wrangler.jsonc"), has("wrangler.toml")) {
        (true, true) => ConfigChoice::Both,
        (false, true) => ConfigChoice::Toml,
        _ => ConfigChoice::Jsonc,
    }
}

/// `--lang` when not given: `rust` when the last generation wrote a Rust project for a Worker
/// whose `main` is not Rust (it was generated with `--lang rust`), else `auto`.
fn lang_of(project: &Project, lock: Option<&Lock>) -> Lang {
    let Some(lock) = lock else {
        return Lang::Auto;
    };
    let layout = Layout::new(project);
    let forced = project.workers.iter().enumerate().any(|(i, w)| {
        !generate::wrangler_config::is_rust_worker(w)
            && lock
                .files
                .contains_key(&layout.worker_file(i, "Cargo.toml"))
    });
    if forced {
        Lang::Rust
    } else {
        Lang::Auto
    }
}

fn report_changes(
    req: &Request,
    plan: &Plan,
    applied: &Applied,
    out: &mut dyn Write,
) -> io::Result<i32> {
    let shown = |c: &ChangeKind| req.mode != Mode::Write || c.is_drift() || *c == ChangeKind::Yours;
    for change in applied.changes.iter().filter(|c| shown(&c.kind)) {
        writeln!(
            out,
            "{:>10}  {}",
            change.kind.verb(),
            req.out_dir.join(&change.path).display()
        )?;
    }
    let refused: Vec<_> = applied.refused().collect();
    let foreign: Vec<&str> = refused
        .iter()
        .filter(|(_, w)| *w == Conflict::Foreign)
        .map(|(c, _)| c.path.as_str())
        .collect();
    if !foreign.is_empty() {
        writeln!(
            out,
            "doforge: {} holds files doforge did not write (doforge.lock has no record of them): {}\n  hint: generate into an empty directory, or pass `--adopt` to have doforge replace them with generated files (files doforge does not generate are never touched)",
            req.out_dir.display(),
            foreign.join(", ")
        )?;
    }
    for (change, why) in &refused {
        let path = req.out_dir.join(&change.path);
        let path = path.display();
        match why {
            Conflict::Foreign => continue,
            Conflict::EditedDoforge => {
                writeln!(out, "doforge: {path} is doforge's, and you edited it:")?;
                if let Some(diff) = &change.diff {
                    write!(out, "{diff}")?;
                }
                writeln!(out, "  hint: {}", edit_hint(plan, &change.path))?;
            }
            Conflict::ReclaimEdited => {
                writeln!(out, "doforge: {path} is yours and you changed it, but the blueprint now has doforge generate it (a `custom` class changed kind, or an ejection is undone):")?;
                if let Some(diff) = &change.diff {
                    write!(out, "{diff}")?;
                }
                writeln!(out, "  hint: keep the class's kind as it was, or pass `--force` to replace your code with the generated one")?;
            }
            Conflict::EditedOrphan => writeln!(
                out,
                "doforge: {path} is no longer generated (the blueprint no longer needs it), and you edited it\n  hint: move what you need elsewhere (doforge removes files it no longer generates), or pass `--force` to remove it"
            )?,
            Conflict::EditedUserOrphan => writeln!(
                out,
                "doforge: {path} is yours and you changed it, but it is no longer part of the project (its class was renamed, deleted or moved), so nothing would compile it\n  hint: move your code where the project uses it (a renamed class: `src/objects/<new module>.rs`, then `doforge eject` the new class if it should stay yours) and delete this file, or pass `--force` to leave it in place, forgotten by doforge"
            )?,
            Conflict::CompetingConfig => writeln!(
                out,
                "doforge: {path} is a wrangler config doforge did not write, beside the one it writes; wrangler would read only one of them\n  hint: bring its settings into the blueprint (`doforge import {path}`) and remove it, or generate that format with `--config` (`--adopt` then replaces it)"
            )?,
        }
    }
    let handed: Vec<&str> = applied
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::HandOver)
        .map(|c| c.path.as_str())
        .collect();
    if !refused.is_empty() {
        return Ok(match req.mode {
            Mode::Write => {
                writeln!(
                    out,
                    "doforge: nothing was written (exit {EXIT_TOOL_FAILED}): resolve the files above"
                )?;
                EXIT_TOOL_FAILED
            }
            Mode::Check => {
                writeln!(
                    out,
                    "doforge: {} differs from what `doforge generate` would write",
                    req.out_dir.display()
                )?;
                EXIT_FINDINGS
            }
            Mode::DryRun => EXIT_CLEAN,
        });
    }
    if req.mode == Mode::Write && !handed.is_empty() {
        writeln!(
            out,
            "doforge: now yours: {}. doforge will not rewrite these files; the class's bindings, route and migrations stay generated",
            handed.join(", ")
        )?;
    }
    Ok(match req.mode {
        Mode::Check if applied.drift() => {
            writeln!(
                out,
                "doforge: {} differs from what `doforge generate` would write; regenerate and commit",
                req.out_dir.display()
            )?;
            EXIT_FINDINGS
        }
        Mode::Check => {
            writeln!(out, "doforge: {} is up to date", req.out_dir.display())?;
            EXIT_CLEAN
        }
        _ => EXIT_CLEAN,
    })
}

/// How to keep an edit of a doforge file.
fn edit_hint(plan: &Plan, path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.starts_with("wrangler.") || name == "Cargo.toml" || name == "package.json" {
        return "this file is generated from the blueprint: make the change there, or pass `--force` to discard the edit".to_owned();
    }
    // A user file of the same Worker (the longest worker directory that holds `path`).
    let user_file = |rel: &str| {
        plan.files
            .iter()
            .filter(|f| f.owner == generate::Owner::User)
            .filter_map(|f| {
                let dir = f.path.strip_suffix(rel)?;
                path.starts_with(dir).then_some((dir.len(), &f.path))
            })
            .max()
            .map(|(_, p)| p.clone())
    };
    let mut ways = Vec::new();
    if let Some(class) = plan.class_of.get(path) {
        ways.push(format!(
            "own `{class}`'s code with `doforge eject {class}` (your edit is kept, and the file is yours from then on)"
        ));
    }
    if let Some(hooks) = user_file("src/hooks.rs") {
        ways.push(format!(
            "move the change into {hooks} (yours: it runs before and after every route)"
        ));
    }
    if let Some(app) = user_file("src/app.rs") {
        ways.push(format!("put your own routes in {app} (yours)"));
    }
    ways.push("pass `--force` to discard the edit".to_owned());
    format!(
        "doforge rewrites this file on every generation: {}",
        ways.join("; or ")
    )
}
