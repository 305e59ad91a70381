//! `doforge env`, `doforge graph` and `doforge completions` end to end (snapshots).

use std::process::{Command, Output};

fn doforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run doforge")
}

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

const SEED_000: &str = "tests/fixtures/seeds/000-butterfly-house/wrangler.jsonc";
const MULTI: &str = "tests/fixtures/blueprints/valid-multi-worker.yaml";

#[test]
fn env_shows_origins_and_missing_keys() {
    let text = stdout(&doforge(&["env", SEED_000, "--env", "production"]));
    assert!(
        text.contains("durable_objects      [missing, line 8]"),
        "{text}"
    );
    insta::assert_snapshot!("env_seed_000_production", text);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&doforge(&["env", MULTI, "--format", "json"]))).unwrap();
    insta::assert_json_snapshot!("env_multi_worker_top", json);
}

#[test]
fn env_with_an_unknown_environment_exits_2() {
    let o = doforge(&["env", SEED_000, "--env", "prod"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("environments: production, staging"));
}

#[test]
fn graph_draws_cross_worker_edges() {
    let dot = stdout(&doforge(&["graph", MULTI]));
    assert!(dot.starts_with("digraph doforge {"));
    insta::assert_snapshot!("graph_multi_worker_dot", dot);
    let mermaid = stdout(&doforge(&["graph", MULTI, "--format", "mermaid"]));
    assert!(mermaid.contains("-->|\"hosts\"|"), "{mermaid}");
    insta::assert_snapshot!("graph_multi_worker_mermaid", mermaid);
    // A directory of configs is one graph.
    let seeds = stdout(&doforge(&[
        "graph",
        "tests/fixtures/seeds",
        "--env",
        "production",
    ]));
    assert!(
        seeds.contains("worker butterfly-house-tickets-production"),
        "{seeds}"
    );
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let text = stdout(&doforge(&["completions", shell]));
        assert!(
            text.contains("generate") && text.contains("check"),
            "{shell}"
        );
    }
}
