//! `doforge check --fix --unsafe-fixes` on an arbitrary config (the first byte picks TOML, JSONC
//! or blueprint YAML): every fix every rule offers, applied in rounds. Any panic is a bug, and so
//! is a fixed file that no longer loads.
#![no_main]

#[path = "common.rs"]
mod common;

use doforge::check::CheckOptions;
use doforge::diagnostics::Applicability;
use doforge::source::{self, Format, Limits, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (name, format) = match pick % 3 {
        0 => ("wrangler.toml", Format::WranglerToml),
        1 => ("wrangler.jsonc", Format::WranglerJson),
        _ => ("blueprint.yaml", Format::Blueprint),
    };
    let Some(report) = common::check_bytes(rest, name, format) else {
        return;
    };
    let options = CheckOptions {
        jobs: 1,
        today: Some("2026-01-01".into()),
        ..CheckOptions::default()
    };
    let run = doforge::fix::fix_report(report, &options, Applicability::Unsafe);
    common::render_all(&run.report);
    for f in &run.files {
        let fixed = SourceFile::new(f.original.path.clone(), format, f.text.clone());
        assert!(
            source::parse(&fixed, &Limits::default()).is_ok(),
            "a fixed file does not load:\n{}",
            f.text
        );
        let _ = f.masked_diff();
    }
});
