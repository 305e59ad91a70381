//! The real wrangler (the oracle) judges what `--fix` writes: every wrangler-config fixture of
//! `tests/fixtures/fix/`, fixed (unsafe fixes included), must pass `wrangler deploy --dry-run` in
//! every environment without a warning or an error.
//!
//! Needs the oracle from `scripts/setup-oracle.sh` (`$DOFORGE_ORACLE_DIR` or `target/oracle`);
//! fails, never skips, without it.

mod common;

use std::path::{Path, PathBuf};

use common::wrangler;
use doforge::check::{check_paths, CheckOptions};
use doforge::diagnostics::Applicability;
use doforge::fix;

/// Wrangler's notice about the command line, not the config (as in tests/wrangler_oracle.rs).
const NOTICE: &str = "Multiple environments are defined in the Wrangler configuration file";

fn configs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fix");
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("toml" | "jsonc")
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fixed_fixture_configs_pass_real_wrangler() {
    let options = CheckOptions {
        today: Some("2026-06-01".to_owned()),
        jobs: 1,
        ..CheckOptions::default()
    };
    let configs = configs();
    assert!(configs.len() >= 12, "fixtures missing");
    let mut failures = Vec::new();
    for case in configs {
        let dir = tempfile::tempdir().unwrap();
        let ext = case.extension().unwrap().to_string_lossy().into_owned();
        let target = dir.path().join(format!("wrangler.{ext}"));
        std::fs::copy(&case, &target).unwrap();
        let report = check_paths(std::slice::from_ref(&target), &options);
        let run = fix::fix_report(report, &options, Applicability::Unsafe);
        for f in &run.files {
            fix::write_fixed(f).unwrap();
        }
        let prepared = wrangler::prepare(&target, dir.path());
        for env in prepared.targets() {
            let scratch = dir
                .path()
                .join(format!("scratch-{}", env.as_deref().unwrap_or("top")));
            let out = wrangler::run(&prepared, env.as_deref(), &scratch);
            let messages: Vec<_> = out
                .messages
                .iter()
                .filter(|m| !m.text.starts_with(NOTICE))
                .collect();
            if !out.succeeded() || !messages.is_empty() {
                failures.push(format!(
                    "{} (env {env:?}):\n{}\n{}",
                    case.display(),
                    std::fs::read_to_string(&target).unwrap(),
                    out.output()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
