//! `doforge generate BLUEPRINT --out DIR`.

use std::io::{self, IsTerminal, Write};

use super::GenerateArgs;
use crate::check::{check_classified, CheckOptions, EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL_FAILED};
use crate::diagnostics::render::{self, color_wanted, OutputFormat, RenderOptions};
use crate::diagnostics::{Severity, Summary};
use crate::generate::write::{apply, check_out_dir, Mode};
use crate::generate::{self, GenerateOptions, Lock};
use crate::source::Format;

/// The lint rule whose findings also stop generation (see [`run`]).
const SECRET_IN_VARS: &str = "secret-in-vars";
/// Lint rules whose findings `generate` shows (without stopping): classes the generated router
/// cannot reach.
const REPORTED_RULES: &[&str] = &["class-unbound", "class-unreachable"];

pub fn run(args: GenerateArgs, out: &mut dyn Write) -> io::Result<i32> {
    let render_options = RenderOptions {
        color: color_wanted(io::stdout().is_terminal()),
        width: 100,
    };
    // The blueprint must load and pass every error-level check first.
    let report = check_classified(
        &[(args.blueprint.clone(), Format::Blueprint)],
        &CheckOptions {
            limits: args.limits.limits(),
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
        writeln!(
            out,
            "doforge: {} holds no project",
            args.blueprint.display()
        )?;
        return Ok(EXIT_TOOL_FAILED);
    };
    if let Err(e) = check_out_dir(&args.out) {
        eprintln!("doforge: {e}; nothing was written");
        return Ok(EXIT_TOOL_FAILED);
    }
    let previous = match Lock::read(&args.out) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("doforge: {e}");
            return Ok(EXIT_TOOL_FAILED);
        }
    };
    let options = GenerateOptions {
        config: args.config,
        lang: args.lang,
    };
    let plan = match generate::plan(project, previous.as_ref(), &options) {
        Ok(p) => p,
        Err(diagnostics) => {
            let summary = Summary::count(1, &diagnostics);
            render::render(
                OutputFormat::Human,
                &diagnostics,
                &summary,
                &[],
                &render_options,
                out,
            )?;
            writeln!(out, "doforge: not generating: fix the errors above first")?;
            return Ok(EXIT_FINDINGS);
        }
    };
    let mode = if args.check {
        Mode::Check
    } else if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Write { force: args.force }
    };
    let applied = match apply(&plan, &args.out, previous.as_ref(), mode) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("doforge: {e}; nothing was written");
            return Ok(EXIT_TOOL_FAILED);
        }
    };
    for change in &applied.changes {
        if matches!(mode, Mode::Write { .. }) && !change.kind.is_drift() {
            continue;
        }
        writeln!(
            out,
            "{:>10}  {}",
            change.kind.verb(),
            args.out.join(&change.path).display()
        )?;
    }
    for kept in applied.kept_user_edits() {
        writeln!(
            out,
            "doforge: kept {} because you edited it; `doforge generate --force` replaces it",
            args.out.join(&kept.path).display()
        )?;
    }
    Ok(match mode {
        Mode::Check if applied.drift() => {
            writeln!(
                out,
                "doforge: {} differs from what `doforge generate` would write; regenerate and commit",
                args.out.display()
            )?;
            EXIT_FINDINGS
        }
        Mode::Check => {
            writeln!(out, "doforge: {} is up to date", args.out.display())?;
            EXIT_CLEAN
        }
        _ => EXIT_CLEAN,
    })
}
