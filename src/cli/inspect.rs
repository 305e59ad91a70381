//! `doforge env` and `doforge graph`.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::check::{check_paths, CheckOptions, Report, EXIT_CLEAN, EXIT_TOOL_FAILED};
use crate::diagnostics::render::{self, OutputFormat, RenderOptions};
use crate::inspect::{env, graph};
use crate::model::Project;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// Load files for a view; files that cannot be loaded are shown with their diagnostics.
fn load(paths: &[PathBuf], out: &mut dyn Write) -> io::Result<Option<Report>> {
    let report = check_paths(paths, &CheckOptions::default());
    if report.fatal {
        let fatal: Vec<_> = report
            .files
            .iter()
            .filter(|f| f.fatal)
            .flat_map(|f| f.diagnostics.clone())
            .collect();
        let summary = crate::diagnostics::Summary::count(report.files.len(), &fatal);
        render::render(
            OutputFormat::Human,
            &fatal,
            &summary,
            &[],
            &RenderOptions::default(),
            out,
        )?;
        return Ok(None);
    }
    Ok(Some(report))
}

pub fn env(
    file: PathBuf,
    env_name: Option<String>,
    format: EnvFormat,
    out: &mut dyn Write,
) -> io::Result<i32> {
    let Some(report) = load(std::slice::from_ref(&file), out)? else {
        return Ok(EXIT_TOOL_FAILED);
    };
    let Some(project) = report.files.first().and_then(|f| f.project.as_ref()) else {
        eprintln!(
            "doforge: {} holds no wrangler config or blueprint doforge can resolve",
            file.display()
        );
        return Ok(EXIT_TOOL_FAILED);
    };
    let path = project.file.display_path();
    let Some(views) = env::env_views(project, env_name.as_deref()) else {
        let names = project.env_names();
        eprintln!(
            "doforge: no environment named `{}` in {path} (environments: {})",
            env_name.unwrap_or_default(),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        );
        return Ok(EXIT_TOOL_FAILED);
    };
    match format {
        EnvFormat::Human => out.write_all(env::render_text(&path, &views).as_bytes())?,
        EnvFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &env::render_json(&path, &views))?;
            writeln!(out)?;
        }
    }
    Ok(EXIT_CLEAN)
}

pub fn graph(
    paths: Vec<PathBuf>,
    env_name: Option<String>,
    format: GraphFormat,
    out: &mut dyn Write,
) -> io::Result<i32> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let Some(report) = load(&paths, out)? else {
        return Ok(EXIT_TOOL_FAILED);
    };
    let projects: Vec<&Project> = report
        .files
        .iter()
        .filter_map(|f| f.project.as_ref())
        .collect();
    let g = graph::build(&projects, env_name.as_deref());
    let text = match format {
        GraphFormat::Dot => graph::to_dot(&g),
        GraphFormat::Mermaid => graph::to_mermaid(&g),
    };
    out.write_all(text.as_bytes())?;
    Ok(EXIT_CLEAN)
}

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> io::Result<i32> {
    use clap::CommandFactory;
    let mut cmd = super::Cli::command();
    clap_complete::generate(shell, &mut cmd, "doforge", out);
    Ok(EXIT_CLEAN)
}
