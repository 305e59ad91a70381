//! `migration-history-rewritten` compares a config with its version in git's `HEAD`, so its
//! failing cases need a real repository: each test builds one in a temp dir, commits a config,
//! edits the working copy and checks it. (The rule fixtures under tests/fixtures/rules/ live in
//! doforge's own repository and hold only passing cases.)

use std::path::{Path, PathBuf};
use std::process::Command;

use doforge::check::{check_paths, CheckOptions};
use doforge::diagnostics::Diagnostic;

const RULE: &str = "migration-history-rewritten";

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=doforge",
            "-c",
            "user.email=doforge@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository whose `HEAD` holds `committed` as `name`, with `working` in the working copy.
fn repo(name: &str, committed: &str, working: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    git(dir.path(), &["init", "-q"]);
    std::fs::write(&path, committed).unwrap();
    git(dir.path(), &["add", name]);
    git(dir.path(), &["commit", "-q", "-m", "config"]);
    if let Some(w) = working {
        std::fs::write(&path, w).unwrap();
    }
    (dir, path)
}

fn findings(path: &Path) -> Vec<Diagnostic> {
    let options = CheckOptions {
        today: Some("2026-06-01".to_owned()),
        select: vec![RULE.to_owned()],
        ..CheckOptions::default()
    };
    check_paths(&[path.to_path_buf()], &options)
        .diagnostics
        .into_iter()
        .filter(|d| d.rule == RULE)
        .collect()
}

fn messages(path: &Path) -> Vec<String> {
    findings(path)
        .into_iter()
        .map(|d| {
            let (line, _) = d.primary.start();
            format!("{line}: {}", d.message)
        })
        .collect()
}

const TOML: &str = r#"name = "chat-app"
main = "src/index.ts"
compatibility_date = "2026-01-15"

[[durable_objects.bindings]]
name = "ROOM"
class_name = "ChatRoom"

[[migrations]]
tag = "v1"
new_classes = ["Room"]

[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Room", to = "ChatRoom" }]
"#;

macro_rules! require_git {
    () => {
        if !git_available() {
            eprintln!("git is not installed; skipping");
            return;
        }
    };
}

#[test]
fn an_edited_step_is_reported_at_its_tag() {
    require_git!();
    let edited = TOML.replace(
        "new_classes = [\"Room\"]",
        "new_sqlite_classes = [\"Room\"]",
    );
    let (_dir, path) = repo("wrangler.toml", TOML, Some(&edited));
    assert_eq!(
        messages(&path),
        ["10: migration step `v1` differs from the committed one (HEAD)"]
    );
    let d = &findings(&path)[0];
    assert!(d.help.as_deref().unwrap().contains("append-only"));
}

#[test]
fn a_removed_step_is_reported_at_the_list() {
    require_git!();
    let removed = TOML.replace(
        "[[migrations]]\ntag = \"v2\"\nrenamed_classes = [{ from = \"Room\", to = \"ChatRoom\" }]\n",
        "",
    );
    let (_dir, path) = repo("wrangler.toml", TOML, Some(&removed));
    assert_eq!(
        messages(&path),
        ["9: migration step `v2` was committed (HEAD) but is no longer in this history"]
    );
}

#[test]
fn reordered_and_inserted_steps_are_reported() {
    require_git!();
    let jsonc = r#"{
  "name": "chat-app",
  "main": "src/index.ts",
  "compatibility_date": "2026-01-15",
  "migrations": [
    { "tag": "v1", "new_sqlite_classes": ["A"] },
    { "tag": "v2", "new_sqlite_classes": ["B"] }
  ]
}
"#;
    let reordered = jsonc.replace(
        "    { \"tag\": \"v1\", \"new_sqlite_classes\": [\"A\"] },\n    { \"tag\": \"v2\", \"new_sqlite_classes\": [\"B\"] }",
        "    { \"tag\": \"v2\", \"new_sqlite_classes\": [\"B\"] },\n    { \"tag\": \"v1\", \"new_sqlite_classes\": [\"A\"] }",
    );
    let (_dir, path) = repo("wrangler.jsonc", jsonc, Some(&reordered));
    assert_eq!(
        messages(&path),
        ["6: migration step `v2` now comes before `v1`, but was committed (HEAD) after it"]
    );

    let inserted = jsonc.replace(
        "    { \"tag\": \"v2\"",
        "    { \"tag\": \"v1b\", \"new_sqlite_classes\": [\"C\"] },\n    { \"tag\": \"v2\"",
    );
    std::fs::write(&path, inserted).unwrap();
    assert_eq!(
        messages(&path),
        ["7: migration step `v1b` is inserted before the committed step `v2`"]
    );
}

#[test]
fn an_env_that_forks_the_history_is_compared_with_what_it_inherited() {
    require_git!();
    let forked = format!(
        "{TOML}\n[env.staging]\n\n[[env.staging.migrations]]\ntag = \"v1\"\nnew_classes = [\"Room\"]\n"
    );
    let committed = format!("{TOML}\n[env.staging]\n");
    let (_dir, path) = repo("wrangler.toml", &committed, Some(&forked));
    let found = findings(&path);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].env.as_deref(), Some("staging"));
    assert!(found[0].message.contains("`v2` was committed (HEAD)"));
}

#[test]
fn a_blueprint_history_is_compared_too() {
    require_git!();
    let yaml = "project_name: chat-app\nprovider: cloudflare\ncompatibility_date: \"2026-01-15\"\nresources:\n  - { id: worker, type: cloudflare_worker, config: { main: src/index.ts } }\ndurable_objects:\n  - { class_name: ChatRoom }\nbindings:\n  - { name: CHAT_ROOM, target: ChatRoom }\nmigrations:\n  - tag: v1\n    new_sqlite_classes: [ChatRoom]\n";
    let edited = yaml.replace("tag: v1", "tag: v0");
    let (_dir, path) = repo("blueprint.yaml", yaml, Some(&edited));
    let msgs = messages(&path);
    assert_eq!(
        msgs,
        ["10: migration step `v1` was committed (HEAD) but is no longer in this history"]
    );
}

#[test]
fn appending_or_leaving_the_file_alone_is_fine() {
    require_git!();
    let appended =
        format!("{TOML}\n[[migrations]]\ntag = \"v3\"\nnew_sqlite_classes = [\"Presence\"]\n");
    let (_dir, path) = repo("wrangler.toml", TOML, Some(&appended));
    assert!(messages(&path).is_empty());
    std::fs::write(&path, TOML).unwrap();
    assert!(messages(&path).is_empty());
    // Formatting changes are not history changes.
    std::fs::write(
        &path,
        TOML.replace("tag = \"v1\"", "tag   =   \"v1\"   # first"),
    )
    .unwrap();
    assert!(messages(&path).is_empty());
}

#[test]
fn untracked_files_and_files_outside_a_repository_are_skipped() {
    require_git!();
    let (dir, _) = repo("wrangler.toml", TOML, None);
    let sub = dir.path().join("other");
    std::fs::create_dir(&sub).unwrap();
    let untracked = sub.join("wrangler.toml");
    std::fs::write(&untracked, TOML.replace("tag = \"v2\"", "tag = \"v9\"")).unwrap();
    assert!(messages(&untracked).is_empty());

    let plain = tempfile::tempdir().unwrap();
    let path = plain.path().join("wrangler.toml");
    std::fs::write(&path, TOML).unwrap();
    assert!(messages(&path).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Comparing with a base (`--base REF`, or the upstream / origin's default branch by default)

fn findings_with_base(path: &Path, base: Option<&str>) -> Vec<String> {
    let options = CheckOptions {
        today: Some("2026-06-01".to_owned()),
        select: vec![RULE.to_owned()],
        base: base.map(str::to_owned),
        ..CheckOptions::default()
    };
    check_paths(&[path.to_path_buf()], &options)
        .diagnostics
        .into_iter()
        .filter(|d| d.rule == RULE)
        .map(|d| format!("{}: {}", d.primary.start().0, d.message))
        .collect()
}

/// `main` holds TOML; branch `feature` commits an in-place edit of `v1` (the working copy is
/// clean, as in CI).
fn repo_with_committed_edit() -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = repo("wrangler.toml", TOML, None);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        &path,
        TOML.replace(
            "new_classes = [\"Room\"]",
            "new_sqlite_classes = [\"Room\"]",
        ),
    )
    .unwrap();
    git(dir.path(), &["commit", "-q", "-am", "edit v1 in place"]);
    (dir, path)
}

#[test]
fn a_committed_edit_is_caught_against_an_explicit_base() {
    require_git!();
    let (_dir, path) = repo_with_committed_edit();
    // HEAD alone sees nothing: the edit is committed.
    assert!(findings_with_base(&path, Some("HEAD")).is_empty());
    assert_eq!(
        findings_with_base(&path, Some("main")),
        ["10: migration step `v1` differs from the committed one (merge base with main)"]
    );
}

#[test]
fn the_default_base_is_the_upstream_then_origins_default_branch() {
    require_git!();
    let (dir, path) = repo_with_committed_edit();
    // No upstream, no remote: no base.
    assert!(findings_with_base(&path, None).is_empty());
    git(dir.path(), &["branch", "-q", "--set-upstream-to=main"]);
    assert_eq!(
        findings_with_base(&path, None),
        ["10: migration step `v1` differs from the committed one (merge base with main)"]
    );

    // A clone: the new branch has no upstream, so origin's default branch (what the cloned
    // repository had checked out) is the base.
    git(dir.path(), &["checkout", "-q", "main"]);
    let clone = tempfile::tempdir().unwrap();
    git(
        clone.path(),
        &[
            "clone",
            "-q",
            "--branch",
            "main",
            dir.path().to_str().unwrap(),
            "c",
        ],
    );
    let c = clone.path().join("c");
    git(&c, &["checkout", "-q", "-b", "pr"]);
    let path = c.join("wrangler.toml");
    std::fs::write(&path, TOML.replace("tag = \"v1\"", "tag = \"v0\"")).unwrap();
    git(&c, &["commit", "-q", "-am", "rename the tag"]);
    let found = findings_with_base(&path, None);
    assert!(
        found
            .iter()
            .any(|m| m.contains("`v1` was committed (merge base with origin/main)")),
        "{found:?}"
    );
}

#[test]
fn a_step_rewritten_in_the_working_copy_and_on_the_branch_is_reported_once() {
    require_git!();
    let (_dir, path) = repo_with_committed_edit();
    // Edit v1 again, uncommitted: HEAD and the base both differ at the same tag.
    std::fs::write(
        &path,
        TOML.replace("new_classes = [\"Room\"]", "new_classes = [\"Rooms\"]"),
    )
    .unwrap();
    assert_eq!(
        findings_with_base(&path, Some("main")),
        ["10: migration step `v1` differs from the committed one (HEAD)"]
    );
}

#[test]
fn on_the_base_branch_itself_only_head_is_compared() {
    require_git!();
    let (dir, path) = repo_with_committed_edit();
    git(dir.path(), &["checkout", "-q", "main"]);
    assert!(findings_with_base(&path, Some("main")).is_empty());
}

#[test]
fn a_base_that_does_not_resolve_is_an_error_not_a_silent_pass() {
    require_git!();
    let (_dir, path) = repo_with_committed_edit();
    let found = findings_with_base(&path, Some("orign/main"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("--base orign/main: cannot compare the migration history with it: no commit named `orign/main`"),
        "{found:?}"
    );
    // Unrelated history (what a shallow clone looks like): no merge base.
    let (dir, path) = repo_with_committed_edit();
    git(dir.path(), &["checkout", "-q", "--orphan", "lonely"]);
    git(dir.path(), &["commit", "-q", "-m", "unrelated root"]);
    git(dir.path(), &["checkout", "-q", "feature"]);
    let found = findings_with_base(&path, Some("lonely"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("have no common history"), "{found:?}");
}

/// The CLI takes `--base` and fails the run (exit 1) on a committed edit.
#[test]
fn the_cli_base_flag_fails_a_committed_edit() {
    require_git!();
    let (dir, _path) = repo_with_committed_edit();
    let out = Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args(["check", "wrangler.toml", "--base", "main", "--select", RULE])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // (The message wraps at the terminal width.)
    assert!(
        stdout.contains("differs from the committed one (merge base"),
        "{stdout}"
    );
}
