//! `doforge import CONFIG [--out FILE] [--force]`.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::check::{load_file, load_source, CheckOptions, EXIT_CLEAN, EXIT_TOOL_FAILED};
use crate::diagnostics::render::{self, OutputFormat, RenderOptions};
use crate::diagnostics::{Severity, Summary};
use crate::scaffold::{self, import, yaml_out};
use crate::source::{Format, SourceFile};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The wrangler config to import (wrangler.toml, wrangler.json or wrangler.jsonc).
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Write the blueprint to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long, requires = "out")]
    pub force: bool,
}

pub fn run(args: ImportArgs, out: &mut dyn Write) -> io::Result<i32> {
    let Some(format) = Format::from_path(&args.config).filter(|f| f.is_wrangler()) else {
        eprintln!(
            "doforge: {} is not a wrangler config: import reads wrangler.toml, wrangler.json or \
             wrangler.jsonc",
            args.config.display()
        );
        return Ok(EXIT_TOOL_FAILED);
    };
    if let Some(path) = &args.out {
        if path.exists() && !args.force {
            eprintln!(
                "doforge: {} already exists; not overwriting it (pass --force to replace it)",
                path.display()
            );
            return Ok(EXIT_TOOL_FAILED);
        }
    }
    let loaded = load_file(&args.config, format, &CheckOptions::default());
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    let (Some(root), Some(project), true) = (&loaded.root, &loaded.project, errors.is_empty())
    else {
        let summary = Summary::count(1, &errors);
        let mut err = io::stderr().lock();
        render::render(
            OutputFormat::Human,
            &errors,
            &summary,
            &[],
            &RenderOptions::default(),
            &mut err,
        )?;
        eprintln!(
            "doforge: not importing {}: fix the errors above first",
            args.config.display()
        );
        return Ok(EXIT_TOOL_FAILED);
    };
    let imported = match import::import(&loaded.file, root, project) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("doforge: cannot import {}: {e}", args.config.display());
            return Ok(EXIT_TOOL_FAILED);
        }
    };
    let shown = loaded.file.display_path();
    let body = match yaml_out::to_yaml(&imported.blueprint) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("doforge: {e}");
            return Ok(EXIT_TOOL_FAILED);
        }
    };
    let text = format!(
        "# Imported from {} by `doforge import`{}. Format: docs/blueprint.md.\n{body}",
        comment_safe(&shown),
        match imported.notes.len() {
            0 => String::new(),
            n => format!(" ({n} note{} on stderr)", if n == 1 { "" } else { "s" }),
        }
    );
    // What import writes must itself be a valid blueprint; anything else is a doforge defect.
    let written_name = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("imported.blueprint.yaml"));
    let check = load_source(
        SourceFile::new(written_name, Format::Blueprint, text.clone()),
        &CheckOptions::default(),
    );
    if let Some(d) = check
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        eprintln!(
            "doforge: internal error: the imported blueprint does not validate ({}); nothing was \
             written. Please report this with the config.",
            d.message
        );
        return Ok(EXIT_TOOL_FAILED);
    }
    for n in &imported.notes {
        let (line, col) = loaded.file.line_col(n.span.start);
        eprintln!("{shown}:{line}:{col}: note: {}", n.message);
    }
    match &args.out {
        Some(path) => {
            if let Err(e) = scaffold::write_atomically(path, &text) {
                eprintln!(
                    "doforge: could not write {}: {e}; nothing was written",
                    path.display()
                );
                return Ok(EXIT_TOOL_FAILED);
            }
            writeln!(
                out,
                "wrote {} ({} note{} on stderr)",
                path.display(),
                imported.notes.len(),
                if imported.notes.len() == 1 { "" } else { "s" }
            )?;
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(EXIT_CLEAN)
}

/// A path shown in a YAML comment: no line breaks or other control characters.
fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
