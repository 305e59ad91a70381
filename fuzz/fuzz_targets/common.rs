//! Shared by the fuzz targets: the full `doforge check` pipeline on bytes in memory, rendered in
//! every output format (a renderer must cope with whatever spans and text a diagnostic carries).

use std::sync::Arc;

use doforge::check::{check_sources, CheckOptions, Report};
use doforge::diagnostics::render::{self, OutputFormat, RenderOptions};
use doforge::source::{self, Format, SourceFile};

/// A path under a directory that does not exist: rules that look beside the file (worker
/// sources, doforge.toml, git history) find nothing and touch no disk state.
pub const DIR: &str = "/nonexistent-doforge-fuzz";

/// Check `data` as a file of `format` named `name`, render the report, return it (None when the
/// bytes are not text: `decode` refusing them is the whole test).
pub fn check_bytes(data: &[u8], name: &str, format: Format) -> Option<Report> {
    let text = source::decode(data.to_vec()).ok()?;
    let file = SourceFile::new(format!("{DIR}/{name}"), format, text);
    let options = CheckOptions {
        jobs: 1,
        today: Some("2026-01-01".into()),
        ..CheckOptions::default()
    };
    let report = check_sources(&[file], &options);
    render_all(&report);
    Some(report)
}

pub fn render_all(report: &Report) {
    let options = RenderOptions {
        color: false,
        width: 100,
    };
    for format in [
        OutputFormat::Human,
        OutputFormat::Json,
        OutputFormat::Sarif,
        OutputFormat::Github,
    ] {
        let mut out = Vec::new();
        render::render(
            format,
            &report.diagnostics,
            &report.summary,
            &[],
            &options,
            &mut out,
        )
        .expect("rendering into memory cannot fail");
    }
}

#[allow(dead_code)]
pub fn file_of(report: &Report) -> Option<Arc<SourceFile>> {
    report.files.first().map(|f| Arc::clone(&f.file))
}
