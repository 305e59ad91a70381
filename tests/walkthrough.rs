//! The getting-started walkthrough (docs/getting-started.md, linked from the README's first
//! screen) runs exactly as written: every `<!-- walkthrough: NAME -->` ```sh block is executed
//! line by line with `sh -c` (`doforge` is this build), in a scratch directory that holds what a
//! doforge checkout offers the walkthrough (`tests/fixtures/seeds/`, `.pre-commit-hooks.yaml`).
//! `<!-- walkthrough-file: PATH -->` blocks are written to PATH first. A line ending in
//! `# exit N` must exit N, every other line 0. `cd DIR` changes the directory of later lines.
//!
//! `pre-commit install` / `pre-commit run HOOK --files F…` are carried out as pre-commit does,
//! from the hook definition of the written `.pre-commit-config.yaml` (a `repo: local` hook, which
//! must agree with this repository's `.pre-commit-hooks.yaml` and pin this version's npm package,
//! or a hook of `.pre-commit-hooks.yaml`): its `entry` run once with the files that match its
//! `files` pattern. `scripts/precommit-smoke.sh` (CI) runs this test again with the real
//! pre-commit installing the npm package from a local registry mirror
//! (`DOFORGE_WALKTHROUGH_PRE_COMMIT`), and the published hooks with `pre-commit try-repo`.

use std::path::{Path, PathBuf};
use std::process::Command;

const DOC: &str = "docs/getting-started.md";

#[derive(Debug)]
enum Block {
    Commands { name: String, lines: Vec<String> },
    File { path: String, text: String },
}

/// The marked blocks of the doc, in order.
fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = doc.lines().peekable();
    while let Some(line) = lines.next() {
        let marker = line.trim();
        let (kind, arg) = if let Some(rest) = marker.strip_prefix("<!-- walkthrough: ") {
            ("commands", rest)
        } else if let Some(rest) = marker.strip_prefix("<!-- walkthrough-file: ") {
            ("file", rest)
        } else {
            continue;
        };
        let arg = arg.trim_end_matches("-->").trim().to_owned();
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "{DOC}: a fenced block must follow `{marker}`"
        );
        let mut body = Vec::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push(l.to_owned());
        }
        out.push(match kind {
            "commands" => Block::Commands {
                name: arg,
                lines: body,
            },
            _ => Block::File {
                path: arg,
                text: body.join("\n") + "\n",
            },
        });
    }
    out
}

/// A command line without its trailing comment, and the exit code the comment expects.
fn expected_exit(line: &str) -> (String, i32) {
    let re = regex::Regex::new(r"^(.*?)\s+#\s*exit (\d+)\s*$").unwrap();
    if let Some(c) = re.captures(line) {
        return (c[1].to_owned(), c[2].parse().unwrap());
    }
    let re = regex::Regex::new(r"^(.*?)\s+#.*$").unwrap();
    match re.captures(line) {
        Some(c) => (c[1].to_owned(), 0),
        None => (line.to_owned(), 0),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// The hooks of a `.pre-commit-config.yaml`: `repo: local` ones with their definition, the
/// others by id (defined in the hook repository's `.pre-commit-hooks.yaml`).
fn configured_hooks(config: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for r in config["repos"].as_array().expect("repos: a list") {
        for h in r["hooks"].as_array().expect("hooks: a list") {
            out.push(h.clone());
        }
    }
    out
}

/// The hook definition pre-commit would run for `id`: from a `repo: local` entry of the config,
/// which must agree with this repository's `.pre-commit-hooks.yaml` (same entry, files, serial
/// run; the npm package pinned at this crate's version), or from `.pre-commit-hooks.yaml`.
fn hook_definition(
    config: &serde_json::Value,
    hooks: &serde_json::Value,
    id: &str,
) -> serde_json::Value {
    let published = hooks
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("hook `{id}` is not in .pre-commit-hooks.yaml"))
        .clone();
    let pin = format!("doforge@{}", env!("CARGO_PKG_VERSION"));
    if published["language"] == "node" {
        assert_eq!(
            published["additional_dependencies"],
            serde_json::json!([pin]),
            ".pre-commit-hooks.yaml: `{id}` installs the npm package of this version"
        );
    }
    let local = config["repos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["repo"] == "local")
        .flat_map(|r| r["hooks"].as_array().unwrap().iter())
        .find(|h| h["id"] == id);
    let Some(local) = local else {
        return published;
    };
    for key in ["entry", "language", "files", "require_serial"] {
        assert_eq!(
            local[key], published[key],
            "{DOC}: the local hook `{id}`'s `{key}` differs from .pre-commit-hooks.yaml"
        );
    }
    assert_eq!(
        local["additional_dependencies"],
        serde_json::json!([pin]),
        "{DOC}: the local hook `{id}` installs the npm package of this version"
    );
    local.clone()
}

/// `pre-commit install` and `pre-commit run HOOK --files F…`. With
/// `DOFORGE_WALKTHROUGH_PRE_COMMIT=/path/to/pre-commit` (scripts/precommit-smoke.sh sets it, with
/// a registry that serves the npm packages) the real pre-commit runs them; otherwise they are
/// carried out as pre-commit does: the configured hook's `entry` on the files matching `files`.
fn pre_commit(args: &[&str], cwd: &Path, checkout: &Path, bin_dir: &Path) -> i32 {
    let config_text = std::fs::read_to_string(cwd.join(".pre-commit-config.yaml"))
        .expect("pre-commit needs .pre-commit-config.yaml");
    let config: serde_json::Value = serde_norway::from_str(&config_text).unwrap();
    let hooks_text = std::fs::read_to_string(checkout.join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: serde_json::Value = serde_norway::from_str(&hooks_text).unwrap();
    let wanted = configured_hooks(&config);
    let definitions: Vec<serde_json::Value> = wanted
        .iter()
        .map(|h| hook_definition(&config, &hooks, h["id"].as_str().expect("hook id")))
        .collect();
    assert!(
        cwd.join(".git").is_dir(),
        "pre-commit runs in a git repository"
    );
    if let Some(real) = std::env::var_os("DOFORGE_WALKTHROUGH_PRE_COMMIT") {
        let o = Command::new(real)
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap();
        eprintln!(
            "pre-commit {}: exit {:?}\n{}{}",
            args.join(" "),
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        if args.first() == Some(&"run") {
            let stdout = String::from_utf8_lossy(&o.stdout);
            assert!(
                stdout.contains("doforge check"),
                "the real pre-commit did not run the doforge hook:\n{stdout}"
            );
        }
        return o.status.code().unwrap_or(-1);
    }
    match args {
        ["install"] => 0,
        ["run", id, "--files", files @ ..] => {
            let hook = definitions
                .iter()
                .find(|h| h["id"] == *id)
                .unwrap_or_else(|| panic!("hook {id} is not configured"));
            let pattern = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
            let matched: Vec<&&str> = files.iter().filter(|f| pattern.is_match(f)).collect();
            if matched.is_empty() {
                return 0;
            }
            let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
            assert_eq!(entry[0], "doforge");
            let o = Command::new(bin_dir.join("doforge"))
                .args(&entry[1..])
                .args(matched.iter().map(|f| **f))
                .current_dir(cwd)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            o.status.code().unwrap_or(-1)
        }
        other => {
            panic!("the walkthrough uses `pre-commit {other:?}`, which this test does not know")
        }
    }
}

#[test]
fn getting_started_runs_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join(DOC)).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let first_screen: String = readme.lines().take(30).collect::<Vec<_>>().join("\n");
    assert!(
        first_screen.contains("docs/getting-started.md"),
        "the README's first screen links the walkthrough"
    );
    let blocks = blocks(&doc);
    let names: Vec<&str> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Commands { name, .. } => Some(name.as_str()),
            Block::File { .. } => None,
        })
        .collect();
    assert_eq!(
        names,
        ["check", "pre-commit", "init", "import"],
        "{DOC}: the four walkthroughs"
    );

    let bin = PathBuf::from(env!("CARGO_BIN_EXE_doforge"));
    let bin_dir = bin.parent().unwrap().to_path_buf();
    let path_var = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let checkout = tempfile::tempdir().unwrap();
    copy_dir(
        &root.join("tests/fixtures/seeds"),
        &checkout.path().join("tests/fixtures/seeds"),
    );
    std::fs::copy(
        root.join(".pre-commit-hooks.yaml"),
        checkout.path().join(".pre-commit-hooks.yaml"),
    )
    .unwrap();

    let mut ran = 0;
    for block in &blocks {
        match block {
            Block::File { path, text } => {
                let p = checkout.path().join(path);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
            Block::Commands { name, lines } => {
                let mut cwd = checkout.path().to_path_buf();
                for raw in lines {
                    if raw.trim().is_empty() {
                        continue;
                    }
                    let (line, want) = expected_exit(raw);
                    let words: Vec<&str> = line.split_whitespace().collect();
                    let code = match words.as_slice() {
                        ["cd", dir] => {
                            cwd = cwd.join(dir);
                            assert!(cwd.is_dir(), "{name}: cd {dir}: no such directory");
                            0
                        }
                        ["pre-commit", args @ ..] => {
                            pre_commit(args, &cwd, checkout.path(), &bin_dir)
                        }
                        _ => {
                            let o = Command::new("sh")
                                .arg("-c")
                                .arg(&line)
                                .current_dir(&cwd)
                                .env("PATH", &path_var)
                                .env("NO_COLOR", "1")
                                .output()
                                .unwrap();
                            if o.status.code() != Some(want) {
                                panic!(
                                    "{DOC} [{name}]: `{line}` exited {:?}, the doc says {want}\nstdout:\n{}\nstderr:\n{}",
                                    o.status.code(),
                                    String::from_utf8_lossy(&o.stdout),
                                    String::from_utf8_lossy(&o.stderr)
                                );
                            }
                            want
                        }
                    };
                    assert_eq!(code, want, "{DOC} [{name}]: `{line}`");
                    ran += 1;
                }
            }
        }
    }
    assert!(ran >= 15, "only {ran} walkthrough lines ran");
    // What the walkthrough promises it produced.
    let c = checkout.path();
    assert!(c.join("findings.json").is_file());
    assert!(c.join("my-chat/wrangler.jsonc").is_file());
    assert!(c.join("butterfly/blueprint.yaml").is_file());
    assert!(c.join("butterfly/wrangler.jsonc").is_file());
}

#[test]
fn exit_annotations_parse() {
    assert_eq!(
        expected_exit("doforge check x   # exit 1"),
        ("doforge check x".into(), 1)
    );
    assert_eq!(
        expected_exit("doforge check x # a note"),
        ("doforge check x".into(), 0)
    );
    assert_eq!(
        expected_exit("doforge check x"),
        ("doforge check x".into(), 0)
    );
}
