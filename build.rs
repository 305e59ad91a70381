//! Records the commit doforge is built from, for `doforge --version` (env `DOFORGE_COMMIT`).
//!
//! Where it comes from, first match wins:
//! 1. `DOFORGE_COMMIT` in the build environment (release tooling that builds outside git);
//! 2. `git rev-parse HEAD` when building in a git checkout;
//! 3. `.cargo_vcs_info.json`, which `cargo package` writes into the crate: a `cargo install
//!    doforge` from crates.io knows the commit it was packaged from;
//! 4. otherwise `unknown`.
//!
//! No dependencies (the JSON file has one known shape) and no panics: a missing git is not an
//! error, only an unknown commit.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Length of the abbreviated hash shown (12 hex digits, as `git log --oneline` in large repos).
const SHORT: usize = 12;

fn main() {
    println!("cargo:rerun-if-env-changed=DOFORGE_COMMIT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = std::env::var("DOFORGE_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_owned())
        .or_else(|| from_git(&manifest_dir))
        .or_else(|| from_vcs_info(&manifest_dir))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=DOFORGE_COMMIT={commit}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// HEAD of the checkout the manifest lives in, and rebuild triggers for when HEAD moves.
fn from_git(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    // A crate unpacked inside some other repository (cargo's registry under a git-tracked home)
    // is not that repository's commit.
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let sha = git(dir, &["rev-parse", "HEAD"])?;
    // HEAD (checkouts) and its reflog (every commit, reset or checkout appends to it).
    let mut watch = vec![git_path(dir, "HEAD"), git_path(dir, "logs/HEAD")];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        // A ref that is only in packed-refs moves when that file is rewritten.
        watch.push(git_path(dir, &branch));
        watch.push(git_path(dir, "packed-refs"));
    }
    for path in watch.into_iter().flatten() {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    short(&sha)
}

/// Where a file of the repository's git directory is (worktrees keep HEAD apart from refs).
fn git_path(dir: &Path, name: &str) -> Option<String> {
    git(
        dir,
        &["rev-parse", "--path-format=absolute", "--git-path", name],
    )
}

/// `{"git": {"sha1": "…", "dirty": …}, "path_in_vcs": ""}`, written by `cargo package`.
fn from_vcs_info(dir: &Path) -> Option<String> {
    let path = dir.join(".cargo_vcs_info.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(path).ok()?;
    let at = text.find("\"sha1\"")?;
    let rest = text[at + "\"sha1\"".len()..]
        .trim_start()
        .strip_prefix(':')?;
    let value = rest.trim_start().strip_prefix('"')?;
    let sha = &value[..value.find('"')?];
    short(sha)
}

fn short(sha: &str) -> Option<String> {
    (sha.len() >= SHORT && sha.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| sha[..SHORT].to_owned())
}
