//! End-to-end tests of `doforge init` and `doforge import`: every template checks clean and
//! generates a config that checks clean; nothing is overwritten without `--force`; bad names
//! and bad inputs exit 2 with a clear message and write nothing.

mod common;

use std::path::Path;
use std::process::Output;

use common::doforge_in as doforge;

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const TEMPLATES: &[&str] = &["minimal", "chat", "rate-limiter", "audit-log", "sessions"];

#[test]
fn every_template_checks_clean_and_generates_a_clean_config() {
    // The list above is the one `--help` and the docs show; a new template must be added here.
    let help = doforge(Path::new("."), &["init", "--help"]);
    for t in TEMPLATES {
        assert!(text(&help).contains(t), "{t} missing from init --help");
    }
    for t in TEMPLATES {
        let tmp = tempfile::tempdir().unwrap();
        let o = doforge(tmp.path(), &["init", "app", "--template", t]);
        assert_eq!(o.status.code(), Some(0), "{t}: {}", text(&o));
        let bp = tmp.path().join("app/blueprint.yaml");
        let written = std::fs::read_to_string(&bp).unwrap();
        assert!(written.contains("project_name: app\n"), "{t}: {written}");
        let o = doforge(tmp.path(), &["check", "app/blueprint.yaml"]);
        assert_eq!(o.status.code(), Some(0), "{t}: {}", text(&o));
        assert!(text(&o).contains("no problems found"), "{t}: {}", text(&o));
        let o = doforge(
            tmp.path(),
            &["generate", "app/blueprint.yaml", "--out", "app"],
        );
        assert_eq!(o.status.code(), Some(0), "{t}: {}", text(&o));
        assert!(tmp.path().join("app/wrangler.jsonc").is_file(), "{t}");
        let o = doforge(tmp.path(), &["check", "app/wrangler.jsonc"]);
        assert_eq!(o.status.code(), Some(0), "{t}: {}", text(&o));
        assert!(text(&o).contains("no problems found"), "{t}: {}", text(&o));
        // Generating again changes nothing.
        let o = doforge(
            tmp.path(),
            &["generate", "app/blueprint.yaml", "--out", "app", "--check"],
        );
        assert_eq!(o.status.code(), Some(0), "{t}: {}", text(&o));
    }
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let bp = tmp.path().join("blueprint.yaml");
    std::fs::write(&bp, "project_name: mine\n").unwrap();
    let o = doforge(tmp.path(), &["init", ".", "--name", "svc"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("already exists"), "{}", text(&o));
    assert!(text(&o).contains("--force"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&bp).unwrap(),
        "project_name: mine\n"
    );
    let o = doforge(tmp.path(), &["init", ".", "--name", "svc", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(std::fs::read_to_string(&bp)
        .unwrap()
        .contains("project_name: svc\n"));
}

#[test]
fn init_validates_the_name_and_writes_nothing_when_it_is_bad() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in [
        "My App",
        "-x",
        "a\nb: c",
        "ünï",
        &"a".repeat(64),
        "x-",
        "true: false",
    ] {
        let o = doforge(tmp.path(), &["init", "out", &format!("--name={bad}")]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", text(&o));
        assert!(
            text(&o).contains("not a valid project name"),
            "{bad:?}: {}",
            text(&o)
        );
        assert!(!tmp.path().join("out").exists(), "{bad:?} wrote something");
    }
    // A name YAML would read as another type is written so it reads back as the string.
    let o = doforge(tmp.path(), &["init", "out", "--name", "1234"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = doforge(tmp.path(), &["check", "out/blueprint.yaml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a numeric name stays a string: {}",
        text(&o)
    );
    // Without --name: the directory's name, made valid and said so.
    let o = doforge(tmp.path(), &["init", "Not Valid"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let written = std::fs::read_to_string(tmp.path().join("Not Valid/blueprint.yaml")).unwrap();
    assert!(written.contains("project_name: not-valid\n"), "{written}");
    assert!(
        text(&o).contains("project name `not-valid` derived from the directory name `Not Valid`"),
        "{}",
        text(&o)
    );
    let o = doforge(tmp.path(), &["init", "My_App"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let written = std::fs::read_to_string(tmp.path().join("My_App/blueprint.yaml")).unwrap();
    assert!(written.contains("project_name: my-app\n"), "{written}");
    // Nothing usable in the name: refused, nothing written.
    let o = doforge(tmp.path(), &["init", "___"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("cannot derive a project name from the directory name `___`"),
        "{}",
        text(&o)
    );
    assert!(!tmp.path().join("___").exists());
}

#[test]
fn init_rejects_unknown_templates() {
    let tmp = tempfile::tempdir().unwrap();
    let o = doforge(tmp.path(), &["init", "x", "--template", "chatt"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("chat"), "{}", text(&o));
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn import_writes_a_blueprint_that_checks_and_reports_notes_with_positions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let seed = root.join("tests/fixtures/seeds/000-butterfly-house/wrangler.jsonc");
    let out = tmp.path().join("blueprint.yaml");
    let o = doforge(
        tmp.path(),
        &[
            "import",
            seed.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("wrangler.jsonc:8:3: note: `env.production` has no `durable_objects`"),
        "{stderr}"
    );
    let o = doforge(
        tmp.path(),
        &["check", "blueprint.yaml", "--select", "unknown-field"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Not again without --force.
    let o = doforge(
        tmp.path(),
        &[
            "import",
            seed.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("already exists"));
}

#[test]
fn import_refuses_what_it_cannot_read() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("wrangler.toml"), "name = [\n").unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
    let o = doforge(tmp.path(), &["import", "wrangler.toml", "--out", "b.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!tmp.path().join("b.yaml").exists());
    let o = doforge(tmp.path(), &["import", "notes.txt"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not a wrangler config"), "{}", text(&o));
    let o = doforge(tmp.path(), &["import", "missing/wrangler.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn every_subcommand_help_has_examples() {
    use clap::CommandFactory;
    let cmd = doforge::cli::Cli::command();
    let mut n = 0;
    for sub in cmd.get_subcommands() {
        let after = sub
            .get_after_help()
            .map(|s| s.to_string())
            .unwrap_or_default();
        assert!(
            after.contains("Example"),
            "`doforge {} --help` shows no examples",
            sub.get_name()
        );
        assert!(
            after.contains(&format!("doforge {}", sub.get_name())),
            "`doforge {} --help`: its examples do not run it",
            sub.get_name()
        );
        n += 1;
    }
    assert!(n >= 10, "{n} subcommands");
    let top = cmd
        .get_after_help()
        .map(|s| s.to_string())
        .unwrap_or_default();
    assert!(top.contains("Examples:"), "{top}");
}

#[test]
fn long_checks_show_no_progress_when_stderr_is_not_a_terminal() {
    // Tests (and CI) capture stderr: a run over many files must not print a progress line there.
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..(doforge::check::progress::MIN_FILES + 20) {
        let dir = tmp.path().join(format!("w{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("wrangler.toml"),
            format!(
                "name = \"w{i}\"\nmain = \"src/index.js\"\ncompatibility_date = \"2026-01-01\"\n"
            ),
        )
        .unwrap();
    }
    let o = doforge(tmp.path(), &["check", ".", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("checked"),
        "{}",
        text(&o)
    );
}
