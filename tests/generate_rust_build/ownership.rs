//! The ownership lifecycle of a generated project, driven through the CLI the way a team lives
//! with it: generate → edit `app.rs` and `hooks.rs` → `--check` green → regenerate keeps the
//! edits → an edited doforge file is refused with its diff and a hint → `eject` the audit log →
//! edit its object and logic → `--check` green → regenerate keeps them → change its kind → the
//! edited code is not destroyed (`check` and `generate` refuse) → `kind: custom` keeps it as the
//! class's body → the project still builds, natively and for wasm32, with every edit in it.
//! (In the build oracle's test binary: it shares its Cargo target directory.)

use std::path::Path;

use super::{cargo, wasm_target_installed};
use crate::common::doforge_in;
use crate::common::generate::manifest_dir;

const BLUEPRINT: &str = r#"project_name: owned
provider: cloudflare
compatibility_date: "2025-10-08"
resources:
  - id: app
    type: cloudflare_worker
    config: { main: src/lib.rs }
durable_objects:
  - class_name: Counter
    kind: counter
    instances: { route: "/counter/:name/*", key: "counter:{name}" }
  - class_name: AuditLog
    kind: audit_log
    instances: { route: "/audit/*", key: "audit:{date}", auth: { bearer: AUDIT_TOKEN } }
secrets: [AUDIT_TOKEN]
bindings:
  - { worker: app, name: COUNTER, target: Counter }
  - { worker: app, name: AUDIT_LOG, target: AuditLog }
"#;

/// The team's CORS header, added in the `after` hook (an edit of a user file that compiles).
const HOOK_EDIT: (&str, &str) = (
    "    response: Response,\n    _env: &Env,\n    _ctx: &Context,\n) -> Result<Response> {\n    Ok(response)\n}",
    "    mut response: Response,\n    _env: &Env,\n    _ctx: &Context,\n) -> Result<Response> {\n    // Ours: the dashboard reads every API.\n    response\n        .headers_mut()\n        .set(\"Access-Control-Allow-Origin\", \"https://dash.example.com\")?;\n    Ok(response)\n}",
);

/// Run doforge in `dir`, assert its exit code, return stdout + stderr.
fn expect(dir: &Path, args: &[&str], code: i32) -> String {
    let out = doforge_in(dir, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "doforge {}: expected exit {code}:\n{text}",
        args.join(" ")
    );
    text
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn append(dir: &Path, path: &str, text: &str) -> String {
    let edited = format!("{}{text}", read(dir, path));
    std::fs::write(dir.join(path), &edited).unwrap();
    edited
}

const GENERATE: &[&str] = &["generate", "blueprint.yaml", "--out", "."];
const CHECK: &[&str] = &["generate", "blueprint.yaml", "--out", ".", "--check"];

#[test]
fn edits_and_ejected_code_survive_every_regeneration_and_the_project_builds() {
    assert!(
        wasm_target_installed(),
        "the wasm32-unknown-unknown target is missing: run scripts/setup-wasm.sh"
    );
    let root = manifest_dir().join("target/generate-rust-build");
    let target_dir = root.join("target");
    let dir = root.join("projects").join("ownership-lifecycle");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("blueprint.yaml"), BLUEPRINT).unwrap();

    // 1. Generate, then edit the two files the README calls yours.
    expect(&dir, GENERATE, 0);
    let app = append(
        &dir,
        "src/app.rs",
        "\n/// Ours: the team's own helper, kept across generations.\npub fn team_routes() -> &'static [&'static str] {\n    &[\"/health\"]\n}\n",
    );
    let hooks = read(&dir, "src/hooks.rs");
    assert!(
        hooks.contains(HOOK_EDIT.0),
        "hooks.rs template changed:\n{hooks}"
    );
    let hooks = hooks.replace(HOOK_EDIT.0, HOOK_EDIT.1);
    std::fs::write(dir.join("src/hooks.rs"), &hooks).unwrap();

    // 2. Edited user files are no drift; regenerating keeps them byte for byte.
    let checked = expect(&dir, CHECK, 0);
    assert!(checked.contains("up to date"), "{checked}");
    expect(&dir, GENERATE, 0);
    assert_eq!(read(&dir, "src/app.rs"), app);
    assert_eq!(read(&dir, "src/hooks.rs"), hooks);

    // 3. An edited doforge file is refused, with the diff and where the change belongs.
    let router = read(&dir, "src/router.rs");
    std::fs::write(
        dir.join("src/router.rs"),
        format!("{router}// a quick fix\n"),
    )
    .unwrap();
    let refused = expect(&dir, GENERATE, 2);
    assert!(
        refused.contains("src/router.rs is doforge's, and you edited it")
            && refused.contains("+// a quick fix")
            && refused.contains("src/hooks.rs")
            && refused.contains("nothing was written"),
        "{refused}"
    );
    assert_eq!(
        read(&dir, "src/router.rs"),
        format!("{router}// a quick fix\n")
    );
    expect(&dir, CHECK, 1);
    std::fs::write(dir.join("src/router.rs"), &router).unwrap();
    expect(&dir, CHECK, 0);

    // 4. Eject the audit log: its object and logic become ours, recorded in the lock.
    let ejected = expect(
        &dir,
        &[
            "eject",
            "AuditLog",
            "--blueprint",
            "blueprint.yaml",
            "--out",
            ".",
        ],
        0,
    );
    assert!(ejected.contains("now yours"), "{ejected}");
    let lock: serde_json::Value = serde_json::from_str(&read(&dir, "doforge.lock")).unwrap();
    let files = &lock["workers"]["app"]["ejected"]["AuditLog"]["files"];
    assert_eq!(
        files,
        &serde_json::json!(["src/objects/audit_log.rs", "src/logic/audit.rs"]),
        "{lock:#}"
    );
    assert!(read(&dir, "README.md").contains("**you** (ejected, with `src/logic/audit.rs`)"));
    let object = append(
        &dir,
        "src/objects/audit_log.rs",
        "\n/// Ours: a column the team added to every export.\npub const EXPORT_TAG: &str = \"team\";\n",
    );
    let logic = append(
        &dir,
        "src/logic/audit.rs",
        "\n/// Ours: the longest action the team logs.\npub const MAX_ACTION: usize = 64;\n",
    );

    // 5. Edits of ejected code are no drift either, and regeneration keeps them.
    expect(&dir, CHECK, 0);
    expect(&dir, GENERATE, 0);
    assert_eq!(read(&dir, "src/objects/audit_log.rs"), object);
    assert_eq!(read(&dir, "src/logic/audit.rs"), logic);
    expect(&dir, &["check", "blueprint.yaml"], 0);

    // 6. Another built-in kind would replace our code: check and generate both refuse, and
    //    nothing on disk changes.
    let blueprint = BLUEPRINT.replace("kind: audit_log", "kind: counter");
    std::fs::write(dir.join("blueprint.yaml"), &blueprint).unwrap();
    let found = expect(&dir, &["check", "blueprint.yaml"], 1);
    assert!(found.contains("ejected-kind-changed"), "{found}");
    let refused = expect(&dir, GENERATE, 1);
    assert!(refused.contains("ejected-kind-changed"), "{refused}");
    assert_eq!(read(&dir, "src/objects/audit_log.rs"), object);
    assert_eq!(read(&dir, "src/logic/audit.rs"), logic);

    // 7. `kind: custom` keeps the ejected code as the class's body.
    let blueprint = BLUEPRINT.replace("kind: audit_log", "kind: custom");
    std::fs::write(dir.join("blueprint.yaml"), &blueprint).unwrap();
    expect(&dir, GENERATE, 0);
    expect(&dir, CHECK, 0);
    for (path, text) in [
        ("src/objects/audit_log.rs", &object),
        ("src/logic/audit.rs", &logic),
        ("src/app.rs", &app),
        ("src/hooks.rs", &hooks),
    ] {
        assert_eq!(&read(&dir, path), text, "{path} was not kept");
    }

    // 8. The project, with every edit in it, builds natively and for wasm32 (the edits add
    //    unused items, so clippy's `-D warnings` is not the judge here).
    cargo(&dir, &target_dir, &["fmt", "--check"], false);
    cargo(&dir, &target_dir, &["check", "--all-targets"], false);
    cargo(
        &dir,
        &target_dir,
        &["check", "--target", "wasm32-unknown-unknown"],
        true,
    );
}
