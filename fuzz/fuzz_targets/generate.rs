//! `doforge generate` from any blueprint that passes check: the plan must be deterministic, every
//! generated wrangler config must load again (syntax is ours to get right, whatever the names), the
//! written directory must match the plan, and regenerating from the lock just written must be
//! accepted and change nothing.
#![no_main]

#[path = "common.rs"]
mod common;

use std::sync::Arc;

use doforge::check::{check_sources, CheckOptions};
use doforge::diagnostics::Severity;
use doforge::generate::write::{apply, Mode};
use doforge::generate::{self, ConfigChoice, GenerateOptions, Lang, Lock};
use doforge::source::{Format, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(report) = common::check_bytes(data, "blueprint.yaml", Format::Blueprint) else {
        return;
    };
    if report.fatal
        || report
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    {
        return;
    }
    let Some(project) = report.files.first().and_then(|f| f.project.as_ref()) else {
        return;
    };
    // Every Worker as Rust too, so the Rust templates see every fuzzed name.
    let options = GenerateOptions {
        config: ConfigChoice::Both,
        lang: Lang::Rust,
    };
    let Ok(plan) = generate::plan(project, None, &options) else {
        return;
    };
    let again = generate::plan(project, None, &options).expect("planning twice gives the same answer");
    assert_eq!(plan.files, again.files, "generation is deterministic");

    // Every generated config loads again, with no syntax error, in its own format.
    let configs: Vec<Arc<SourceFile>> = plan
        .files
        .iter()
        .filter_map(|f| {
            let format = if f.path.ends_with(".toml") {
                Format::WranglerToml
            } else if f.path.ends_with(".jsonc") {
                Format::WranglerJson
            } else {
                return None;
            };
            Some(SourceFile::new(
                format!("{}/out/{}", common::DIR, f.path),
                format,
                f.content.clone(),
            ))
        })
        .collect();
    let checked = check_sources(
        &configs,
        &CheckOptions {
            jobs: 1,
            ..CheckOptions::default()
        },
    );
    for f in &checked.files {
        assert!(
            !f.fatal,
            "generated config does not load: {:?}\n{}\n{}",
            f.diagnostics, f.file.path.display(), f.file.text
        );
    }

    // Write it, then regenerate from the written lock: accepted, nothing changes.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    apply(&plan, &out, None, Mode::Write { force: false }).expect("a fresh directory is writable");
    let lock = Lock::read(&out)
        .expect("the lock doforge wrote reads back")
        .expect("a lock was written");
    let next = generate::plan(project, Some(&lock), &options)
        .expect("regenerating the same blueprint over its own lock is accepted");
    let drift = apply(&next, &out, Some(&lock), Mode::Check).expect("check mode");
    assert!(!drift.drift(), "regenerating changes nothing: {drift:?}");
});
