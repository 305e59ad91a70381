//! The two-phase write of [`super::write::apply`]: every changed file is staged as a temporary
//! beside its target, then all are swapped into place (files to remove are moved aside in the
//! same phase). Any failure, in either phase, undoes what was done.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Stage every write as a temporary file beside its target, then swap them all into place. Any
/// failure, in either phase, undoes what was done: the output directory is left exactly as it was
/// (same files, same contents, no new directories, no temporaries).
pub(super) fn commit(
    out: &Path,
    writes: &[(PathBuf, &str)],
    removes: &[PathBuf],
) -> Result<(), String> {
    let mut tx = Transaction::default();
    match tx
        .stage_all(out, writes)
        .and_then(|_| tx.swap_all())
        .and_then(|_| tx.remove_all(removes))
    {
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
    /// Files removed so far, with where they were moved aside.
    removed: Vec<(PathBuf, PathBuf)>,
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

    /// Move each file to remove aside (deleted by [`Self::finish`], put back by a roll-back).
    fn remove_all(&mut self, removes: &[PathBuf]) -> Result<(), String> {
        for target in removes {
            let backup = sibling(target, "doforge-old");
            fault_point()
                .and_then(|_| fs::rename(target, &backup))
                .map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
            self.removed.push((target.clone(), backup));
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
        for (_, backup) in self.removed {
            let _ = fs::remove_file(backup);
        }
    }

    /// Put every previous file back, remove temporaries and the directories we created.
    fn roll_back(self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (target, backup) in self.removed.into_iter().rev() {
            if let Err(e) = fs::rename(&backup, &target) {
                problems.push(format!(
                    "{} (its content is in {}): {e}",
                    target.display(),
                    backup.display()
                ));
            }
        }
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
    pub(super) static FAIL_AT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Called before each filesystem change a commit makes.
pub(super) fn fault_point() -> std::io::Result<()> {
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
