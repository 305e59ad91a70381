//! The committed versions of checked files, for `migration-history-rewritten`: as in git's `HEAD`,
//! and as in a base commit — the merge base of `HEAD` with `--base REF`, or by default with the
//! current branch's upstream or else the remote's default branch (`origin/HEAD`), when there is
//! one. The base is what a pull request is compared with in CI, where the edit is committed.
//!
//! Spawning `git show` per file cost about 3 ms of a 5 ms check, and a second per thousand files.
//! Instead, one `git cat-file --batch` per repository answers every file of a run, and it is
//! started as soon as a file that may need it has been read ([`GitHistory::prestart`]), so git's
//! start-up overlaps with parsing and checking. The answers are exactly what `git show
//! HEAD:<file>` prints. Outside a repository nothing is spawned.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

/// Never run more git processes than this in one check (a tree of many repositories falls back to
/// one `git show` per file beyond it).
const MAX_REPOSITORIES: usize = 16;

/// Per-run access to the committed versions of files. Dropping it ends the git processes.
#[derive(Default)]
pub struct GitHistory {
    /// Work-tree root → its batch process (None: git could not be started or died).
    repos: Mutex<HashMap<PathBuf, Option<Batch>>>,
    /// `--base REF` (None: the upstream or the remote's default branch, when there is one).
    base: Option<String>,
    /// Work-tree root → its resolved base commit.
    bases: Mutex<HashMap<PathBuf, Base>>,
}

/// The base commit of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Base {
    /// No base to compare with (none configured, or it is `HEAD` itself).
    None,
    Commit {
        oid: String,
        label: String,
    },
    /// `--base REF` was given but does not resolve here.
    Unresolved {
        reference: String,
        why: String,
    },
}

/// What a file looked like in the base commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseText {
    /// No base, or the file is not in it.
    None,
    /// The file's text there, and how to name the base in messages ("merge base with
    /// origin/main").
    Text { label: String, text: String },
    /// `--base REF` does not resolve in the file's repository (a typo, or a shallow clone
    /// without the base's history): a CI gate must not pass silently.
    Unresolved { reference: String, why: String },
}

impl std::fmt::Debug for GitHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GitHistory")
    }
}

impl GitHistory {
    pub fn new() -> GitHistory {
        GitHistory::default()
    }

    /// Compare with the merge base of `HEAD` and `base` (None: the default base).
    pub fn with_base(base: Option<String>) -> GitHistory {
        GitHistory {
            base,
            ..GitHistory::default()
        }
    }

    /// The text of `path` in the base commit of its repository.
    pub fn base_text(&self, path: &Path) -> BaseText {
        let Some((root, relative)) = locate(path) else {
            return BaseText::None;
        };
        let base = {
            let mut bases = self.bases.lock().unwrap_or_else(|e| e.into_inner());
            bases
                .entry(root.clone())
                .or_insert_with(|| resolve_base(&root, self.base.as_deref()))
                .clone()
        };
        match base {
            Base::None => BaseText::None,
            Base::Unresolved { reference, why } => BaseText::Unresolved { reference, why },
            Base::Commit { oid, label } => match self.text_at(&root, &relative, path, &oid) {
                Some(text) => BaseText::Text { label, text },
                None => BaseText::None,
            },
        }
    }

    /// Start git for the repository holding `path`, if any, without waiting for it.
    pub fn prestart(&self, path: &Path) {
        if let Some((root, _)) = locate(path) {
            let mut repos = self.repos.lock().unwrap_or_else(|e| e.into_inner());
            if repos.len() < MAX_REPOSITORIES {
                repos
                    .entry(root.clone())
                    .or_insert_with(|| Batch::spawn(&root));
            }
        }
    }

    /// The text of `path` as committed in `HEAD`; None outside a repository, for an untracked
    /// file, a file that is not UTF-8, or when git is not installed.
    pub fn committed_text(&self, path: &Path) -> Option<String> {
        let (root, relative) = locate(path)?;
        self.text_at(&root, &relative, path, "HEAD")
    }

    /// The text of `relative` (in the work tree at `root`) at commit `rev`.
    fn text_at(&self, root: &Path, relative: &str, path: &Path, rev: &str) -> Option<String> {
        let bytes = {
            let mut repos = self.repos.lock().unwrap_or_else(|e| e.into_inner());
            if !repos.contains_key(root) && repos.len() >= MAX_REPOSITORIES {
                drop(repos);
                return show(path, rev);
            }
            let slot = repos
                .entry(root.to_owned())
                .or_insert_with(|| Batch::spawn(root));
            let batch = slot.as_mut()?;
            match batch.blob(rev, relative) {
                Ok(found) => found,
                Err(_) => {
                    // The process died (e.g. git refused the repository): as if untracked.
                    *slot = None;
                    None
                }
            }
        }?;
        String::from_utf8(bytes).ok()
    }
}

/// The work-tree root holding `path` (the nearest ancestor with a `.git` directory or file, the
/// way git discovers it; we clear `GIT_DIR`) and `path` relative to it, `/`-separated.
fn locate(path: &Path) -> Option<(PathBuf, String)> {
    let name = path.file_name()?.to_str()?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Resolve symlinks as git does, so the right repository answers.
    let dir = std::fs::canonicalize(dir).ok()?;
    let root = dir.ancestors().find(|d| d.join(".git").exists())?;
    let mut relative = String::new();
    for part in dir.strip_prefix(root).ok()?.components() {
        relative.push_str(part.as_os_str().to_str()?);
        relative.push('/');
    }
    relative.push_str(name);
    // The batch protocol is line-based.
    if relative.contains(['\n', '\r']) {
        return None;
    }
    Some((root.to_owned(), relative))
}

/// A running `git cat-file --batch`.
struct Batch {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Batch {
    fn spawn(root: &Path) -> Option<Batch> {
        let mut child = git(root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .ok()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take()?);
        Some(Batch {
            child,
            stdin,
            stdout,
        })
    }

    /// The blob at `<rev>:<relative>` (None when there is none).
    fn blob(&mut self, rev: &str, relative: &str) -> std::io::Result<Option<Vec<u8>>> {
        let stdin = self.stdin.as_mut().ok_or(std::io::ErrorKind::BrokenPipe)?;
        writeln!(stdin, "{rev}:{relative}")?;
        stdin.flush()?;
        let mut header = String::new();
        if self.stdout.read_line(&mut header)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        // `<oid> <type> <size>`, or `<object> missing` / `<object> ambiguous`.
        let mut fields = header.split_whitespace().rev();
        let (Some(size), Some(kind)) = (fields.next(), fields.next()) else {
            return Ok(None);
        };
        let Ok(size) = size.parse::<usize>() else {
            return Ok(None);
        };
        let mut content = vec![0; size + 1]; // the content, then a newline
        self.stdout.read_exact(&mut content)?;
        content.pop();
        Ok((kind == "blob").then_some(content))
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        // Closing stdin ends git; wait so no zombie is left.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// `git -C <dir>` in the file's own repository, whatever the caller's git environment says.
fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// The output of `git <args>` in `root`, trimmed; None when it fails.
fn git_line(root: &Path, args: &[&str]) -> Option<String> {
    let out = git(root).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let line = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!line.is_empty()).then_some(line)
}

/// The base commit of the repository at `root`: the merge base of `HEAD` with `explicit`, or
/// with the upstream of the current branch, else with the remote's default branch.
fn resolve_base(root: &Path, explicit: Option<&str>) -> Base {
    let Some(head) = git_line(root, &["rev-parse", "--verify", "-q", "HEAD^{commit}"]) else {
        // No commit yet: nothing was committed, so nothing can have been rewritten.
        return Base::None;
    };
    let reference = match explicit {
        Some(r) => r.to_owned(),
        None => {
            let upstream = git_line(
                root,
                &[
                    "rev-parse",
                    "--abbrev-ref",
                    "--symbolic-full-name",
                    "@{upstream}",
                ],
            );
            let default = || {
                git_line(
                    root,
                    &["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"],
                )
            };
            match upstream.or_else(default) {
                Some(r) => r,
                None => return Base::None,
            }
        }
    };
    let unresolved = |why: &str| {
        if explicit.is_some() {
            Base::Unresolved {
                reference: reference.clone(),
                why: why.to_owned(),
            }
        } else {
            Base::None
        }
    };
    // `--end-of-options`: a reference is never read as an option.
    let commit = format!("{reference}^{{commit}}");
    if git_line(
        root,
        &["rev-parse", "--verify", "-q", "--end-of-options", &commit],
    )
    .is_none()
    {
        return unresolved(&format!(
            "no commit named `{reference}` in the repository at {}",
            root.display()
        ));
    }
    let Some(oid) = git_line(
        root,
        &["merge-base", "--end-of-options", "HEAD", &reference],
    ) else {
        return unresolved(&format!(
            "`{reference}` and HEAD have no common history in the repository at {} (a shallow \
             clone? fetch the base's history, e.g. actions/checkout with `fetch-depth: 0`)",
            root.display()
        ));
    };
    if oid == head {
        // HEAD is the base (checking the base branch itself): the HEAD comparison covers it.
        return Base::None;
    }
    Base::Commit {
        oid,
        label: format!("merge base with {reference}"),
    }
}

/// One `git show <rev>:./<name>` (beyond [`MAX_REPOSITORIES`]).
fn show(path: &Path, rev: &str) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let out = git(dir)
        .arg("show")
        .arg(format!("{rev}:./{name}"))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_repository_nothing_is_found_or_spawned() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wrangler.toml");
        std::fs::write(&file, "name = \"x\"\n").unwrap();
        let history = GitHistory::new();
        history.prestart(&file);
        // A temp dir may sit inside some repository on a developer machine; only then git runs.
        if locate(&file).is_none() {
            assert!(history.repos.lock().unwrap().is_empty());
            assert_eq!(history.committed_text(&file), None);
        }
        assert_eq!(
            history.committed_text(Path::new("/nonexistent-doforge/wrangler.toml")),
            None
        );
    }
}
