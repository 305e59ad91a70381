//! The generator's acceptance oracle: real wrangler accepts every generated config.
//!
//! For every blueprint of the corpus (each `examples/*/blueprint.yaml`, picked up automatically,
//! and each `tests/fixtures/blueprints/valid-*.yaml`) and both formats (`jsonc`, `toml`), the
//! generated wrangler config of every worker is written to a temp directory (the output layout:
//! `workers/<name>/…` for several workers) and
//!
//! * `doforge check` over that directory (the generated configs as wrangler configs, all workers
//!   together) reports no error and no warning (infos are allowed and printed; so are
//!   `placeholder-id` findings on routes, which are the blueprint's own domains copied as
//!   written), and
//! * `wrangler deploy --dry-run` (the oracle, offline; `common::wrangler::prepare` gives it a stub
//!   entry point exporting every class and empties the `build` command) exits 0 with no warning
//!   and no error, for the top level and for every env. The one tolerated message is wrangler's
//!   "Multiple environments are defined … no target environment" notice about a plain `wrangler
//!   deploy` (as in tests/wrangler_oracle.rs's allowlist).
//!
//! Needs the oracle from `scripts/setup-oracle.sh` (`$DOFORGE_ORACLE_DIR` or `target/oracle`);
//! fails, never skips, without it. `DOFORGE_ORACLE_JOBS` sets the number of parallel wrangler
//! calls (default 3). Run with `--nocapture` for the summary and the infos doforge reported.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use common::generate::{blueprints, generate, generate_steps, label, lifecycle_scenarios, load};
use common::wrangler::{self, Run};
use doforge::check::{check_paths, CheckOptions};
use doforge::diagnostics::Severity;
use doforge::generate::ConfigChoice;
use regex::Regex;

/// wrangler messages a generated config may get: only the notice about running `wrangler
/// deploy` without `--env` on a config that has envs (about the command line, not the config).
static ALLOWED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Multiple environments are defined in the Wrangler configuration file, but no target environment was specified").unwrap()
});

/// One generated project (a blueprint in one format) on disk.
struct Case {
    label: String,
    dir: PathBuf,
    /// Every generated wrangler config, relative to `dir`.
    configs: Vec<String>,
}

/// One wrangler call.
struct Job {
    case: usize,
    config: String,
    env: Option<String>,
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn wrangler_and_doforge_accept_every_generated_config() {
    let bin = wrangler::wrangler_bin();
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().canonicalize().unwrap();
    let corpus = blueprints();
    assert!(
        corpus.iter().any(|p| p.starts_with("examples")),
        "no example blueprint found: {corpus:?}"
    );

    // Generate every case into its own directory: the corpus (first generation) and the last
    // step of every lifecycle scenario (regenerated over the earlier steps' locks: appended
    // migrations, renames, deletions, transfers, exports tombstones).
    let scenarios = lifecycle_scenarios();
    let mut outputs: Vec<(String, Vec<doforge::generate::PlannedFile>)> = Vec::new();
    for (choice, fmt) in [(ConfigChoice::Jsonc, "jsonc"), (ConfigChoice::Toml, "toml")] {
        for path in &corpus {
            outputs.push((
                format!("{}.{fmt}", label(path)),
                generate(&load(path), choice),
            ));
        }
        for (name, steps) in &scenarios {
            outputs.push((
                format!("lifecycle-{name}.{fmt}"),
                generate_steps(steps, choice),
            ));
        }
    }
    outputs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut cases: Vec<Case> = Vec::new();
    for (label, files) in outputs {
        let dir = root.join(&label);
        let mut configs = Vec::new();
        for f in files {
            let target = dir.join(&f.path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, &f.content).unwrap();
            configs.push(f.path.clone());
        }
        assert!(!configs.is_empty(), "{label}: nothing generated");
        cases.push(Case {
            label,
            dir,
            configs,
        });
    }

    // doforge check over each generated project (before the oracle edits the copies).
    let mut problems: Vec<String> = Vec::new();
    let mut infos: Vec<String> = Vec::new();
    for case in &cases {
        let report = check_paths(std::slice::from_ref(&case.dir), &CheckOptions::default());
        let checked = report.files.len();
        if checked != case.configs.len() || report.fatal {
            problems.push(format!(
                "DOFORGE  {}: checked {checked} file(s) of {} (fatal: {})",
                case.label,
                case.configs.len(),
                report.fatal
            ));
        }
        for d in &report.diagnostics {
            let file = d
                .primary
                .file
                .path
                .strip_prefix(&case.dir)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| d.primary.file.path.display().to_string());
            let env = d
                .env
                .as_deref()
                .map_or(String::new(), |e| format!(" [env.{e}]"));
            let line = format!(
                "{}/{file}{env}: {}[{}] {}",
                case.label,
                d.severity.as_str(),
                d.rule,
                d.message
            );
            // Routes are the blueprint's own data, copied as written: a documentation domain
            // there (example.com in the seed guides' examples) is reported, and suppressed with
            // its reason, where it is written — in the blueprint — not a defect of generation.
            let blueprint_route = d.rule == "placeholder-id" && d.message.starts_with("route `");
            if d.severity == Severity::Info || blueprint_route {
                infos.push(line);
            } else {
                problems.push(format!("DOFORGE  {line}"));
            }
        }
    }

    // wrangler, for every config and target, a few calls at a time.
    let mut jobs: Vec<Job> = Vec::new();
    let mut prepared = Vec::new();
    for (ci, case) in cases.iter().enumerate() {
        for config in &case.configs {
            let p = wrangler::prepare(&case.dir.join(config), &case.dir);
            for env in p.targets() {
                jobs.push(Job {
                    case: ci,
                    config: config.clone(),
                    env,
                });
            }
            prepared.push(((ci, config.clone()), p));
        }
    }
    let threads: usize = std::env::var("DOFORGE_ORACLE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Run>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let scratch_root = root.join(".scratch");
    std::thread::scope(|s| {
        for _ in 0..threads.min(jobs.len()).max(1) {
            s.spawn(|| loop {
                let j = next.fetch_add(1, Ordering::SeqCst);
                if j >= jobs.len() {
                    break;
                }
                let job = &jobs[j];
                let p = &prepared
                    .iter()
                    .find(|((c, cfg), _)| *c == job.case && *cfg == job.config)
                    .unwrap()
                    .1;
                let run = wrangler::run(p, job.env.as_deref(), &scratch_root.join(j.to_string()));
                results.lock().unwrap()[j] = Some(run);
            });
        }
    });
    let results: Vec<Run> = results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect();

    let mut allowed = 0;
    for (job, run) in jobs.iter().zip(&results) {
        let case = &cases[job.case];
        let target = job
            .env
            .as_deref()
            .map_or_else(|| "(top)".to_owned(), |e| format!("env.{e}"));
        let here = format!("{}/{} [{target}]", case.label, job.config);
        let notes = &prepared
            .iter()
            .find(|((c, cfg), _)| *c == job.case && *cfg == job.config)
            .unwrap()
            .1
            .notes;
        if !run.succeeded() {
            problems.push(format!(
                "WRANGLER {here}: exit {:?}{} (set-up: {notes:?})\n{}",
                run.code,
                if run.timed_out { ", timed out" } else { "" },
                indent(&run.output())
            ));
            continue;
        }
        for m in &run.messages {
            if ALLOWED.is_match(&m.text) {
                allowed += 1;
                continue;
            }
            problems.push(format!(
                "WRANGLER {here}: {}: {}\n{}",
                m.level.as_str(),
                m.first_line(),
                indent(&m.text)
            ));
        }
    }

    let configs: usize = cases.iter().map(|c| c.configs.len()).sum();
    println!(
        "generate oracle ({}): {} blueprints and {} lifecycle scenarios, {} generated projects, \
         {configs} configs, {} wrangler runs ({threads} parallel), {allowed} allowlisted notices; \
         {:.1}s",
        bin.display(),
        corpus.len(),
        scenarios.len(),
        cases.len(),
        jobs.len(),
        started.elapsed().as_secs_f64()
    );
    println!("doforge infos on generated configs ({}):", infos.len());
    for i in &infos {
        println!("  {i}");
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) with generated configs:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
