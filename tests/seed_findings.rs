//! The issue's acceptance list for the seed configs (`tests/fixtures/seeds/`), and "nothing
//! reported where nothing is wrong": every finding on a seed must be in that seed's expected list
//! below (rule, line, and env where the finding is env-specific), and every expected finding must
//! be reported. Dates are judged against the pinned day of tests/rules.rs.
//!
//! The lists come from reading the seeds against the rule definitions:
//!
//! * 000 (Butterfly House): the DO binding is not repeated in `env.production` / `env.staging`
//!   (env-binding-not-inherited, one per env); its `script_name` is the worker's own name
//!   (self-script-name); `new_classes` creates a KV-backed class (kv-backed-durable-object).
//!   Its compatibility date (2025-10-08) is under a year old on 2026-06-01: not stale.
//! * 001 (WIRED CHAOS): both top-level bindings name the worker itself in `script_name`
//!   (self-script-name); `env.production`'s bindings point at `wix-gamma-integration-prod`, a
//!   worker no config defines (the env deploys as `wix-gamma-integration-production`):
//!   dangling-script-name; KV-backed `new_classes`; a 2024-09-23 date (compat-date-stale).
//! * 002 (template): the KV id `xxxxxxxxxxxxxxxxxxxxx` (placeholder-id), KV-backed `new_classes`,
//!   a 2024-01-01 date (compat-date-stale).
//! * 003 (ChittyConnect): `[durable_objects] classes = …` is not a wrangler key (unknown-field at
//!   the `classes` key, 9:1); the real binding names the worker itself (self-script-name);
//!   KV-backed `new_classes`; `env.staging` / `env.production` redeclare `r2_buckets` but not
//!   `durable_objects` (env-binding-not-inherited); a 2024-09-23 date (compat-date-stale).

use std::path::PathBuf;

use doforge::check::{check_classified, CheckOptions};
use doforge::source::Format;

/// The date fixtures are judged on (as in tests/rules.rs).
const TODAY: &str = "2026-06-01";

/// One expected finding: rule, 1-based line, and (for env-specific findings) the env it must be
/// attributed to; `col` is asserted where the issue names the exact place.
#[derive(Debug, Clone, Copy)]
struct Want {
    rule: &'static str,
    line: usize,
    col: Option<usize>,
    env: Option<&'static str>,
}

const fn at(rule: &'static str, line: usize) -> Want {
    Want {
        rule,
        line,
        col: None,
        env: None,
    }
}

const fn in_env(rule: &'static str, line: usize, env: &'static str) -> Want {
    Want {
        rule,
        line,
        col: None,
        env: Some(env),
    }
}

struct Seed {
    path: &'static str,
    format: Format,
    want: &'static [Want],
}

const SEEDS: &[Seed] = &[
    Seed {
        path: "tests/fixtures/seeds/000-butterfly-house/wrangler.jsonc",
        format: Format::WranglerJson,
        want: &[
            // "production": { … } has no "durable_objects".
            in_env("env-binding-not-inherited", 40, "production"),
            // "staging": { … } has no "durable_objects".
            in_env("env-binding-not-inherited", 51, "staging"),
            // "script_name": "butterfly-house-tickets" = "name".
            at("self-script-name", 13),
            // "new_classes": ["TicketManager"]
            at("kv-backed-durable-object", 22),
            // "pattern": "butterfly-house.example.com/*": the guide's documentation domain.
            in_env("placeholder-id", 46, "production"),
            in_env("placeholder-id", 57, "staging"),
        ],
    },
    Seed {
        path: "tests/fixtures/seeds/001-wired-chaos/wrangler.toml",
        format: Format::WranglerToml,
        want: &[
            // compatibility_date = "2024-09-23"
            at("compat-date-stale", 5),
            // script_name = "wix-gamma-integration" (RATE_LIMITER, AUDIT_LOGGER) = name.
            at("self-script-name", 11),
            at("self-script-name", 16),
            // new_classes = ["RateLimiter", "AuditLogger"]
            at("kv-backed-durable-object", 21),
            // script_name = "wix-gamma-integration-prod": no such worker.
            in_env("dangling-script-name", 29, "production"),
            in_env("dangling-script-name", 34, "production"),
        ],
    },
    Seed {
        path: "tests/fixtures/seeds/002-template/wrangler.toml",
        format: Format::WranglerToml,
        want: &[
            // compatibility_date = "2024-01-01"
            at("compat-date-stale", 3),
            // new_classes = ["ChatRoom", "RateLimiter", "Counter"]
            at("kv-backed-durable-object", 16),
            // id = "xxxxxxxxxxxxxxxxxxxxx"
            at("placeholder-id", 21),
        ],
    },
    Seed {
        path: "tests/fixtures/seeds/003-chittyconnect/wrangler.toml",
        format: Format::WranglerToml,
        want: &[
            // compatibility_date = "2024-09-23"
            at("compat-date-stale", 5),
            // classes = [ … ] under [durable_objects]: the issue asserts line and column.
            Want {
                rule: "unknown-field",
                line: 9,
                col: Some(1),
                env: None,
            },
            // script_name = "chittyconnect" = name.
            at("self-script-name", 16),
            // new_classes = ["SessionStateDO"]
            at("kv-backed-durable-object", 21),
            // [[env.staging.r2_buckets]] / [[env.production.r2_buckets]]: no durable_objects.
            in_env("env-binding-not-inherited", 29, "staging"),
            in_env("env-binding-not-inherited", 34, "production"),
        ],
    },
];

#[test]
fn seeds_report_exactly_the_expected_findings() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(&root).unwrap();
    let options = CheckOptions {
        today: Some(TODAY.to_owned()),
        ..CheckOptions::default()
    };
    let mut problems = Vec::new();
    for seed in SEEDS {
        let path = PathBuf::from(seed.path);
        assert!(path.is_file(), "{} is missing", seed.path);
        let report = check_classified(&[(path, seed.format)], &options);
        let found: Vec<(String, usize, usize, Option<String>, String)> = report
            .diagnostics
            .iter()
            .map(|d| {
                let (line, col) = d.primary.start();
                (d.rule.clone(), line, col, d.env.clone(), d.message.clone())
            })
            .collect();
        let matches = |w: &Want, f: &(String, usize, usize, Option<String>, String)| {
            f.0 == w.rule
                && f.1 == w.line
                && w.col.is_none_or(|c| c == f.2)
                && w.env.is_none_or(|e| f.3.as_deref() == Some(e))
        };
        for w in seed.want {
            if !found.iter().any(|f| matches(w, f)) {
                problems.push(format!(
                    "{}: expected {} at line {}{}{} — not reported",
                    seed.path,
                    w.rule,
                    w.line,
                    w.col.map_or(String::new(), |c| format!(", column {c}")),
                    w.env.map_or(String::new(), |e| format!(" (env {e})")),
                ));
            }
        }
        for f in &found {
            if !seed.want.iter().any(|w| matches(w, f)) {
                problems.push(format!(
                    "{}: unexpected {} at {}:{}{}: {}",
                    seed.path,
                    f.0,
                    f.1,
                    f.2,
                    f.3.as_deref()
                        .map_or(String::new(), |e| format!(" (env {e})")),
                    f.4
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
