//! Planning each declared class of a Worker: tombstones, classes the lock has, and new ones
//! (created or renamed into).

use std::collections::HashMap;

use super::history::made_live_by_transfer;
use super::planner::Planner;
use super::{
    class, is_live, storage_str, CREATED, DELETED, EXPECTING_TRANSFER, LIFECYCLE_CONFLICT, RENAMED,
    RENAME_SOURCE_MISSING, STORAGE_CHANGED, TRANSFERRED,
};
use crate::generate::lock::{LockClass, LockRename, LOCK_FILE};
use crate::model::{DoClass, LifecycleMode, Sp, Storage};

impl Planner<'_> {
    /// `deleted: true`.
    pub(super) fn plan_tombstone(&mut self, c: &DoClass, declared: &HashMap<&str, &DoClass>) {
        let name = c.class_name.as_str();
        match self.prev(name) {
            Some(p) if is_live(p) => {
                self.step.deleted_classes.push(name.to_owned());
                self.classes
                    .insert(name.to_owned(), class(DELETED, &p.storage));
            }
            // Already a tombstone (deleted, renamed or transferred away): nothing left to do.
            Some(_) => {}
            // Never created by doforge: nothing to delete (see docs/generate.md for `exports`).
            None => {
                self.classes
                    .insert(name.to_owned(), class(DELETED, storage_str(c.storage)));
            }
        }
        // `{ class_name: New, renamed_from: Old, deleted: true }` while `Old` still holds data:
        // the rename never happened, so deleting `New` would leave `Old` behind.
        if let Some(old) = &c.renamed_from {
            if old.value != name
                && self.prev_live(old.as_str()).is_some()
                && !declared.contains_key(old.as_str())
                && self.covered.insert(old.value.clone())
            {
                self.error(
                    LIFECYCLE_CONFLICT,
                    old.span,
                    format!(
                        "`{name}` is a tombstone renamed from `{}`, but that rename was never planned: `{}` still exists on {} and holds its data",
                        old.value, old.value, self.worker_desc(self.index)
                    ),
                    format!(
                        "to delete `{}`'s data, tombstone it by its own name: `{}`",
                        old.value,
                        self.tombstone_yaml(old.as_str())
                    ),
                );
            }
        }
    }

    /// A class the lock already has live.
    pub(super) fn plan_existing(&mut self, c: &DoClass, prev: &LockClass) {
        let name = c.class_name.as_str();
        let storage = storage_str(c.storage);
        if prev.storage != storage {
            self.error(
                STORAGE_CHANGED,
                c.class_name.span,
                format!(
                    "class `{name}` now asks for `storage: {storage}`, but it was created with `{}` storage, and Cloudflare cannot switch a deployed class's storage backend",
                    prev.storage
                ),
                format!(
                    "keep `storage: {}` on `{name}`: a class's storage backend is fixed when it is created. For another backend, add a new class (e.g. `{name}V2`) with `storage: {storage}`, move the bindings and the data to it, then tombstone `{name}` (`deleted: true`)",
                    prev.storage
                ),
            );
        }
        if let Some(old) = &c.renamed_from {
            if old.value != name && self.prev_live(old.as_str()).is_some() {
                self.covered.insert(old.value.clone());
                self.error(
                    LIFECYCLE_CONFLICT,
                    old.span,
                    format!(
                        "`{name}` is renamed from `{}`, but `{name}` already exists (doforge created it earlier), and a rename must create its destination class",
                        old.value
                    ),
                    format!(
                        "remove `renamed_from: {}` (and tombstone `{}` if its data is no longer needed: `{}`)",
                        old.value,
                        old.value,
                        self.tombstone_yaml(old.as_str())
                    ),
                );
            }
        }
        // `transferred_from` on a class that exists: fine when a transfer made it (the fact was
        // applied); otherwise the source's data would be left behind while its Worker records the
        // class as transferred away.
        if let Some((from_worker, _)) = &c.transferred_from {
            let by_transfer = prev.state == EXPECTING_TRANSFER
                || made_live_by_transfer(self.prev_migrations(), name);
            if !by_transfer {
                self.error(
                    LIFECYCLE_CONFLICT,
                    from_worker.span,
                    format!(
                        "`{name}` is transferred from `{}`, but `{name}` already exists on {} (doforge created it earlier), and a transfer must create its destination class",
                        from_worker.value,
                        self.worker_desc(self.index)
                    ),
                    format!(
                        "remove `transferred_from`, and tombstone the source class on `{}` if its data is no longer needed; or transfer into a new class name",
                        from_worker.value
                    ),
                );
            }
        }
        // The transfer has committed once the blueprint stops saying where the class comes from.
        if prev.state == EXPECTING_TRANSFER && c.transferred_from.is_none() {
            self.classes
                .insert(name.to_owned(), class(CREATED, storage));
        }
    }

    /// A class the lock does not have live: created, renamed into, or transferred in.
    pub(super) fn plan_new(
        &mut self,
        c: &DoClass,
        declared: &HashMap<&str, &DoClass>,
        renamed: &mut HashMap<String, String>,
    ) {
        let name = c.class_name.as_str();
        if let Some(p) = self.prev(name) {
            // wrangler has no directive for the source side of a transfer, so this Worker's
            // history still lists the class as created: creating, renaming or transferring onto
            // the name again would contradict it.
            if p.state == TRANSFERRED && self.mode == LifecycleMode::Migrations {
                self.error(
                    LIFECYCLE_CONFLICT,
                    c.class_name.span,
                    format!(
                        "class `{name}` was transferred from {} to `{}` earlier, and this Worker's migration history still lists it as created, so the name cannot come back",
                        self.worker_desc(self.index),
                        p.transferred_to.as_deref().unwrap_or("another Worker")
                    ),
                    format!("give the class a new name (e.g. `{name}V2`)"),
                );
                return;
            }
            if self.mode == LifecycleMode::Exports {
                let was = match p.state.as_str() {
                    RENAMED => format!(
                        "renamed to `{}`",
                        p.renamed_to.as_deref().unwrap_or("another class")
                    ),
                    TRANSFERRED => format!(
                        "transferred to `{}`",
                        p.transferred_to.as_deref().unwrap_or("another Worker")
                    ),
                    _ => "deleted".to_owned(),
                };
                self.error(
                    LIFECYCLE_CONFLICT,
                    c.class_name.span,
                    format!(
                        "class `{name}` was {was} earlier, and the `exports` map keeps that tombstone under its name, so `{name}` cannot be declared again"
                    ),
                    format!(
                        "give the new class a new name (e.g. `{name}V2`): replacing the tombstone would let an environment that has not deployed it yet keep the old data under the new class"
                    ),
                );
                return;
            }
        }
        if let Some(old) = c.renamed_from.as_ref().filter(|o| o.value != name) {
            self.covered.insert(old.value.clone());
            if self.previous.is_none() {
                // First generation: doforge never created `old`, so the class is simply new.
                self.create(c);
                return;
            }
            match self.prev(old.as_str()) {
                Some(p) if is_live(p) => self.plan_rename(c, old, p, declared, renamed),
                // The rename was applied earlier and `name` was removed since: a re-creation.
                Some(p) if p.renamed_to.as_deref() == Some(name) => self.create(c),
                other => {
                    let why = match other.map(|p| p.state.as_str()) {
                        None => format!(
                            "doforge never created `{}` on {} ({LOCK_FILE} has no such class)",
                            old.value,
                            self.worker_desc(self.index)
                        ),
                        Some(RENAMED) => format!(
                            "`{}` was already renamed to `{}`",
                            old.value,
                            other.and_then(|p| p.renamed_to.as_deref()).unwrap_or("?")
                        ),
                        Some(TRANSFERRED) => format!(
                            "`{}` was transferred to `{}`",
                            old.value,
                            other
                                .and_then(|p| p.transferred_to.as_deref())
                                .unwrap_or("?")
                        ),
                        Some(_) => format!("`{}` was deleted", old.value),
                    };
                    self.error(
                        RENAME_SOURCE_MISSING,
                        old.span,
                        format!(
                            "`{name}` is renamed from `{}`, but {why}: there is no live class to rename",
                            old.value
                        ),
                        format!(
                            "remove `renamed_from: {}` if `{name}` is a new class (it starts empty); rename from the class that holds the data now; if `{}` was deployed before doforge managed this Worker, declare that history with an explicit `migrations:` list first",
                            old.value, old.value
                        ),
                    );
                }
            }
            return;
        }
        if let Some((from_worker, from_class)) = &c.transferred_from {
            self.plan_transfer_in(c, from_worker, from_class);
            return;
        }
        self.create(c);
    }

    pub(super) fn create(&mut self, c: &DoClass) {
        let name = c.class_name.value.clone();
        match c.storage {
            Storage::Sqlite => self.step.new_sqlite_classes.push(name.clone()),
            Storage::Kv => self.step.new_classes.push(name.clone()),
        }
        self.classes
            .insert(name, class(CREATED, storage_str(c.storage)));
    }

    pub(super) fn plan_rename(
        &mut self,
        c: &DoClass,
        old: &Sp<String>,
        source: &LockClass,
        declared: &HashMap<&str, &DoClass>,
        renamed: &mut HashMap<String, String>,
    ) {
        let name = c.class_name.as_str();
        let storage = storage_str(c.storage);
        if let Some(other) = declared.get(old.as_str()) {
            let (message, help) = if other.deleted {
                (
                    format!(
                        "`{name}` is renamed from `{}`, but `{}` is also a tombstone (`deleted: true`): its data cannot be both kept and deleted",
                        old.value, old.value
                    ),
                    format!(
                        "keep the data: remove the tombstone of `{}`; delete it: remove `renamed_from: {}` (then `{name}` starts empty)",
                        old.value, old.value
                    ),
                )
            } else {
                (
                    format!(
                        "`{name}` is renamed from `{}`, but `{}` is still declared as a live class; a rename removes it",
                        old.value, old.value
                    ),
                    format!(
                        "remove the declaration of `{}` (and move its bindings to `{name}`), or remove `renamed_from` if both classes must exist",
                        old.value
                    ),
                )
            };
            self.error(LIFECYCLE_CONFLICT, old.span, message, help);
            return;
        }
        if let Some(first) = renamed.get(old.as_str()) {
            self.error(
                LIFECYCLE_CONFLICT,
                old.span,
                format!(
                    "`{name}` is renamed from `{}`, but `{first}` is already renamed from it; a class can be renamed to one class only",
                    old.value
                ),
                format!("keep `renamed_from: {}` on one class only", old.value),
            );
            return;
        }
        if source.storage != storage {
            self.error(
                STORAGE_CHANGED,
                c.class_name.span,
                format!(
                    "`{name}` is renamed from `{}`, which has `{}` storage, but `{name}` asks for `{storage}`; a rename keeps the class's storage backend",
                    old.value, source.storage
                ),
                format!(
                    "add `storage: {}` to `{name}` (storage defaults to `sqlite`)",
                    source.storage
                ),
            );
            return;
        }
        renamed.insert(old.value.clone(), name.to_owned());
        self.step.renamed_classes.push(LockRename {
            from: old.value.clone(),
            to: name.to_owned(),
        });
        self.classes.insert(
            old.value.clone(),
            LockClass {
                renamed_to: Some(name.to_owned()),
                ..class(RENAMED, &source.storage)
            },
        );
        self.classes
            .insert(name.to_owned(), class(CREATED, storage));
    }
}
