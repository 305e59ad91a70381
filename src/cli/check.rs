//! `doforge check`.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use super::CheckArgs;
use crate::check::{
    check_paths, check_sources, CheckOptions, Report, EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL_FAILED,
};
use crate::diagnostics::render::{self, color_wanted, OutputFormat, RenderOptions, RuleDoc};
use crate::diagnostics::{Applicability, Diagnostic};
use crate::fix::{self, FixRun};
use crate::source::{Format, SourceFile};

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
        base: args.base,
        progress: crate::check::progress::wanted(),
        no_lock: false,
    };
    let allowed = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    if paths.len() == 1 && paths[0].as_os_str() == "-" {
        let stdin = StdinRun {
            name: args.stdin_filename,
            fix: args.fix,
            diff: args.diff,
            allowed,
            exit_zero: args.exit_zero,
        };
        return stdin.run(&options, out);
    }
    let report = check_paths(&paths, &options);
    if args.add_noqa {
        return add_noqa(&report, &options, out);
    }
    if args.diff {
        return diff(fix::fix_report(report, &options, allowed), out);
    }
    let (report, fixed) = if args.fix {
        let run = fix::fix_report(report, &options, allowed);
        let Some(n) = write_all(&run) else {
            return Ok(EXIT_TOOL_FAILED);
        };
        (run.report, Some((n, run.refused)))
    } else {
        (report, None)
    };
    let docs_url = match rule_docs_url() {
        Ok(u) => u,
        Err(e) => {
            eprintln!("doforge: DOFORGE_RULE_DOCS_URL: {e}");
            return Ok(EXIT_TOOL_FAILED);
        }
    };
    let stdout_tty = io::stdout().is_terminal();
    let render_options = RenderOptions {
        color: color_wanted(stdout_tty),
        width: terminal_width(stdout_tty),
    };
    let rules = rule_docs(&report.diagnostics, &docs_url);
    let text_format = matches!(args.format, OutputFormat::Human | OutputFormat::Concise);
    let shown = if text_format && args.unsafe_fixes {
        marked_unsafe(&report.diagnostics)
    } else {
        report.diagnostics.clone()
    };
    let summary = (!args.quiet).then_some(&report.summary);
    render::render_with(args.format, &shown, summary, &rules, &render_options, out)?;
    if !args.quiet && matches!(args.format, OutputFormat::Human | OutputFormat::Concise) {
        fix_summary(&report, fixed, allowed, out)?;
    }
    Ok(report.exit_code(args.exit_zero))
}

/// The rule-docs URL template: `DOFORGE_RULE_DOCS_URL` when set (docs/ci.md), else this
/// version's pages on docs.rs.
fn rule_docs_url() -> Result<String, String> {
    match std::env::var("DOFORGE_RULE_DOCS_URL") {
        Ok(v) if !v.trim().is_empty() => crate::lint::docs::docs_url_template(&v),
        _ => Ok(crate::lint::docs::default_docs_url()),
    }
}

/// What SARIF consumers show beside each result: every rule (summary, full docs, docs URL),
/// then the built-in codes the findings use.
fn rule_docs(diagnostics: &[Diagnostic], docs_url: &str) -> Vec<RuleDoc> {
    use crate::lint::docs;
    let mut rules: Vec<RuleDoc> = crate::lint::registry::all()
        .iter()
        .map(|r| RuleDoc {
            name: r.name.to_owned(),
            summary: r.summary.to_owned(),
            help_uri: Some(docs::docs_url(docs_url, r.name)),
            help: Some(docs::rule_page(r)),
        })
        .collect();
    let mut builtin: Vec<&str> = diagnostics
        .iter()
        .map(|d| d.rule.as_str())
        .filter(|c| docs::BUILTIN_CODES.iter().any(|(b, _, _)| b == c))
        .collect();
    builtin.sort_unstable();
    builtin.dedup();
    for code in builtin {
        let (_, what, _) = docs::BUILTIN_CODES
            .iter()
            .find(|(b, _, _)| *b == code)
            .expect("filtered above");
        rules.push(RuleDoc {
            name: code.to_owned(),
            // The first sentence: SARIF's short description is one line.
            summary: what.split(". ").next().unwrap_or(what).to_owned(),
            help_uri: Some(docs::docs_url(docs_url, code)),
            help: docs::builtin_page(code),
        });
    }
    rules
}

/// With `--unsafe-fixes` the human output marks unsafe fixes `[*]` too (a copy: JSON and SARIF
/// keep each fix's real applicability).
fn marked_unsafe(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .cloned()
        .map(|mut d| {
            if let Some(f) = &mut d.fix {
                f.applicability = Applicability::Safe;
            }
            d
        })
        .collect()
}

/// ruff's closing lines: what was fixed, what `--fix` would fix, what only `--unsafe-fixes` would.
fn fix_summary(
    report: &Report,
    fixed: Option<(usize, usize)>,
    allowed: Applicability,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some((n, refused)) = fixed {
        let remaining = report.diagnostics.len();
        writeln!(
            out,
            "doforge: fixed {n} finding{} ({remaining} remaining)",
            if n == 1 { "" } else { "s" }
        )?;
        if refused > 0 {
            writeln!(
                out,
                "doforge: {refused} fix{} not applied: the result would not load or would report something new",
                if refused == 1 { " was" } else { "es were" }
            )?;
        }
    }
    let (now, hidden) = fix::fixable_counts(&report.diagnostics, allowed);
    if now > 0 && fixed.is_none() {
        writeln!(
            out,
            "[*] {now} fixable with `doforge check --fix`{}",
            if allowed == Applicability::Unsafe {
                " --unsafe-fixes"
            } else {
                ""
            }
        )?;
    }
    if hidden > 0 {
        writeln!(
            out,
            "{hidden} more fixable with `--unsafe-fixes` (unsafe fixes change what gets deployed; review them with `--diff --unsafe-fixes`)"
        )?;
    }
    Ok(())
}

/// `--diff`: print what `--fix` would write; exit 1 when there is something.
fn diff(run: FixRun, out: &mut dyn Write) -> io::Result<i32> {
    for f in &run.files {
        out.write_all(f.masked_diff().as_bytes())?;
    }
    if run.applied > 0 {
        eprintln!(
            "doforge: would fix {} finding{} in {} file{}",
            run.applied,
            if run.applied == 1 { "" } else { "s" },
            run.files.len(),
            if run.files.len() == 1 { "" } else { "s" }
        );
    }
    Ok(if run.report.fatal {
        EXIT_TOOL_FAILED
    } else if run.files.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// `--add-noqa`: suppress every current finding where it is.
fn add_noqa(report: &Report, options: &CheckOptions, out: &mut dyn Write) -> io::Result<i32> {
    let noqa = fix::noqa::add_noqa(report, options);
    let mut failed = report.fatal;
    for f in &noqa.files {
        if let Err(e) = fix::write_fixed(f) {
            eprintln!("doforge: {e}");
            failed = true;
        }
    }
    for path in &noqa.skipped {
        eprintln!("doforge: {path}: not changed (suppression comments would not load or would change its findings)");
    }
    writeln!(
        out,
        "doforge: added {} suppression{} in {} file{}",
        noqa.added,
        if noqa.added == 1 { "" } else { "s" },
        noqa.files.len(),
        if noqa.files.len() == 1 { "" } else { "s" }
    )?;
    Ok(if failed { EXIT_TOOL_FAILED } else { EXIT_CLEAN })
}

/// Write every fixed file; `None` (after saying why on stderr) when one could not be written.
fn write_all(run: &FixRun) -> Option<usize> {
    let mut ok = true;
    for f in &run.files {
        if let Err(e) = fix::write_fixed(f) {
            eprintln!("doforge: {e}");
            ok = false;
        }
    }
    ok.then_some(run.applied)
}

/// `doforge check -`: one config from stdin, checked as `--stdin-filename`. With `--fix` the
/// fixed text (or the text as it was) goes to stdout and the findings left to stderr, as editor
/// integrations and format-on-save expect; with `--diff`, the diff.
struct StdinRun {
    name: Option<PathBuf>,
    fix: bool,
    diff: bool,
    allowed: Applicability,
    exit_zero: bool,
}

impl StdinRun {
    fn run(self, options: &CheckOptions, out: &mut dyn Write) -> io::Result<i32> {
        let Some(name) = self.name else {
            eprintln!("doforge: reading from stdin needs --stdin-filename NAME (e.g. wrangler.toml) to know the format");
            return Ok(EXIT_TOOL_FAILED);
        };
        let Some(format) = Format::from_path(&name) else {
            eprintln!(
                "doforge: --stdin-filename {}: not a wrangler config or blueprint name (wrangler.toml, wrangler.jsonc, *.yaml)",
                name.display()
            );
            return Ok(EXIT_TOOL_FAILED);
        };
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut io::stdin().lock(), &mut bytes)?;
        if bytes.len() > options.limits.max_file_bytes {
            eprintln!(
                "doforge: stdin is larger than the limit of {} bytes (--max-file-size)",
                options.limits.max_file_bytes
            );
            return Ok(EXIT_TOOL_FAILED);
        }
        let text = match crate::source::decode(bytes) {
            Ok(t) => t,
            Err((e, _)) => {
                eprintln!("doforge: stdin: {}", e.message);
                return Ok(EXIT_TOOL_FAILED);
            }
        };
        let file = SourceFile::new(name, format, text);
        let report = check_sources(std::slice::from_ref(&file), options);
        if !(self.fix || self.diff) {
            render::render(
                OutputFormat::Human,
                &report.diagnostics,
                &report.summary,
                &[],
                &RenderOptions::default(),
                out,
            )?;
            return Ok(report.exit_code(self.exit_zero));
        }
        let run = fix::fix_report(report, options, self.allowed);
        if self.diff {
            return diff(run, out);
        }
        let fixed = run
            .files
            .first()
            .map_or(file.text.as_str(), |f| f.text.as_str());
        out.write_all(fixed.as_bytes())?;
        let mut err = io::stderr().lock();
        render::render(
            OutputFormat::Human,
            &run.report.diagnostics,
            &run.report.summary,
            &[],
            &RenderOptions::default(),
            &mut err,
        )?;
        Ok(run.report.exit_code(self.exit_zero))
    }
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
