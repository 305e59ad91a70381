//! Build oracle of the generated Rust projects: every example (generated with `--lang rust`)
//! and the all-kinds fixture are generated into `target/generate-rust-build/<name>/` by the
//! doforge binary, then — with ONE shared `CARGO_TARGET_DIR`, so the `worker` crate compiles
//! once — the real toolchain runs in each: `cargo fmt --check`, `cargo test` (the generated
//! unit tests must pass, and the ones named below must have run), `cargo clippy --all-targets
//! -- -D warnings`, and `cargo check --target wasm32-unknown-unknown` against the real `worker`
//! crate. The wasm32 target comes from scripts/setup-wasm.sh (run by scripts/test.sh).
//!
//! Timings are printed (`--nocapture`), never asserted; scripts/benches/generate-rust-build.sh
//! measures cold and warm runs.

mod common;
#[path = "generate_rust_build/ownership.rs"]
mod ownership;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::generate::{label, manifest_dir, rust_blueprints};

/// Generated unit tests that must run (and pass) in a project that has the logic module.
const EXPECTED_TESTS: &[(&str, &str)] = &[
    (
        "route",
        "logic::route::tests::keys_from_params_headers_query_and_date",
    ),
    ("route", "logic::route::tests::segments_are_percent_decoded"),
    (
        "counter",
        "logic::counter::tests::increments_decrements_and_resets",
    ),
    (
        "rate_limit",
        "logic::rate_limit::tests::the_101st_request_is_refused_then_allowed_after_the_window",
    ),
    (
        "rate_limit",
        "logic::rate_limit::tests::sliding_window_weighs_the_previous_window",
    ),
    ("chat", "logic::chat::tests::history_keeps_the_last_n"),
    ("chat", "logic::chat::tests::timestamps_strictly_increase"),
    ("chat", "logic::chat::tests::message_rate_per_socket"),
    (
        "chat",
        "logic::chat::tests::server_frames_have_the_seed_shapes",
    ),
    (
        "audit",
        "logic::audit::tests::retention_expires_exactly_the_old_entries",
    ),
    (
        "audit",
        "logic::audit::tests::csv_has_the_seed_header_iso_times_and_no_formulas",
    ),
    ("audit", "logic::audit::tests::ids_are_unique_across_days"),
    (
        "audit",
        "logic::audit::tests::queries_select_a_day_and_page_with_a_cursor",
    ),
    (
        "session",
        "logic::session::tests::sessions_expire_after_idle_ttl",
    ),
    ("session", "logic::session::tests::inputs_are_bounded"),
    (
        "route",
        "logic::route::tests::optional_params_and_body_keys",
    ),
];

/// Generated client tests that must run (and pass): `(kind module in src/clients/kinds/, test)`;
/// `transport` runs in every project.
const EXPECTED_CLIENT_TESTS: &[(&str, &str)] = &[
    (
        "transport",
        "clients::transport::tests::instance_names_follow_the_blueprint_key",
    ),
    (
        "transport",
        "clients::transport::tests::answers_are_decoded_or_typed_errors",
    ),
    (
        "rate_limiter",
        "clients::kinds::rate_limiter::tests::checks_speak_seed_001",
    ),
    (
        "audit_log",
        "clients::kinds::audit_log::tests::entries_and_queries_speak_seed_001",
    ),
    (
        "counter",
        "clients::kinds::counter::tests::the_counter_reads_what_the_client_sends",
    ),
    (
        "session",
        "clients::kinds::session::tests::sessions_speak_seed_003",
    ),
    (
        "chat_room",
        "clients::kinds::chat_room::tests::history_reads_seed_002_messages",
    ),
];

fn cargo(dir: &Path, target_dir: &Path, args: &[&str], wasm: bool) -> String {
    let started = Instant::now();
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTC_WORKSPACE_WRAPPER");
    if wasm {
        // As worker-build does.
        cmd.env("WASM_BINDGEN_USE_JS_SYS", "1");
    }
    let out = cmd.output().expect("run cargo");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "`cargo {}` failed in {}:\n{text}",
        args.join(" "),
        dir.display()
    );
    eprintln!(
        "  cargo {:<55} {:>6.1} s",
        args.join(" "),
        started.elapsed().as_secs_f64()
    );
    text
}

fn wasm_target_installed() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false)
}

/// The Cargo projects one generation wrote: `--out` itself (one Worker), or every
/// `workers/<script>/` (several). Never a directory without its own `Cargo.toml`: cargo would
/// walk up to doforge's own manifest and run this very suite again inside itself.
fn cargo_projects(name: &str, out: &Path) -> Vec<(String, PathBuf)> {
    if out.join("Cargo.toml").is_file() {
        return vec![(name.to_owned(), out.to_path_buf())];
    }
    let mut projects: Vec<(String, PathBuf)> = std::fs::read_dir(out.join("workers"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("Cargo.toml").is_file())
                .map(|p| {
                    let script = p.file_name().unwrap().to_string_lossy().into_owned();
                    (format!("{name}/{script}"), p)
                })
                .collect()
        })
        .unwrap_or_default();
    projects.sort();
    assert!(
        !projects.is_empty(),
        "{name}: generation wrote no Cargo project in {}",
        out.display()
    );
    projects
}

#[test]
fn generated_projects_build_test_and_lint_natively_and_for_wasm() {
    assert!(
        wasm_target_installed(),
        "the wasm32-unknown-unknown target is missing: run scripts/setup-wasm.sh"
    );
    let root: PathBuf = manifest_dir().join("target/generate-rust-build");
    let target_dir = root.join("target");
    std::fs::create_dir_all(&target_dir).unwrap();
    let total = Instant::now();
    for blueprint in rust_blueprints() {
        let name = label(&blueprint).replace(".blueprint", "");
        let dir = root.join("projects").join(&name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        let out = Command::new(env!("CARGO_BIN_EXE_doforge"))
            .args(["generate", "--lang", "rust", "--out"])
            .arg(&dir)
            .arg(manifest_dir().join(&blueprint))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "doforge generate {}: {}",
            blueprint.display(),
            String::from_utf8_lossy(&out.stdout)
        );
        for (name, dir) in cargo_projects(&name, &dir) {
            eprintln!("{name}:");
            let project_start = Instant::now();
            // Generated code is rustfmt-clean, so `cargo fmt` in the project changes no doforge file.
            cargo(&dir, &target_dir, &["fmt", "--check"], false);
            // No separate `cargo check --all-targets`: clippy --all-targets below type-checks the same.
            let tests = cargo(&dir, &target_dir, &["test"], false);
            let modules = std::fs::read_to_string(dir.join("src/logic/mod.rs")).unwrap();
            for (module, test) in EXPECTED_TESTS {
                if modules.contains(&format!("pub mod {module};")) {
                    assert!(
                        tests.contains(&format!("test {test} ... ok")),
                        "{name}: the generated test {test} did not run:\n{tests}"
                    );
                }
            }
            let clients = std::fs::read_to_string(dir.join("src/clients/mod.rs")).unwrap();
            for (kind, test) in EXPECTED_CLIENT_TESTS {
                if *kind == "transport" || clients.contains(&format!("    pub mod {kind};")) {
                    assert!(
                        tests.contains(&format!("test {test} ... ok")),
                        "{name}: the generated test {test} did not run:\n{tests}"
                    );
                }
            }
            lint_and_check_wasm(&dir, &target_dir);
            eprintln!(
                "  {name} total {:.1} s",
                project_start.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!("all projects: {:.1} s", total.elapsed().as_secs_f64());
}

/// `cargo clippy -D warnings` natively and `cargo check` for wasm32.
fn lint_and_check_wasm(dir: &Path, target_dir: &Path) {
    cargo(
        dir,
        target_dir,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
        false,
    );
    cargo(
        dir,
        target_dir,
        &["check", "--target", "wasm32-unknown-unknown"],
        true,
    );
}

/// User code on the hooks and the typed clients (the `src/hooks.rs` and `src/app.rs` of
/// tests/fixtures/e2e/hooks/, which tests/e2e_hooks.rs runs) compiles natively and for wasm32,
/// lint-clean, in the project generated from that fixture's blueprint.
#[test]
fn user_hooks_and_clients_compile_natively_and_for_wasm() {
    assert!(
        wasm_target_installed(),
        "the wasm32-unknown-unknown target is missing: run scripts/setup-wasm.sh"
    );
    let root: PathBuf = manifest_dir().join("target/generate-rust-build");
    let target_dir = root.join("target");
    let fixture = manifest_dir().join("tests/fixtures/e2e/hooks");
    let dir = root.join("projects").join("e2e-hooks");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args(["generate", "--out"])
        .arg(&dir)
        .arg(fixture.join("blueprint.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "doforge generate: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    for file in ["hooks.rs", "app.rs"] {
        std::fs::copy(fixture.join(file), dir.join("src").join(file)).unwrap();
    }
    let started = Instant::now();
    cargo(&dir, &target_dir, &["fmt", "--check"], false);
    lint_and_check_wasm(&dir, &target_dir);
    eprintln!("e2e-hooks total {:.1} s", started.elapsed().as_secs_f64());
}
