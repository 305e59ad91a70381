//! Applying a [`Plan`] to an output directory.
//!
//! For each planned file: absent → created; identical → unchanged; different and on disk exactly
//! what doforge wrote last time (hash in the previous lock) → updated; different and *not* what
//! doforge wrote → the user edited it: left alone and reported, unless `--force`.
//!
//! Writing is two-phase: every changed file is first written to a temporary file beside its
//! target; only when all of them are staged are they renamed into place (and the lock last). A
//! failure while staging removes the temporaries and leaves the output directory's files as they
//! were. `--dry-run` and `--check` never write.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::layout::safe_relative_path;
use super::lock::{sha256_hex, Lock, LOCK_FILE};
use super::Plan;

/// What `apply` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write; with `force`, also overwrite files the user edited.
    Write { force: bool },
    /// Report what would change.
    DryRun,
    /// Report drift between the directory and the plan (for CI).
    Check,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Update,
    Unchanged,
    /// The user edited the file since doforge wrote it; kept (regenerate with `--force`).
    KeptUserEdit,
    /// The user edited the file and `--force` replaces it.
    OverwriteUserEdit,
}

impl ChangeKind {
    pub fn verb(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::KeptUserEdit => "keep (edited by you)",
            ChangeKind::OverwriteUserEdit => "overwrite (edited by you, --force)",
        }
    }
    /// Does the directory differ from the plan here?
    pub fn is_drift(self) -> bool {
        !matches!(self, ChangeKind::Unchanged)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub changes: Vec<Change>,
    /// The lock as written (or as it would be).
    pub lock_changed: bool,
}

impl Applied {
    pub fn drift(&self) -> bool {
        self.lock_changed || self.changes.iter().any(|c| c.kind.is_drift())
    }
    pub fn kept_user_edits(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.kind == ChangeKind::KeptUserEdit)
    }
}

/// Compare `plan` with `out` and, in [`Mode::Write`], make `out` match it.
pub fn apply(
    plan: &Plan,
    out: &Path,
    previous: Option<&Lock>,
    mode: Mode,
) -> Result<Applied, String> {
    check_out_dir(out)?;
    let mut lock = plan.lock.clone();
    let mut applied = Applied::default();
    let mut writes: Vec<(PathBuf, &str)> = Vec::new();
    for file in &plan.files {
        if !safe_relative_path(&file.path) {
            return Err(format!(
                "refusing to write outside the output directory: {:?}",
                file.path
            ));
        }
        let target = out.join(&file.path);
        check_no_symlink_between(out, &target)?;
        let kind = match fs::symlink_metadata(&target) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ChangeKind::Create,
            Err(e) => return Err(format!("cannot read {}: {e}", target.display())),
            Ok(meta) if !meta.is_file() => {
                return Err(format!(
                    "{} is in the way: doforge would write a file there, but it is a {}",
                    target.display(),
                    if meta.is_dir() {
                        "directory"
                    } else {
                        "symlink or special file"
                    }
                ))
            }
            Ok(_) => {
                let on_disk = fs::read(&target)
                    .map_err(|e| format!("cannot read {}: {e}", target.display()))?;
                if on_disk == file.content.as_bytes() {
                    ChangeKind::Unchanged
                } else {
                    let ours = previous
                        .and_then(|l| l.files.get(&file.path))
                        .is_some_and(|f| f.sha256 == sha256_hex(&on_disk));
                    match (ours, mode) {
                        (true, _) => ChangeKind::Update,
                        (false, Mode::Write { force: true }) => ChangeKind::OverwriteUserEdit,
                        (false, _) => ChangeKind::KeptUserEdit,
                    }
                }
            }
        };
        if kind == ChangeKind::KeptUserEdit {
            // The lock keeps describing what doforge last wrote, so a later run still sees the
            // file as edited (and --force can replace it).
            match previous.and_then(|l| l.files.get(&file.path)) {
                Some(old) => {
                    lock.files.insert(file.path.clone(), old.clone());
                }
                None => {
                    lock.files.remove(&file.path);
                }
            }
        }
        if matches!(
            kind,
            ChangeKind::Create | ChangeKind::Update | ChangeKind::OverwriteUserEdit
        ) {
            writes.push((target, &file.content));
        }
        applied.changes.push(Change {
            path: file.path.clone(),
            kind,
        });
    }
    let lock_text = lock.to_text();
    let lock_path = out.join(LOCK_FILE);
    applied.lock_changed = fs::read_to_string(&lock_path).map_or(true, |t| t != lock_text);
    if let Mode::Write { .. } = mode {
        if applied.lock_changed {
            writes.push((lock_path, &lock_text));
        }
        commit(out, &writes)?;
    }
    Ok(applied)
}

/// The output directory must be a real directory (or not exist yet): never a file or a symlink.
pub fn check_out_dir(out: &Path) -> Result<(), String> {
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot use {} as output directory: {e}", out.display())),
        Ok(m) if m.file_type().is_symlink() => Err(format!(
            "{} is a symlink; pass the real directory as --out (doforge never writes through symlinks)",
            out.display()
        )),
        Ok(m) if !m.is_dir() => Err(format!("--out {} is a file, not a directory", out.display())),
        Ok(_) => Ok(()),
    }
}

/// No directory between `out` and `target` may be a symlink (it could point anywhere).
fn check_no_symlink_between(out: &Path, target: &Path) -> Result<(), String> {
    let mut dir = target.parent();
    while let Some(d) = dir {
        if d == out {
            break;
        }
        if let Ok(m) = fs::symlink_metadata(d) {
            if m.file_type().is_symlink() {
                return Err(format!(
                    "{} is a symlink; doforge never writes through symlinks",
                    d.display()
                ));
            }
            if !m.is_dir() {
                return Err(format!(
                    "{} is in the way: doforge needs a directory there",
                    d.display()
                ));
            }
        }
        dir = d.parent();
    }
    Ok(())
}

/// Stage every write as a temporary file beside its target, then swap them all into place. Any
/// failure, in either phase, undoes what was done: the output directory is left exactly as it was
/// (same files, same contents, no new directories, no temporaries).
fn commit(out: &Path, writes: &[(PathBuf, &str)]) -> Result<(), String> {
    let mut tx = Transaction::default();
    match tx.stage_all(out, writes).and_then(|_| tx.swap_all()) {
        Ok(()) => {
            tx.finish();
            Ok(())
        }
        Err(e) => Err(match tx.roll_back() {
            Ok(()) => e,
            Err(undo) => format!("{e}; and undoing the partial write failed: {undo}"),
        }),
    }
}

/// What a [`commit`] has done so far, so it can be undone.
#[derive(Default)]
struct Transaction {
    /// Directories created, parents first.
    created_dirs: Vec<PathBuf>,
    /// (temporary, target), in write order (a temporary already renamed into place is gone).
    staged: Vec<(PathBuf, PathBuf)>,
    /// Targets swapped in so far, with where the previous file was moved (None: there was none).
    swapped: Vec<(PathBuf, Option<PathBuf>)>,
}

impl Transaction {
    fn stage_all(&mut self, out: &Path, writes: &[(PathBuf, &str)]) -> Result<(), String> {
        for (target, content) in writes {
            let dir = target.parent().unwrap_or(out);
            self.create_dirs(dir)?;
            let tmp = sibling(target, "doforge-tmp");
            fault_point()
                .and_then(|_| fs::File::create(&tmp))
                .and_then(|mut f| {
                    self.staged.push((tmp.clone(), target.clone()));
                    fault_point()?;
                    f.write_all(content.as_bytes())?;
                    f.sync_all()
                })
                .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        }
        Ok(())
    }

    /// `create_dir_all`, remembering each directory it makes.
    fn create_dirs(&mut self, dir: &Path) -> Result<(), String> {
        let missing: Vec<&Path> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .collect();
        for d in missing.into_iter().rev() {
            fault_point()
                .and_then(|_| fs::create_dir(d))
                .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
            self.created_dirs.push(d.to_owned());
        }
        Ok(())
    }

    /// Move each previous file aside, then the staged one into place.
    fn swap_all(&mut self) -> Result<(), String> {
        for (tmp, target) in &self.staged {
            let backup = if target.exists() {
                let backup = sibling(target, "doforge-old");
                fault_point()
                    .and_then(|_| fs::rename(target, &backup))
                    .map_err(|e| format!("cannot replace {}: {e}", target.display()))?;
                Some(backup)
            } else {
                None
            };
            self.swapped.push((target.clone(), backup));
            fault_point()
                .and_then(|_| fs::rename(tmp, target))
                .map_err(|e| format!("cannot replace {}: {e}", target.display()))?;
        }
        Ok(())
    }

    /// Everything is in place: drop the previous files.
    fn finish(self) {
        for (_, backup) in self.swapped {
            if let Some(b) = backup {
                let _ = fs::remove_file(b);
            }
        }
    }

    /// Put every previous file back, remove temporaries and the directories we created.
    fn roll_back(self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (target, backup) in self.swapped.into_iter().rev() {
            let undone = match &backup {
                Some(b) => fs::rename(b, &target),
                None => fs::remove_file(&target).or_else(not_found_is_ok),
            };
            if let Err(e) = undone {
                problems.push(match backup {
                    Some(b) => format!(
                        "{} (its previous content is in {}): {e}",
                        target.display(),
                        b.display()
                    ),
                    None => format!("{}: {e}", target.display()),
                });
            }
        }
        for (tmp, _) in self.staged {
            if let Err(e) = fs::remove_file(&tmp).or_else(not_found_is_ok) {
                problems.push(format!("{}: {e}", tmp.display()));
            }
        }
        for d in self.created_dirs.iter().rev() {
            if let Err(e) = fs::remove_dir(d) {
                problems.push(format!("{}: {e}", d.display()));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

fn not_found_is_ok(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// A hidden file beside `target` for this process: `.<name>.<what>-<pid>`.
fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

#[cfg(test)]
thread_local! {
    /// Tests: fail the n-th filesystem change of a commit (0 = the first), to prove every failure
    /// point is undone. Root ignores permissions, so real read-only directories cannot do this.
    static FAIL_AT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Called before each filesystem change a commit makes.
fn fault_point() -> std::io::Result<()> {
    #[cfg(test)]
    {
        if let Some(n) = FAIL_AT.get() {
            FAIL_AT.set(n.checked_sub(1));
            if n == 0 {
                return Err(std::io::Error::other("injected failure"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Owner, PlannedFile};

    fn plan(files: &[(&str, &str)]) -> Plan {
        let mut lock = Lock::new();
        let files: Vec<PlannedFile> = files
            .iter()
            .map(|(p, c)| PlannedFile {
                path: (*p).to_owned(),
                content: (*c).to_owned(),
                owner: Owner::Doforge,
            })
            .collect();
        for f in &files {
            lock.files.insert(
                f.path.clone(),
                crate::generate::LockFile {
                    sha256: sha256_hex(f.content.as_bytes()),
                    owner: "doforge".into(),
                },
            );
        }
        Plan { files, lock }
    }

    fn kinds(a: &Applied) -> Vec<ChangeKind> {
        a.changes.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn create_update_keep_user_edits_and_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let p1 = plan(&[("a.txt", "one"), ("w/b.txt", "two")]);
        let a = apply(&p1, out, None, Mode::Write { force: false }).unwrap();
        assert_eq!(kinds(&a), [ChangeKind::Create, ChangeKind::Create]);
        assert_eq!(fs::read_to_string(out.join("w/b.txt")).unwrap(), "two");
        let lock1 = Lock::read(out).unwrap().unwrap();

        // Same plan: nothing to do, no drift.
        let a = apply(&p1, out, Some(&lock1), Mode::Check).unwrap();
        assert!(!a.drift(), "{a:?}");

        // New content for a file doforge wrote: updated.
        let p2 = plan(&[("a.txt", "one v2"), ("w/b.txt", "two")]);
        let a = apply(&p2, out, Some(&lock1), Mode::Write { force: false }).unwrap();
        assert_eq!(kinds(&a), [ChangeKind::Update, ChangeKind::Unchanged]);
        let lock2 = Lock::read(out).unwrap().unwrap();

        // A hand edit is kept and reported; --check sees drift; --force replaces it.
        fs::write(out.join("w/b.txt"), "mine").unwrap();
        let p3 = plan(&[("a.txt", "one v2"), ("w/b.txt", "two v3")]);
        assert!(apply(&p3, out, Some(&lock2), Mode::Check).unwrap().drift());
        let a = apply(&p3, out, Some(&lock2), Mode::Write { force: false }).unwrap();
        assert_eq!(kinds(&a), [ChangeKind::Unchanged, ChangeKind::KeptUserEdit]);
        assert_eq!(fs::read_to_string(out.join("w/b.txt")).unwrap(), "mine");
        let lock3 = Lock::read(out).unwrap().unwrap();
        assert_eq!(
            lock3.files["w/b.txt"], lock2.files["w/b.txt"],
            "the lock still describes doforge's last write"
        );
        let a = apply(&p3, out, Some(&lock3), Mode::Write { force: true }).unwrap();
        assert_eq!(
            kinds(&a),
            [ChangeKind::Unchanged, ChangeKind::OverwriteUserEdit]
        );
        assert_eq!(fs::read_to_string(out.join("w/b.txt")).unwrap(), "two v3");
    }

    /// Every path under `dir` with its content (None for a directory), sorted.
    fn tree(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
        let mut all = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                if p.is_dir() {
                    all.push((rel, None));
                    stack.push(p);
                } else {
                    all.push((rel, Some(fs::read(&p).unwrap())));
                }
            }
        }
        all.sort();
        all
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_directory_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let p1 = plan(&[("a.txt", "one"), ("w/b.txt", "two"), ("w/c.txt", "three")]);
        apply(&p1, &out, None, Mode::Write { force: false }).unwrap();
        let lock1 = Lock::read(&out).unwrap().unwrap();
        fs::write(out.join("notes.md"), "the user's own file").unwrap();
        // Updates, an unchanged file, new files in new nested directories, a new lock.
        let p2 = plan(&[
            ("a.txt", "one v2"),
            ("w/b.txt", "two"),
            ("w/c.txt", "three v2"),
            ("x/y/d.txt", "four"),
            ("x/e.txt", "five"),
        ]);
        let before = tree(&out);
        let mut step = 0;
        loop {
            FAIL_AT.set(Some(step));
            let result = apply(&p2, &out, Some(&lock1), Mode::Write { force: false });
            FAIL_AT.set(None);
            match result {
                Err(e) => {
                    assert!(e.contains("injected failure"), "{e}");
                    assert_eq!(tree(&out), before, "failure at step {step} left a trace");
                }
                Ok(_) => break,
            }
            step += 1;
        }
        // 2 new dirs + 5 writes (4 files, the lock) × (create, write) + 5 renames + 3 moved aside.
        assert!(step >= 20, "only {step} failure points were exercised");
        assert_eq!(fs::read_to_string(out.join("x/y/d.txt")).unwrap(), "four");
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "one v2");
        let after: Vec<String> = tree(&out).into_iter().map(|(p, _)| p).collect();
        assert!(
            after
                .iter()
                .all(|p| !p.contains("doforge-tmp") && !p.contains("doforge-old")),
            "{after:?}"
        );
    }

    #[test]
    fn dry_run_and_check_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let p = plan(&[("a.txt", "one")]);
        for mode in [Mode::DryRun, Mode::Check] {
            let a = apply(&p, &out, None, mode).unwrap();
            assert!(a.drift());
            assert!(!out.exists());
        }
    }

    #[test]
    fn hostile_output_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        let p = plan(&[("a.txt", "one")]);
        assert!(apply(&p, &file, None, Mode::Write { force: false })
            .unwrap_err()
            .contains("is a file"));

        #[cfg(unix)]
        {
            let real = dir.path().join("real");
            fs::create_dir(&real).unwrap();
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&real, &link).unwrap();
            assert!(apply(&p, &link, None, Mode::Write { force: false })
                .unwrap_err()
                .contains("symlink"));
            let out = dir.path().join("out");
            fs::create_dir(&out).unwrap();
            std::os::unix::fs::symlink(&real, out.join("w")).unwrap();
            let nested = plan(&[("w/b.txt", "two")]);
            assert!(apply(&nested, &out, None, Mode::Write { force: false })
                .unwrap_err()
                .contains("symlink"));
        }

        let out = dir.path().join("out2");
        fs::create_dir_all(out.join("a.txt")).unwrap();
        let err = apply(&p, &out, None, Mode::Write { force: false }).unwrap_err();
        assert!(err.contains("is in the way"), "{err}");
        assert_eq!(
            fs::read_dir(&out).unwrap().count(),
            1,
            "nothing else was written"
        );

        let escaping = plan(&[("../x.txt", "no")]);
        assert!(apply(&escaping, &out, None, Mode::Write { force: false }).is_err());
    }
}
