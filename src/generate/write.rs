//! Applying a [`Plan`] to an output directory: who owns each file decides what happens to it.
//!
//! * A **doforge** file is rewritten whenever its content changes — if what is on disk is what
//!   doforge wrote last time (its hash is in the lock). Edited by hand, it is *refused*: the
//!   edit would be lost or frozen, so nothing is written and the diff is reported (`--force`
//!   discards the edit).
//! * A **user** file (`src/app.rs`, a `custom` body, an ejected class) is written when missing
//!   and never touched again; it may differ from its first version without drift. A doforge file
//!   that becomes the user's (`doforge eject`) is handed over as it is on disk (updated first if
//!   it was doforge's unedited last version).
//! * A file the lock lists that the plan no longer has is removed when unedited; edited, it is
//!   refused (`--force`: a doforge file is removed, a user file left in place and forgotten).
//! * A file in the way that doforge never wrote (no lock entry) is refused unless `--adopt`;
//!   a second wrangler config beside the one doforge writes is always refused.
//!
//! Writing is two-phase ([`super::transaction`]): a failure leaves the directory as it was.
//! `--dry-run` and `--check` never write.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::layout::safe_relative_path;
use super::lock::{sha256_hex, Lock, LockFile, LOCK_FILE, OWNER_DOFORGE, OWNER_USER};
use super::transaction::commit;
use super::{Owner, Plan};

/// What `apply` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Make the directory match the plan (unless something is refused).
    Write,
    /// Report what would change.
    DryRun,
    /// Report drift between the directory and the plan (for CI).
    Check,
}

/// What the user allows besides the safe changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Policy {
    /// `--force`: discard edits of doforge's files (replace, or remove when no longer generated),
    /// replace an edited user file the blueprint gives back to doforge, and forget an edited user
    /// file no longer part of the project (left on disk).
    pub force: bool,
    /// `--adopt`: replace files doforge never wrote where it writes its own.
    pub adopt: bool,
    /// Replace edited user files that become doforge's (`eject --undo --force`; implied by
    /// `force`).
    pub reclaim: bool,
}

/// Why a change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// A doforge file edited by hand.
    EditedDoforge,
    /// A doforge file no longer generated, edited by hand.
    EditedOrphan,
    /// A user file no longer part of the project (its class renamed, deleted, …), edited.
    EditedUserOrphan,
    /// A user file, edited, that the blueprint now has doforge generate.
    ReclaimEdited,
    /// A file doforge never wrote, where it would write one.
    Foreign,
    /// A second wrangler config beside the one doforge writes.
    CompetingConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Update,
    Unchanged,
    /// A user file that differs from its first version: yours, kept.
    Yours,
    /// Handed to the user now (ejected): from now on theirs.
    HandOver,
    /// No longer generated, unedited: removed.
    Remove,
    /// An edited file replaced (`--force`).
    Overwrite,
    /// An edited doforge file no longer generated, removed (`--force`).
    RemoveEdited,
    /// An edited user file no longer part of the project: left on disk, forgotten (`--force`).
    Forget,
    /// A file doforge never wrote, replaced (`--adopt`).
    Adopt,
    /// Refused: nothing is written.
    Refused(Conflict),
}

impl ChangeKind {
    pub fn verb(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Yours => "keep (yours)",
            ChangeKind::HandOver => "eject (yours now)",
            ChangeKind::Remove => "remove (no longer generated)",
            ChangeKind::Overwrite => "overwrite (your edit, --force)",
            ChangeKind::RemoveEdited => "remove (your edit, --force)",
            ChangeKind::Forget => "leave (yours, no longer compiled, --force)",
            ChangeKind::Adopt => "adopt (replace, --adopt)",
            ChangeKind::Refused(Conflict::EditedDoforge) => "refuse (doforge's file, edited)",
            ChangeKind::Refused(Conflict::EditedOrphan) => "refuse (no longer generated, edited)",
            ChangeKind::Refused(Conflict::EditedUserOrphan) => "refuse (yours, no longer compiled)",
            ChangeKind::Refused(Conflict::ReclaimEdited) => "refuse (yours, would be replaced)",
            ChangeKind::Refused(Conflict::Foreign) => "refuse (not written by doforge)",
            ChangeKind::Refused(Conflict::CompetingConfig) => "refuse (second wrangler config)",
        }
    }
    /// Does the directory differ from the plan here?
    pub fn is_drift(self) -> bool {
        !matches!(self, ChangeKind::Unchanged | ChangeKind::Yours)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
    /// For an edited doforge file: the diff from what doforge generates to what is on disk.
    pub diff: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub changes: Vec<Change>,
    /// The lock differs from the one on disk (it was written, unless refused or not `Write`).
    pub lock_changed: bool,
    /// The lock as written (or as it would be).
    pub lock: Lock,
}

impl Applied {
    pub fn drift(&self) -> bool {
        self.lock_changed || self.changes.iter().any(|c| c.kind.is_drift())
    }
    /// The refused changes: when there is one, nothing was written.
    pub fn refused(&self) -> impl Iterator<Item = (&Change, Conflict)> {
        self.changes.iter().filter_map(|c| match c.kind {
            ChangeKind::Refused(why) => Some((c, why)),
            _ => None,
        })
    }
}

/// A file on disk: its content, or None when absent.
fn read_target(target: &Path) -> Result<Option<Vec<u8>>, String> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", target.display())),
        Ok(meta) if !meta.is_file() => Err(format!(
            "{} is in the way: doforge would write a file there, but it is a {}",
            target.display(),
            if meta.is_dir() {
                "directory"
            } else {
                "symlink or special file"
            }
        )),
        Ok(_) => fs::read(target)
            .map(Some)
            .map_err(|e| format!("cannot read {}: {e}", target.display())),
    }
}

/// The diff from what doforge generates to what is on disk (bounded: a rewritten file's diff is
/// cut after 120 lines).
fn edit_diff(path: &str, generated: &str, on_disk: &[u8]) -> String {
    const MAX_LINES: usize = 120;
    let disk = String::from_utf8_lossy(on_disk);
    let diff = similar::TextDiff::from_lines(generated, disk.as_ref());
    let text = diff
        .unified_diff()
        .context_radius(2)
        .missing_newline_hint(true)
        .header(
            &format!("{path} (what doforge generates)"),
            &format!("{path} (on disk)"),
        )
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines[..lines.len().min(MAX_LINES)].join("\n");
    out.push('\n');
    if lines.len() > MAX_LINES {
        out.push_str(&format!("… {} more diff lines\n", lines.len() - MAX_LINES));
    }
    out
}

/// Compare `plan` with `out` and, in [`Mode::Write`], make `out` match it — unless a change is
/// refused, in which case nothing is written.
pub fn apply(
    plan: &Plan,
    out: &Path,
    previous: Option<&Lock>,
    mode: Mode,
    policy: Policy,
) -> Result<Applied, String> {
    check_out_dir(out)?;
    let reclaim = policy.reclaim || policy.force;
    let prev_files: BTreeMap<String, LockFile> =
        previous.map(|l| l.files.clone()).unwrap_or_default();
    let mut lock = plan.lock.clone();
    let mut applied = Applied::default();
    let mut writes: Vec<(PathBuf, &str)> = Vec::new();
    let mut removes: Vec<PathBuf> = Vec::new();
    let planned: BTreeSet<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    let ejected: BTreeSet<&str> = plan
        .lock
        .workers
        .values()
        .flat_map(|w| w.ejected.values())
        .flat_map(|e| e.files.iter().map(String::as_str))
        .collect();
    for file in &plan.files {
        if !safe_relative_path(&file.path) {
            return Err(format!(
                "refusing to write outside the output directory: {:?}",
                file.path
            ));
        }
        let target = out.join(&file.path);
        check_no_symlink_between(out, &target)?;
        let disk = read_target(&target)?;
        let prev = prev_files.get(&file.path);
        let unedited = |d: &[u8]| prev.is_some_and(|p| p.sha256 == sha256_hex(d));
        let mut diff = None;
        let kind = match (&disk, file.owner, prev) {
            (None, _, _) => ChangeKind::Create,
            // A class's code doforge wrote, ejected now: the user's from now on, as it is.
            (Some(d), Owner::User, Some(p))
                if p.owner == OWNER_DOFORGE && ejected.contains(file.path.as_str()) =>
            {
                let written = if unedited(d) {
                    file.content.as_bytes()
                } else {
                    d.as_slice()
                };
                lock.files.insert(
                    file.path.clone(),
                    LockFile {
                        sha256: sha256_hex(written),
                        owner: OWNER_USER.to_owned(),
                    },
                );
                if unedited(d) && d != file.content.as_bytes() {
                    writes.push((target.clone(), &file.content));
                }
                ChangeKind::HandOver
            }
            // doforge's code replaced by a file written once (a class turned `custom`).
            (Some(d), Owner::User, Some(p)) if p.owner == OWNER_DOFORGE => {
                if unedited(d) {
                    ChangeKind::Update
                } else if policy.force {
                    ChangeKind::Overwrite
                } else {
                    diff = Some(edit_diff(&file.path, &file.content, d));
                    ChangeKind::Refused(Conflict::EditedDoforge)
                }
            }
            (Some(d), Owner::User, p) => {
                // The lock keeps the first version (what doforge wrote or handed over).
                let first = p.cloned().unwrap_or_else(|| LockFile {
                    sha256: sha256_hex(d),
                    owner: OWNER_USER.to_owned(),
                });
                lock.files.insert(
                    file.path.clone(),
                    LockFile {
                        owner: OWNER_USER.to_owned(),
                        ..first
                    },
                );
                if d == file.content.as_bytes() {
                    ChangeKind::Unchanged
                } else {
                    ChangeKind::Yours
                }
            }
            (Some(d), Owner::Doforge, _) if d == file.content.as_bytes() => ChangeKind::Unchanged,
            (Some(d), Owner::Doforge, Some(p)) => {
                let yours = p.owner == OWNER_USER;
                if unedited(d) {
                    ChangeKind::Update
                } else if (yours && reclaim) || (!yours && policy.force) {
                    ChangeKind::Overwrite
                } else {
                    diff = Some(edit_diff(&file.path, &file.content, d));
                    ChangeKind::Refused(if yours {
                        Conflict::ReclaimEdited
                    } else {
                        Conflict::EditedDoforge
                    })
                }
            }
            (Some(_), Owner::Doforge, None) if policy.adopt => ChangeKind::Adopt,
            (Some(_), Owner::Doforge, None) => ChangeKind::Refused(Conflict::Foreign),
        };
        if matches!(
            kind,
            ChangeKind::Create | ChangeKind::Update | ChangeKind::Overwrite | ChangeKind::Adopt
        ) {
            writes.push((target, &file.content));
        }
        applied.changes.push(Change {
            path: file.path.clone(),
            kind,
            diff,
        });
    }
    // Files the previous generation wrote that this one does not.
    for (path, p) in &prev_files {
        if planned.contains(path.as_str()) || !safe_relative_path(path) {
            continue;
        }
        let target = out.join(path);
        check_no_symlink_between(out, &target)?;
        let Some(d) = read_target(&target)? else {
            continue;
        };
        let edited = p.sha256 != sha256_hex(&d);
        let kind = match (edited, p.owner == OWNER_USER, policy.force) {
            (false, _, _) => ChangeKind::Remove,
            (true, false, true) => ChangeKind::RemoveEdited,
            (true, true, true) => ChangeKind::Forget,
            (true, false, false) => ChangeKind::Refused(Conflict::EditedOrphan),
            (true, true, false) => ChangeKind::Refused(Conflict::EditedUserOrphan),
        };
        if matches!(kind, ChangeKind::Remove | ChangeKind::RemoveEdited) {
            removes.push(target);
        }
        applied.changes.push(Change {
            path: path.clone(),
            kind,
            diff: None,
        });
    }
    applied
        .changes
        .extend(competing_configs(plan, out, &prev_files)?);
    let lock_text = lock.to_text();
    let lock_path = out.join(LOCK_FILE);
    applied.lock_changed = fs::read_to_string(&lock_path).map_or(true, |t| t != lock_text);
    if mode == Mode::Write && applied.refused().next().is_none() {
        if applied.lock_changed {
            writes.push((lock_path, &lock_text));
        }
        commit(out, &writes, &removes)?;
    }
    applied.lock = lock;
    Ok(applied)
}

/// The wrangler config names wrangler reads.
const WRANGLER_CONFIGS: &[&str] = &["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/// A wrangler config beside one doforge writes, that doforge neither writes nor wrote: wrangler
/// would read only one of them.
fn competing_configs(
    plan: &Plan,
    out: &Path,
    prev_files: &BTreeMap<String, LockFile>,
) -> Result<Vec<Change>, String> {
    let planned: BTreeSet<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    let dirs: BTreeSet<&str> = plan
        .files
        .iter()
        .filter_map(|f| {
            let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
            WRANGLER_CONFIGS.contains(&name).then_some(dir)
        })
        .collect();
    let mut out_changes = Vec::new();
    for dir in dirs {
        for name in WRANGLER_CONFIGS {
            let path = if dir.is_empty() {
                (*name).to_owned()
            } else {
                format!("{dir}/{name}")
            };
            if planned.contains(path.as_str()) || prev_files.contains_key(&path) {
                continue;
            }
            if fs::symlink_metadata(out.join(&path)).is_ok() {
                out_changes.push(Change {
                    path,
                    kind: ChangeKind::Refused(Conflict::CompetingConfig),
                    diff: None,
                });
            }
        }
    }
    Ok(out_changes)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Owner, PlannedFile};

    const FORCE: Policy = Policy {
        force: true,
        adopt: false,
        reclaim: false,
    };

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
        Plan {
            files,
            lock,
            class_of: BTreeMap::new(),
        }
    }

    fn kinds(a: &Applied) -> Vec<ChangeKind> {
        a.changes.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn create_update_keep_user_edits_and_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let p1 = plan(&[("a.txt", "one"), ("w/b.txt", "two")]);
        let a = apply(&p1, out, None, Mode::Write, Policy::default()).unwrap();
        assert_eq!(kinds(&a), [ChangeKind::Create, ChangeKind::Create]);
        assert_eq!(fs::read_to_string(out.join("w/b.txt")).unwrap(), "two");
        let lock1 = Lock::read(out).unwrap().unwrap();

        // Same plan: nothing to do, no drift.
        let a = apply(&p1, out, Some(&lock1), Mode::Check, Policy::default()).unwrap();
        assert!(!a.drift(), "{a:?}");

        // New content for a file doforge wrote: updated.
        let p2 = plan(&[("a.txt", "one v2"), ("w/b.txt", "two")]);
        let a = apply(&p2, out, Some(&lock1), Mode::Write, Policy::default()).unwrap();
        assert_eq!(kinds(&a), [ChangeKind::Update, ChangeKind::Unchanged]);
        let lock2 = Lock::read(out).unwrap().unwrap();

        // A hand edit of a doforge file is refused (with its diff), in every mode; --force
        // replaces it.
        fs::write(out.join("w/b.txt"), "mine").unwrap();
        let p3 = plan(&[("a.txt", "one v2"), ("w/b.txt", "two v3")]);
        assert!(
            apply(&p3, out, Some(&lock2), Mode::Check, Policy::default())
                .unwrap()
                .drift()
        );
        let a = apply(&p3, out, Some(&lock2), Mode::Write, Policy::default()).unwrap();
        assert_eq!(
            kinds(&a),
            [
                ChangeKind::Unchanged,
                ChangeKind::Refused(Conflict::EditedDoforge)
            ]
        );
        let diff = a.changes[1].diff.as_deref().unwrap();
        assert!(diff.contains("-two v3") && diff.contains("+mine"), "{diff}");
        assert_eq!(fs::read_to_string(out.join("w/b.txt")).unwrap(), "mine");
        assert_eq!(Lock::read(out).unwrap().unwrap(), lock2, "nothing written");
        let a = apply(&p3, out, Some(&lock2), Mode::Write, FORCE).unwrap();
        assert_eq!(kinds(&a), [ChangeKind::Unchanged, ChangeKind::Overwrite]);
        assert_eq!(fs::read_to_string(out.join("w/b.txt")).unwrap(), "two v3");
        let lock3 = Lock::read(out).unwrap().unwrap();

        // A file no longer planned is removed when unedited, refused when edited.
        fs::write(out.join("a.txt"), "edited").unwrap();
        let p4 = plan(&[("w/b.txt", "two v3")]);
        let a = apply(&p4, out, Some(&lock3), Mode::Write, Policy::default()).unwrap();
        assert_eq!(
            kinds(&a),
            [
                ChangeKind::Unchanged,
                ChangeKind::Refused(Conflict::EditedOrphan)
            ]
        );
        fs::write(out.join("a.txt"), "one v2").unwrap();
        let a = apply(&p4, out, Some(&lock3), Mode::Write, Policy::default()).unwrap();
        assert_eq!(kinds(&a), [ChangeKind::Unchanged, ChangeKind::Remove]);
        assert!(!out.join("a.txt").exists());
        assert!(!Lock::read(out)
            .unwrap()
            .unwrap()
            .files
            .contains_key("a.txt"));
    }

    #[test]
    fn user_files_are_kept_foreign_files_refused_unless_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let mut p = plan(&[("wrangler.jsonc", "{}"), ("src/lib.rs", "lib")]);
        p.files.push(PlannedFile {
            path: "src/app.rs".into(),
            content: "app".into(),
            owner: Owner::User,
        });
        p.lock.files.insert(
            "src/app.rs".into(),
            LockFile {
                sha256: sha256_hex(b"app"),
                owner: "user".into(),
            },
        );
        fs::create_dir_all(out.join("src")).unwrap();
        fs::write(out.join("src/lib.rs"), "their lib").unwrap();
        fs::write(out.join("wrangler.toml"), "name = 'theirs'").unwrap();
        let a = apply(&p, out, None, Mode::Write, Policy::default()).unwrap();
        let refused: Vec<(&str, Conflict)> =
            a.refused().map(|(c, w)| (c.path.as_str(), w)).collect();
        assert_eq!(
            refused,
            [
                ("src/lib.rs", Conflict::Foreign),
                ("wrangler.toml", Conflict::CompetingConfig)
            ]
        );
        assert!(!out.join("wrangler.jsonc").exists(), "nothing written");
        // --adopt replaces the foreign file, never the competing config.
        let adopt = Policy {
            adopt: true,
            ..Policy::default()
        };
        let a = apply(&p, out, None, Mode::Write, adopt).unwrap();
        assert_eq!(a.refused().count(), 1);
        fs::remove_file(out.join("wrangler.toml")).unwrap();
        let a = apply(&p, out, None, Mode::Write, adopt).unwrap();
        assert_eq!(a.refused().count(), 0, "{a:?}");
        assert_eq!(fs::read_to_string(out.join("src/lib.rs")).unwrap(), "lib");
        // The user's file: edits kept, no drift, the lock keeps its first version.
        let lock = Lock::read(out).unwrap().unwrap();
        fs::write(out.join("src/app.rs"), "my app").unwrap();
        let a = apply(&p, out, Some(&lock), Mode::Check, Policy::default()).unwrap();
        assert!(!a.drift(), "{a:?}");
        let a = apply(&p, out, Some(&lock), Mode::Write, FORCE).unwrap();
        assert_eq!(a.changes[2].kind, ChangeKind::Yours);
        assert_eq!(
            fs::read_to_string(out.join("src/app.rs")).unwrap(),
            "my app"
        );
        assert_eq!(a.lock.files["src/app.rs"].sha256, sha256_hex(b"app"));
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
        apply(&p1, &out, None, Mode::Write, Policy::default()).unwrap();
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
            super::super::transaction::FAIL_AT.set(Some(step));
            let result = apply(&p2, &out, Some(&lock1), Mode::Write, Policy::default());
            super::super::transaction::FAIL_AT.set(None);
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
            let a = apply(&p, &out, None, mode, Policy::default()).unwrap();
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
        assert!(apply(&p, &file, None, Mode::Write, Policy::default())
            .unwrap_err()
            .contains("is a file"));

        #[cfg(unix)]
        {
            let real = dir.path().join("real");
            fs::create_dir(&real).unwrap();
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&real, &link).unwrap();
            assert!(apply(&p, &link, None, Mode::Write, Policy::default())
                .unwrap_err()
                .contains("symlink"));
            let out = dir.path().join("out");
            fs::create_dir(&out).unwrap();
            std::os::unix::fs::symlink(&real, out.join("w")).unwrap();
            let nested = plan(&[("w/b.txt", "two")]);
            assert!(apply(&nested, &out, None, Mode::Write, Policy::default())
                .unwrap_err()
                .contains("symlink"));
        }

        let out = dir.path().join("out2");
        fs::create_dir_all(out.join("a.txt")).unwrap();
        let err = apply(&p, &out, None, Mode::Write, Policy::default()).unwrap_err();
        assert!(err.contains("is in the way"), "{err}");
        assert_eq!(
            fs::read_dir(&out).unwrap().count(),
            1,
            "nothing else was written"
        );

        let escaping = plan(&[("../x.txt", "no")]);
        assert!(apply(&escaping, &out, None, Mode::Write, Policy::default()).is_err());
    }
}
