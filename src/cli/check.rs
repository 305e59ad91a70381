//! `doforge check`.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use super::CheckArgs;
use crate::check::{check_paths, CheckOptions};
use crate::diagnostics::render::{self, color_wanted, RenderOptions, RuleDoc};

pub fn run(args: CheckArgs, out: &mut dyn Write) -> io::Result<i32> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let options = CheckOptions {
        env: args.env,
        limits: args.limits.limits(),
        jobs: args.jobs,
        select: args.select,
        ignore: args.ignore,
        today: args.today,
        progress: crate::check::progress::wanted(),
    };
    let report = check_paths(&paths, &options);
    let stdout_tty = io::stdout().is_terminal();
    let render_options = RenderOptions {
        color: color_wanted(stdout_tty),
        width: terminal_width(stdout_tty),
    };
    // SARIF consumers show each rule's summary next to its results.
    let rules: Vec<RuleDoc> = crate::lint::registry::all()
        .iter()
        .map(|r| RuleDoc {
            name: r.name.to_owned(),
            summary: r.summary.to_owned(),
            help_uri: None,
        })
        .collect();
    render::render(
        args.format,
        &report.diagnostics,
        &report.summary,
        &rules,
        &render_options,
        out,
    )?;
    Ok(report.exit_code(args.exit_zero))
}

/// `COLUMNS` when set (and sane), else 100 — wide enough for snippets, stable for tests.
fn terminal_width(is_tty: bool) -> usize {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok());
    match from_env {
        Some(w) if (40..=400).contains(&w) && is_tty => w,
        _ => 100,
    }
}
