//! The generated project's `Cargo.toml`, written with toml_edit.

use toml_edit::{value, Array, DocumentMut, InlineTable, Item, Table};

/// The `worker` crate requirement: the newest 0.8 release at the time of writing (0.8.7);
/// Cargo's caret semantics take later 0.8.x releases.
pub const WORKER_VERSION: &str = "0.8.7";
/// The oldest Rust the `worker` 0.8.7 crate builds with.
pub const RUST_VERSION: &str = "1.91";

/// `queue`: the Worker consumes a queue (the `worker` crate's `queue` feature).
pub fn render(package: &str, header: &str, queue: bool) -> String {
    let mut doc = DocumentMut::new();
    let mut pkg = Table::new();
    pkg.insert("name", value(package));
    pkg.insert("version", value("0.1.0"));
    pkg.insert("edition", value("2021"));
    pkg.insert("rust-version", value(RUST_VERSION));
    pkg.insert("publish", value(false));
    pkg.decor_mut().set_prefix(format!("# {header}\n\n"));
    doc.insert("package", Item::Table(pkg));

    let mut lib = Table::new();
    let mut types = Array::new();
    types.push("cdylib"); // the wasm module worker-build packages
    types.push("rlib"); // native `cargo test`
    lib.insert("crate-type", value(types));
    doc.insert("lib", Item::Table(lib));

    let mut deps = Table::new();
    if queue {
        let mut worker = InlineTable::new();
        worker.insert("version", WORKER_VERSION.into());
        let mut features = Array::new();
        features.push("queue");
        worker.insert("features", features.into());
        deps.insert("worker", value(worker));
    } else {
        deps.insert("worker", value(WORKER_VERSION));
    }
    // Logs a panic's message and location (lib.rs installs it at start-up).
    deps.insert("console_error_panic_hook", value("0.1"));
    // Streams: bounded body reads, the audit log's paged export.
    deps.insert("futures-util", value("0.3"));
    let mut serde = InlineTable::new();
    serde.insert("version", "1".into());
    let mut features = Array::new();
    features.push("derive");
    serde.insert("features", features.into());
    deps.insert("serde", value(serde));
    deps.insert("serde_json", value("1"));
    doc.insert("dependencies", Item::Table(deps));

    // Small, fast wasm. Not `strip = true`: wasm-bindgen reads the `target_features` section
    // that stripping removes (worker-build warns).
    let mut release = Table::new();
    release.insert("lto", value(true));
    release.insert("codegen-units", value(1));
    let mut profile = Table::new();
    profile.set_implicit(true);
    profile.insert("release", Item::Table(release));
    doc.insert("profile", Item::Table(profile));

    // worker-build would download wasm-opt from GitHub; the build works without it.
    let mut wasm_release = Table::new();
    wasm_release.insert("wasm-opt", value(false));
    wasm_release
        .decor_mut()
        .set_prefix("\n# worker-build: skip wasm-opt (downloaded from GitHub; optional).\n");
    let mut wasm_profile = Table::new();
    wasm_profile.set_implicit(true);
    wasm_profile.insert("release", Item::Table(wasm_release));
    let mut wasm_pack = Table::new();
    wasm_pack.set_implicit(true);
    wasm_pack.insert("profile", Item::Table(wasm_profile));
    let mut metadata = Table::new();
    metadata.set_implicit(true);
    metadata.insert("wasm-pack", Item::Table(wasm_pack));
    if let Some(Item::Table(p)) = doc.get_mut("package") {
        p.insert("metadata", Item::Table(metadata));
    }
    doc.to_string()
}
