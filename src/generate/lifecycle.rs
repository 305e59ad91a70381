//! Durable Object lifecycle planning.
//!
//! The blueprint states the *current* facts about the classes a Worker hosts — live classes with
//! their storage, `renamed_from`, `deleted: true` tombstones, `transferred_from` — and
//! `doforge.lock` records what earlier generations emitted and what became of every class. The
//! planner turns the difference into wrangler's declarations:
//!
//! * `lifecycle: migrations`: the previous `migrations` are kept byte for byte; everything new
//!   becomes **one** appended step under the next tag (`v1`, `v2`, … following the previous
//!   tags' pattern). Nothing new → no step.
//! * `lifecycle: exports`: the same facts become the declarative `exports` map, built from the
//!   state of every class the Worker ever had, so tombstones stay forever (an environment that
//!   is deployed later still gets them).
//!
//! Refused (as error diagnostics in the blueprint): a class that vanished without a tombstone, a
//! storage change of an existing class, a rename whose source is not live, a re-created name in
//! `exports` mode, and other contradictions. The rules, with worked examples, are in
//! `docs/generate.md`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use super::lock::{LockClass, LockMigration, LockRename, LockTransfer, LockWorker, LOCK_FILE};
use crate::diagnostics::{Diagnostic, Label};
use crate::model::lifecycle::{next_tag, History, Removal};
use crate::model::{DoClass, Lifecycle, LifecycleMode, Migration, Project, Sp, Storage};
use crate::source::Span;

/// A class that vanished from the blueprint while the lock says it is live.
pub const CLASS_REMOVED: &str = "class-removed-without-tombstone";
/// A class whose storage backend changed (`sqlite` ↔ `kv`), impossible in place.
pub const STORAGE_CHANGED: &str = "class-storage-changed";
/// A `renamed_from` whose source class is not live.
pub const RENAME_SOURCE_MISSING: &str = "rename-source-missing";
/// Facts that contradict each other or the lock.
pub const LIFECYCLE_CONFLICT: &str = "lifecycle-conflict";
/// An explicit `migrations:` list that no longer starts with the emitted history.
pub const HISTORY_REWRITTEN: &str = "migration-history-rewritten";

/// A worker that vanished from the blueprint while the lock says it hosts live classes.
pub const WORKER_REMOVED: &str = "worker-removed-with-live-classes";

/// Lock class states.
pub const CREATED: &str = "created";
pub const DELETED: &str = "deleted";
pub const RENAMED: &str = "renamed";
pub const TRANSFERRED: &str = "transferred";
pub const EXPECTING_TRANSFER: &str = "expecting-transfer";

/// What the wrangler config of one worker declares about its classes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlannedLifecycle {
    /// The full `migrations` list to emit (applied steps first, unchanged).
    pub migrations: Vec<LockMigration>,
    /// The `exports` map to emit (class → its entry), for `lifecycle: exports`.
    pub exports: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

/// Plan worker `worker`'s lifecycle from the blueprint and what was emitted before.
pub fn plan_lifecycle(
    project: &Project,
    worker: usize,
    previous: Option<&LockWorker>,
) -> Result<(PlannedLifecycle, LockWorker), Vec<Diagnostic>> {
    let mut p = Planner::new(project, worker, previous);
    p.check_mode();
    let explicit = &project.workers[worker].top().lifecycle;
    let mut migrations = match p.explicit_applies(explicit) {
        Some(true) => p.plan_explicit(explicit),
        Some(false) => Vec::new(),
        None => p.plan_facts(),
    };
    if !p.errors.is_empty() {
        p.errors.sort_by_key(Diagnostic::sort_key);
        return Err(p.errors);
    }
    let mut planned = PlannedLifecycle::default();
    match p.mode {
        LifecycleMode::Migrations => planned.migrations = migrations.clone(),
        LifecycleMode::Exports => {
            planned.exports = exports_map(&p.classes);
            // A history emitted before the switch to `exports` stays on record.
            migrations = p.prev_migrations().to_vec();
        }
    }
    let lock = LockWorker {
        lifecycle: mode_str(p.mode).to_owned(),
        migrations,
        classes: p.classes,
    };
    Ok((planned, lock))
}

fn mode_str(mode: LifecycleMode) -> &'static str {
    match mode {
        LifecycleMode::Migrations => "migrations",
        LifecycleMode::Exports => "exports",
    }
}

fn storage_str(s: Storage) -> &'static str {
    match s {
        Storage::Sqlite => "sqlite",
        Storage::Kv => "kv",
    }
}

/// Live: the class has a namespace (or is about to receive one by transfer).
/// Workers the lock knows but the blueprint no longer declares. One that still hosts live
/// classes is refused: dropping it would silently forget its lifecycle (the next generation
/// could not append to its history) while Cloudflare keeps its objects. One without live
/// classes simply leaves the lock.
pub fn check_vanished_workers(
    project: &Project,
    previous: &BTreeMap<String, LockWorker>,
) -> Vec<Diagnostic> {
    let ids: HashSet<&str> = project
        .workers
        .iter()
        .filter_map(|w| w.id.as_ref().map(|i| i.value.as_str()))
        .collect();
    let mut errors = Vec::new();
    for (id, worker) in previous {
        if id.is_empty() || ids.contains(id.as_str()) {
            continue;
        }
        let live: Vec<&str> = worker
            .classes
            .iter()
            .filter(|(_, c)| is_live(c))
            .map(|(n, _)| n.as_str())
            .collect();
        if live.is_empty() {
            continue;
        }
        let list = live
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let span = project.workers.first().map_or(Span::new(0, 0), |w| w.span);
        let message = format!(
            "worker `{id}` vanished from the blueprint, but {LOCK_FILE} records Durable Object classes it still hosts: {list}; forgetting it would lose their migration history while Cloudflare keeps their stored objects"
        );
        let help = format!(
            "keep `{id}` in the blueprint with each class tombstoned (`deleted: true`) or transferred (`transferred_from` on the class's new worker), generate and deploy once, then remove the worker; if the Worker and its data are already gone from Cloudflare, delete `workers.{id}` from {LOCK_FILE}"
        );
        errors.push(
            Diagnostic::error(WORKER_REMOVED, message, Label::new(&project.file, span))
                .with_help(help),
        );
    }
    errors
}

fn is_live(c: &LockClass) -> bool {
    c.state == CREATED || c.state == EXPECTING_TRANSFER
}

fn class(state: &str, storage: &str) -> LockClass {
    LockClass {
        state: state.to_owned(),
        storage: storage.to_owned(),
        renamed_to: None,
        transferred_to: None,
        transfer_from: None,
    }
}

struct Planner<'a> {
    project: &'a Project,
    index: usize,
    /// The worker's blueprint resource id.
    id: Option<&'a str>,
    mode: LifecycleMode,
    previous: Option<&'a LockWorker>,
    /// The class states after this generation (starts as the previous ones).
    classes: BTreeMap<String, LockClass>,
    /// The step this generation appends (migrations mode; empty → none).
    step: LockMigration,
    /// Live classes of the lock that the blueprint accounts for (declared, renamed, transferred).
    covered: HashSet<String>,
    errors: Vec<Diagnostic>,
}

impl<'a> Planner<'a> {
    fn new(project: &'a Project, index: usize, previous: Option<&'a LockWorker>) -> Self {
        Planner {
            project,
            index,
            id: project.workers[index].id.as_ref().map(Sp::as_str),
            mode: project.lifecycle_mode,
            previous,
            classes: previous.map(|p| p.classes.clone()).unwrap_or_default(),
            step: LockMigration::default(),
            covered: HashSet::new(),
            errors: Vec::new(),
        }
    }

    fn prev_migrations(&self) -> &'a [LockMigration] {
        self.previous.map_or(&[], |p| p.migrations.as_slice())
    }

    fn prev(&self, class: &str) -> Option<&'a LockClass> {
        self.previous.and_then(|p| p.classes.get(class))
    }

    fn prev_live(&self, class: &str) -> Option<&'a LockClass> {
        self.prev(class).filter(|c| is_live(c))
    }

    /// The worker's resource id, for messages.
    fn worker_id(&self) -> &str {
        self.id.unwrap_or("worker")
    }

    fn script(&self, index: usize) -> String {
        self.project.workers[index]
            .name()
            .map_or_else(String::new, |n| n.value.clone())
    }

    /// `` worker `api` (`shop-api`) ``
    fn worker_desc(&self, index: usize) -> String {
        let id = self.project.workers[index]
            .id
            .as_ref()
            .map_or("worker", |i| i.as_str());
        let script = self.script(index);
        if script.is_empty() || script == id {
            format!("worker `{id}`")
        } else {
            format!("worker `{id}` (`{script}`)")
        }
    }

    fn hosts(&self, c: &DoClass) -> bool {
        self.id.is_some() && c.worker.as_ref().map(Sp::as_str) == self.id
    }

    /// The blueprint classes this worker hosts, in blueprint order.
    fn hosted(&self) -> Vec<&'a DoClass> {
        let project: &'a Project = self.project;
        project.classes.iter().filter(|c| self.hosts(c)).collect()
    }

    fn error(&mut self, rule: &str, span: Span, message: String, help: String) {
        let d =
            Diagnostic::error(rule, message, Label::new(&self.project.file, span)).with_help(help);
        self.errors.push(d);
    }

    /// A `worker:` reference (resource id first, then a script name) → worker index.
    fn resolve_worker(&self, value: &str) -> Option<usize> {
        let workers = &self.project.workers;
        workers
            .iter()
            .position(|w| w.id.as_ref().is_some_and(|i| i.value == value))
            .or_else(|| {
                workers
                    .iter()
                    .position(|w| w.name().is_some_and(|n| n.value == value))
            })
    }

    /// The YAML of a tombstone for `class` on this worker (with `worker:` when it is needed).
    fn tombstone_yaml(&self, class: &str) -> String {
        if self.project.workers.len() > 1 {
            format!(
                "- {{ class_name: {class}, worker: {}, deleted: true }}",
                self.worker_id()
            )
        } else {
            format!("- {{ class_name: {class}, deleted: true }}")
        }
    }

    /// `lifecycle: exports` → `migrations` is refused; the other way round is converted.
    fn check_mode(&mut self) {
        let Some(prev) = self.previous else { return };
        if prev.lifecycle == "exports" && self.mode == LifecycleMode::Migrations {
            let span = self.worker_span();
            let message = format!(
                "{} was generated with `lifecycle: exports` ({LOCK_FILE}), and the blueprint now asks for `lifecycle: migrations`",
                self.worker_desc(self.index)
            );
            self.error(
                LIFECYCLE_CONFLICT,
                span,
                message,
                "keep `lifecycle: exports`: a `migrations` list starts from an empty history, so Cloudflare would be asked to create classes that the `exports` flow already provisioned".to_owned(),
            );
        }
    }

    fn worker_span(&self) -> Span {
        let w = &self.project.workers[self.index];
        w.id.as_ref().map_or(w.span, |i| i.span)
    }

    /// Does the blueprint's explicit `migrations:` list describe this worker? `None`: there is no
    /// explicit list (plan from the facts). An explicit list is one Worker's history: it belongs
    /// to the worker that hosts the blueprint's classes.
    fn explicit_applies(&mut self, lc: &Lifecycle) -> Option<bool> {
        if lc.planned || lc.migrations.is_empty() {
            return None;
        }
        let hosting: Vec<usize> = (0..self.project.workers.len())
            .filter(|&i| {
                let id = self.project.workers[i].id.as_ref().map(Sp::as_str);
                id.is_some()
                    && self
                        .project
                        .classes
                        .iter()
                        .any(|c| c.worker.as_ref().map(Sp::as_str) == id)
            })
            .collect();
        if !hosting.contains(&self.index) {
            // This worker hosts no class; the explicit history is another worker's.
            return if self.previous.is_some_and(|p| !p.classes.is_empty()) {
                None
            } else {
                Some(false)
            };
        }
        if hosting.len() > 1 {
            // Reported once, by the first hosting worker (the plan fails as a whole).
            if hosting[0] == self.index {
                let names: Vec<String> = hosting.iter().map(|&i| self.worker_desc(i)).collect();
                let span = lc
                    .migrations_origin
                    .and_then(|o| o.key_span)
                    .unwrap_or(lc.migrations[0].span);
                self.error(
                    LIFECYCLE_CONFLICT,
                    span,
                    format!(
                        "an explicit `migrations:` list is one Worker's history, but Durable Object classes are hosted by {}",
                        names.join(" and ")
                    ),
                    "remove `migrations:` and let doforge plan each Worker's history (doforge.lock keeps a history it emitted before), or split the blueprint per Worker".to_owned(),
                );
            }
            return Some(false);
        }
        Some(true)
    }

    /// The blueprint wrote the history itself: emit it verbatim, as long as it still starts with
    /// what was emitted before, and record the class states it leads to.
    fn plan_explicit(&mut self, lc: &Lifecycle) -> Vec<LockMigration> {
        if self.mode == LifecycleMode::Exports {
            let span = lc
                .migrations_origin
                .and_then(|o| o.key_span)
                .unwrap_or(lc.migrations[0].span);
            self.error(
                LIFECYCLE_CONFLICT,
                span,
                "`lifecycle: exports` and an explicit `migrations:` history are mutually exclusive".to_owned(),
                "remove `migrations:`: with `lifecycle: exports` doforge declares every class in `exports`. (Generate once with `lifecycle: migrations` first if this history must be recorded in doforge.lock: the switch to `exports` then turns its classes into `exports` entries.)".to_owned(),
            );
            return Vec::new();
        }
        let list: Vec<LockMigration> = lc.migrations.iter().map(lock_migration).collect();
        for (i, old) in self.prev_migrations().iter().enumerate() {
            if list.get(i) == Some(old) {
                continue;
            }
            let (span, what) = match lc.migrations.get(i) {
                Some(m) => (m.span, format!("step {} differs from", i + 1)),
                None => (
                    lc.migrations_origin
                        .and_then(|o| o.key_span)
                        .unwrap_or(lc.migrations[0].span),
                    format!("step {} (tag `{}`) is missing from", i + 1, old.tag),
                ),
            };
            self.error(
                HISTORY_REWRITTEN,
                span,
                format!(
                    "the explicit `migrations:` list no longer starts with the history doforge emitted before: {what} the one in {LOCK_FILE}"
                ),
                format!(
                    "applied migrations are never rewritten: restore step {} exactly as it was, `{}`, and append new steps after the last one",
                    i + 1,
                    serde_json::to_string(old).expect("a migration serializes")
                ),
            );
            return Vec::new();
        }
        let history = History::replay(&lc.migrations);
        let mut names: Vec<&String> = history.classes.keys().collect();
        names.sort();
        for name in names {
            let rec = &history.classes[name];
            let storage = rec
                .storage
                .map(storage_str)
                .or_else(|| {
                    self.hosted()
                        .into_iter()
                        .find(|c| c.class_name.value == *name)
                        .map(|c| storage_str(c.storage))
                })
                .or_else(|| self.prev(name).map(|c| c.storage.as_str()))
                .unwrap_or("sqlite")
                .to_owned();
            let state = match &rec.removed {
                _ if rec.live => class(CREATED, &storage),
                Some((Removal::RenamedTo(to), _)) => LockClass {
                    renamed_to: Some(to.clone()),
                    ..class(RENAMED, &storage)
                },
                Some((Removal::Deleted, _)) | None => class(DELETED, &storage),
            };
            self.classes.insert(name.clone(), state);
        }
        let declared: HashMap<&str, &DoClass> = self
            .hosted()
            .into_iter()
            .map(|c| (c.class_name.as_str(), c))
            .collect();
        self.plan_outgoing_transfers(&declared, true);
        list
    }

    /// Plan from the blueprint's facts over the previous lock; returns the full history.
    fn plan_facts(&mut self) -> Vec<LockMigration> {
        let hosted = self.hosted();
        let declared: HashMap<&str, &DoClass> =
            hosted.iter().map(|c| (c.class_name.as_str(), *c)).collect();
        let mut renamed: HashMap<String, String> = HashMap::new();
        for c in &hosted {
            let name = c.class_name.as_str();
            self.covered.insert(name.to_owned());
            if c.deleted {
                self.plan_tombstone(c, &declared);
            } else if let Some(prev) = self.prev_live(name) {
                self.plan_existing(c, prev);
            } else {
                self.plan_new(c, &declared, &mut renamed);
            }
        }
        self.plan_outgoing_transfers(&declared, false);
        self.check_vanished();
        let mut history = self.prev_migrations().to_vec();
        if self.mode == LifecycleMode::Migrations && !step_is_empty(&self.step) {
            let mut step = std::mem::take(&mut self.step);
            step.tag = next_tag(history.iter().map(|m| m.tag.as_str()));
            history.push(step);
        }
        history
    }

    /// `deleted: true`.
    fn plan_tombstone(&mut self, c: &DoClass, declared: &HashMap<&str, &DoClass>) {
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
    fn plan_existing(&mut self, c: &DoClass, prev: &LockClass) {
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
    fn plan_new(
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

    fn create(&mut self, c: &DoClass) {
        let name = c.class_name.value.clone();
        match c.storage {
            Storage::Sqlite => self.step.new_sqlite_classes.push(name.clone()),
            Storage::Kv => self.step.new_classes.push(name.clone()),
        }
        self.classes
            .insert(name, class(CREATED, storage_str(c.storage)));
    }

    fn plan_rename(
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

    fn plan_transfer_in(&mut self, c: &DoClass, from_worker: &Sp<String>, from_class: &Sp<String>) {
        let name = c.class_name.as_str();
        let storage = storage_str(c.storage);
        let source = self.resolve_worker(from_worker.as_str());
        if source == Some(self.index) {
            self.error(
                LIFECYCLE_CONFLICT,
                from_worker.span,
                format!(
                    "`{name}` is transferred from {}, which is the Worker that hosts it",
                    self.worker_desc(self.index)
                ),
                format!(
                    "within one Worker, use `renamed_from: {}` instead",
                    from_class.value
                ),
            );
            return;
        }
        let from_script = source.map_or_else(|| from_worker.value.clone(), |i| self.script(i));
        let envs = self.project.env_names();
        if let (Some(src), false) = (source, envs.is_empty()) {
            let env = &envs[0];
            let env_script = |i: usize| {
                self.project.workers[i]
                    .env(Some(env))
                    .and_then(|e| e.script_name.as_ref())
                    .map_or_else(|| format!("{}-{env}", self.script(i)), |s| s.value.clone())
            };
            let message = format!(
                "`{name}` is transferred from {}, but the blueprint has environments: the lifecycle is declared once at the top level and inherited by every environment, so `{env}` (`{}`) would also take the class from `{from_script}` instead of `{}`",
                self.worker_desc(src),
                env_script(self.index),
                env_script(src)
            );
            self.error(
                LIFECYCLE_CONFLICT,
                from_worker.span,
                message,
                "doforge cannot plan a transfer between two Workers of a blueprint with environments yet (it would move one environment's data into another). Transfer the class before adding `environments`, or move it by hand per environment and declare the result with `renamed_from`/tombstones".to_owned(),
            );
            return;
        }
        match self.mode {
            LifecycleMode::Migrations => {
                self.step.transferred_classes.push(LockTransfer {
                    from: from_class.value.clone(),
                    from_script,
                    to: name.to_owned(),
                });
                self.classes
                    .insert(name.to_owned(), class(CREATED, storage));
            }
            LifecycleMode::Exports => {
                if from_class.value != name {
                    self.error(
                        LIFECYCLE_CONFLICT,
                        from_class.span,
                        format!(
                            "`{name}` is transferred from class `{}`, but an `exports` transfer keeps the class name: both Workers declare it under the same key",
                            from_class.value
                        ),
                        format!(
                            "transfer it under its own name (`class_name: {}`), then rename it in a later generation with `renamed_from: {}`",
                            from_class.value, from_class.value
                        ),
                    );
                    return;
                }
                self.classes.insert(
                    name.to_owned(),
                    LockClass {
                        transfer_from: Some(from_script),
                        ..class(EXPECTING_TRANSFER, storage)
                    },
                );
            }
        }
    }

    /// Classes another worker of the blueprint declares as `transferred_from` this one.
    fn plan_outgoing_transfers(&mut self, declared: &HashMap<&str, &DoClass>, explicit: bool) {
        let project: &'a Project = self.project;
        for c in &project.classes {
            let Some((from_worker, from_class)) = &c.transferred_from else {
                continue;
            };
            if c.deleted
                || self.hosts(c)
                || self.resolve_worker(from_worker.as_str()) != Some(self.index)
            {
                continue;
            }
            let Some(target) = c
                .worker
                .as_ref()
                .and_then(|w| self.resolve_worker(w.as_str()))
            else {
                continue;
            };
            let old = from_class.as_str();
            if !explicit {
                if let Some(here) = declared.get(old) {
                    self.error(
                        LIFECYCLE_CONFLICT,
                        here.class_name.span,
                        format!(
                            "class `{old}` moves to {} (`transferred_from` on `{}`), but is still declared on {}",
                            self.worker_desc(target),
                            c.class_name.value,
                            self.worker_desc(self.index)
                        ),
                        format!(
                            "remove `{old}` from {} (move its bindings to the new host), or remove `transferred_from` if both classes must exist",
                            self.worker_desc(self.index)
                        ),
                    );
                    continue;
                }
            }
            let Some(prev) = self.classes.get(old).filter(|p| is_live(p)).cloned() else {
                continue;
            };
            self.covered.insert(old.to_owned());
            self.classes.insert(
                old.to_owned(),
                LockClass {
                    transferred_to: Some(self.script(target)),
                    ..class(TRANSFERRED, &prev.storage)
                },
            );
        }
    }

    /// Every class the lock has live must still be accounted for.
    fn check_vanished(&mut self) {
        let Some(prev) = self.previous else { return };
        for (name, p) in &prev.classes {
            if !is_live(p) || self.covered.contains(name) {
                continue;
            }
            let when = created_in(&prev.migrations, name)
                .map_or_else(String::new, |tag| format!(" in migration `{tag}`"));
            let elsewhere = self
                .project
                .classes
                .iter()
                .find(|c| c.class_name.value == *name && !self.hosts(c));
            let host = self.worker_desc(self.index);
            let message = match elsewhere.and_then(|c| c.worker.as_ref()) {
                Some(w) => format!(
                    "class `{name}` is now declared on worker `{}`, but {host} created it{when} ({LOCK_FILE}) and nothing moves it: deploying would leave its stored objects orphaned on {host}, or fail because Cloudflare still expects the class there",
                    w.value
                ),
                None => format!(
                    "class `{name}` vanished from the blueprint, but {host} created it{when} ({LOCK_FILE}): deploying without it would leave its stored objects orphaned, or fail because Cloudflare still expects the class"
                ),
            };
            let mut help = String::new();
            if let Some(w) = elsewhere.and_then(|c| c.worker.as_ref()) {
                help.push_str(&format!(
                    "to move it with its data, add `transferred_from: {{ worker: {}, class: {name} }}` to `{name}` on `{}`; ",
                    self.worker_id(),
                    w.value
                ));
            }
            help.push_str(&format!(
                "to delete its data on purpose, keep a tombstone under `durable_objects`: `{}`; to keep the data under a new name, add `renamed_from: {name}` to the class that replaces it",
                self.tombstone_yaml(name)
            ));
            let span = self.worker_span();
            let mut d =
                Diagnostic::error(CLASS_REMOVED, message, Label::new(&self.project.file, span))
                    .with_help(help);
            if let Some(first) = self.project.classes.iter().find(|c| !c.implicit) {
                d = d.with_secondary(
                    Label::new(&self.project.file, first.span)
                        .with_message("the blueprint's classes are declared here"),
                );
            }
            self.errors.push(d);
        }
    }
}

fn step_is_empty(m: &LockMigration) -> bool {
    m.new_classes.is_empty()
        && m.new_sqlite_classes.is_empty()
        && m.renamed_classes.is_empty()
        && m.deleted_classes.is_empty()
        && m.transferred_classes.is_empty()
}

/// Whether the last step that made `class` live was a transfer into it.
fn made_live_by_transfer(migrations: &[LockMigration], class: &str) -> bool {
    migrations
        .iter()
        .rev()
        .find_map(|m| {
            if m.transferred_classes.iter().any(|t| t.to == class) {
                Some(true)
            } else if m.new_classes.iter().any(|c| c == class)
                || m.new_sqlite_classes.iter().any(|c| c == class)
                || m.renamed_classes.iter().any(|r| r.to == class)
            {
                Some(false)
            } else {
                None
            }
        })
        .unwrap_or(false)
}

/// The tag of the last step that made `class` live.
fn created_in<'m>(migrations: &'m [LockMigration], class: &str) -> Option<&'m str> {
    migrations
        .iter()
        .rev()
        .find(|m| {
            m.new_classes.iter().any(|c| c == class)
                || m.new_sqlite_classes.iter().any(|c| c == class)
                || m.renamed_classes.iter().any(|r| r.to == class)
                || m.transferred_classes.iter().any(|t| t.to == class)
        })
        .map(|m| m.tag.as_str())
}

/// A model migration step (explicit `migrations:`) in the lock's shape.
fn lock_migration(m: &Migration) -> LockMigration {
    fn names(v: &[Sp<String>]) -> Vec<String> {
        v.iter().map(|s| s.value.clone()).collect()
    }
    fn opt(o: &Option<Sp<String>>) -> String {
        o.as_ref().map_or_else(String::new, |s| s.value.clone())
    }
    LockMigration {
        tag: opt(&m.tag),
        new_classes: names(&m.new_classes),
        new_sqlite_classes: names(&m.new_sqlite_classes),
        renamed_classes: m
            .renamed_classes
            .iter()
            .map(|r| LockRename {
                from: opt(&r.from),
                to: opt(&r.to),
            })
            .collect(),
        deleted_classes: names(&m.deleted_classes),
        transferred_classes: m
            .transferred_classes
            .iter()
            .map(|t| LockTransfer {
                from: opt(&t.from),
                from_script: opt(&t.from_script),
                to: opt(&t.to),
            })
            .collect(),
    }
}

/// The `exports` map for the class states: every class the Worker ever had, tombstones included.
fn exports_map(classes: &BTreeMap<String, LockClass>) -> BTreeMap<String, Map<String, Value>> {
    let mut out = BTreeMap::new();
    for (name, c) in classes {
        let mut e = Map::new();
        e.insert("type".into(), "durable-object".into());
        let storage = || {
            Value::from(if c.storage == "kv" {
                "legacy-kv"
            } else {
                "sqlite"
            })
        };
        match c.state.as_str() {
            CREATED => {
                e.insert("storage".into(), storage());
            }
            EXPECTING_TRANSFER => {
                let Some(from) = &c.transfer_from else {
                    continue;
                };
                e.insert("state".into(), EXPECTING_TRANSFER.into());
                e.insert("storage".into(), storage());
                e.insert("transfer_from".into(), from.as_str().into());
            }
            RENAMED => {
                let Some(to) = &c.renamed_to else { continue };
                // A rename tombstone must name a live class: follow later renames to it; when
                // the end of the chain was deleted, the old data is to be deleted too.
                match rename_end(classes, to) {
                    RenameEnd::Deleted => {
                        e.insert("state".into(), DELETED.into());
                    }
                    RenameEnd::Class(end) => {
                        e.insert("state".into(), RENAMED.into());
                        e.insert("renamed_to".into(), end.into());
                    }
                }
            }
            TRANSFERRED => {
                let Some(to) = &c.transferred_to else {
                    continue;
                };
                e.insert("state".into(), TRANSFERRED.into());
                e.insert("transferred_to".into(), to.as_str().into());
            }
            DELETED => {
                e.insert("state".into(), DELETED.into());
            }
            _ => continue,
        }
        out.insert(name.clone(), e);
    }
    out
}

enum RenameEnd<'a> {
    Class(&'a str),
    Deleted,
}

fn rename_end<'a>(classes: &'a BTreeMap<String, LockClass>, mut to: &'a str) -> RenameEnd<'a> {
    let mut seen = HashSet::new();
    while let Some(c) = classes.get(to) {
        if !seen.insert(to) {
            break;
        }
        match (c.state.as_str(), &c.renamed_to) {
            (RENAMED, Some(next)) => to = next,
            (DELETED, _) => return RenameEnd::Deleted,
            _ => break,
        }
    }
    RenameEnd::Class(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{self, Format, Limits, SourceFile};

    fn project(text: &str) -> Project {
        let file = SourceFile::new("blueprint.yaml", Format::Blueprint, text.to_owned());
        let root = source::parse(&file, &Limits::default()).unwrap();
        let (p, d) = crate::model::blueprint::resolve(&file, &root);
        assert!(d.is_empty(), "{d:?}");
        p.unwrap()
    }

    /// A one-worker blueprint with these `durable_objects` entries (YAML flow items).
    fn single(mode: &str, classes: &[&str]) -> Project {
        let mut text = format!(
            "project_name: app\nprovider: cloudflare\nlifecycle: {mode}\nresources:\n  - {{ id: worker, type: cloudflare_worker }}\ndurable_objects:\n"
        );
        for c in classes {
            text.push_str(&format!("  - {c}\n"));
        }
        project(&text)
    }

    fn plan(p: &Project, prev: Option<&LockWorker>) -> (PlannedLifecycle, LockWorker) {
        plan_lifecycle(p, 0, prev).unwrap_or_else(|d| panic!("{d:#?}"))
    }

    fn refused(p: &Project, prev: Option<&LockWorker>) -> Vec<(String, String)> {
        plan_lifecycle(p, 0, prev)
            .expect_err("refused")
            .into_iter()
            .map(|d| (d.rule, d.message))
            .collect()
    }

    fn tags(l: &LockWorker) -> Vec<&str> {
        l.migrations.iter().map(|m| m.tag.as_str()).collect()
    }

    #[test]
    fn the_next_tag_follows_the_previous_pattern() {
        let p = single("migrations", &["{ class_name: A }", "{ class_name: B }"]);
        let prev = LockWorker {
            lifecycle: "migrations".into(),
            migrations: vec![
                LockMigration {
                    tag: "2024-01".into(),
                    new_sqlite_classes: vec!["A".into()],
                    ..LockMigration::default()
                },
                LockMigration {
                    tag: "2024-02".into(),
                    ..LockMigration::default()
                },
            ],
            classes: BTreeMap::from([("A".to_owned(), class(CREATED, "sqlite"))]),
        };
        let (planned, lock) = plan(&p, Some(&prev));
        assert_eq!(tags(&lock), ["2024-01", "2024-02", "2024-03"]);
        assert_eq!(planned.migrations[2].new_sqlite_classes, ["B"]);
        assert_eq!(planned.migrations[..2], prev.migrations[..]);
    }

    #[test]
    fn a_deleted_name_can_be_created_again_with_migrations() {
        let (_, v1) = plan(&single("migrations", &["{ class_name: A }"]), None);
        let (_, v2) = plan(
            &single("migrations", &["{ class_name: A, deleted: true }"]),
            Some(&v1),
        );
        let (_, v3) = plan(&single("migrations", &["{ class_name: A }"]), Some(&v2));
        assert_eq!(v3.migrations[1].deleted_classes, ["A"]);
        assert_eq!(v3.migrations[2].new_sqlite_classes, ["A"]);
        assert_eq!(v3.classes["A"].state, CREATED);
        // With exports, the tombstone holds the name.
        let (_, e1) = plan(&single("exports", &["{ class_name: A }"]), None);
        let (_, e2) = plan(
            &single("exports", &["{ class_name: A, deleted: true }"]),
            Some(&e1),
        );
        let e = refused(&single("exports", &["{ class_name: A }"]), Some(&e2));
        assert_eq!(e[0].0, LIFECYCLE_CONFLICT);
    }

    #[test]
    fn exports_declare_a_tombstone_for_a_class_doforge_never_created() {
        let (planned, lock) = plan(
            &single(
                "exports",
                &["{ class_name: A }", "{ class_name: Old, deleted: true }"],
            ),
            None,
        );
        assert_eq!(
            serde_json::to_value(&planned.exports["Old"]).unwrap(),
            serde_json::json!({ "type": "durable-object", "state": "deleted" })
        );
        assert_eq!(lock.classes["Old"].state, DELETED);
        // With migrations there is nothing to delete.
        let (planned, _) = plan(
            &single(
                "migrations",
                &["{ class_name: A }", "{ class_name: Old, deleted: true }"],
            ),
            None,
        );
        assert!(planned.migrations[0].deleted_classes.is_empty());
    }

    #[test]
    fn rename_tombstones_name_the_live_end_of_a_chain() {
        let (_, l1) = plan(&single("exports", &["{ class_name: A }"]), None);
        let (_, l2) = plan(
            &single("exports", &["{ class_name: B, renamed_from: A }"]),
            Some(&l1),
        );
        let (p3, l3) = plan(
            &single("exports", &["{ class_name: C, renamed_from: B }"]),
            Some(&l2),
        );
        assert_eq!(l3.classes["A"].renamed_to.as_deref(), Some("B"));
        assert_eq!(p3.exports["A"]["renamed_to"], "C");
        assert_eq!(p3.exports["B"]["renamed_to"], "C");
        // The end deleted: the old names' data is to be deleted too.
        let (p4, _) = plan(
            &single("exports", &["{ class_name: C, deleted: true }"]),
            Some(&l3),
        );
        for name in ["A", "B", "C"] {
            assert_eq!(p4.exports[name]["state"], "deleted", "{name}");
        }
    }

    #[test]
    fn contradictory_facts_are_refused() {
        let (_, l1) = plan(
            &single("migrations", &["{ class_name: A }", "{ class_name: B }"]),
            None,
        );
        // A rename onto a class that already exists.
        let e = refused(
            &single(
                "migrations",
                &["{ class_name: A }", "{ class_name: B, renamed_from: A }"],
            ),
            Some(&l1),
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].1.contains("already exists"), "{e:?}");
        // Two renames of one class.
        let e = refused(
            &single(
                "migrations",
                &[
                    "{ class_name: B }",
                    "{ class_name: C, renamed_from: A }",
                    "{ class_name: D, renamed_from: A }",
                ],
            ),
            Some(&l1),
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].1.contains("already renamed from it"), "{e:?}");
        // Renamed and deleted at once.
        let e = refused(
            &single(
                "migrations",
                &[
                    "{ class_name: B }",
                    "{ class_name: A, deleted: true }",
                    "{ class_name: C, renamed_from: A }",
                ],
            ),
            Some(&l1),
        );
        assert!(e[0].1.contains("both kept and deleted"), "{e:?}");
        // A tombstone "renamed from" a class whose rename never happened: `A` keeps its data.
        let e = refused(
            &single(
                "migrations",
                &[
                    "{ class_name: B }",
                    "{ class_name: C, renamed_from: A, deleted: true }",
                ],
            ),
            Some(&l1),
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].1.contains("never planned"), "{e:?}");
    }

    const TWO: &str = "project_name: shop\nprovider: cloudflare\nresources:\n  - { id: api, type: cloudflare_worker, name: shop-api }\n  - { id: jobs, type: cloudflare_worker, name: shop-jobs }\n";

    #[test]
    fn a_transfer_needs_two_workers_and_an_undeclared_source() {
        let p = project(&format!(
            "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\n"
        ));
        let (_, jobs) = plan_lifecycle(&p, 1, None).unwrap();
        // Still declared on `jobs` while `api` takes it over.
        let p = project(&format!(
            "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\n  - {{ class_name: Basket, worker: api, transferred_from: {{ worker: jobs, class: Cart }} }}\n"
        ));
        let e = plan_lifecycle(&p, 1, Some(&jobs)).err().unwrap();
        assert!(e[0].message.contains("still declared"), "{e:?}");
        // From the worker that hosts it.
        let p = project(&format!(
            "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs, transferred_from: {{ worker: shop-jobs, class: Old }} }}\n"
        ));
        let e = plan_lifecycle(&p, 1, None).err().unwrap();
        assert!(
            e[0].help.as_deref().unwrap().contains("renamed_from: Old"),
            "{e:?}"
        );
    }

    #[test]
    fn a_transfer_cannot_target_a_class_that_already_exists() {
        let p = project(&format!(
            "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\n  - {{ class_name: Basket, worker: api }}\n"
        ));
        let (_, api) = plan_lifecycle(&p, 0, None).unwrap();
        let p = project(&format!(
            "{TWO}durable_objects:\n  - {{ class_name: Basket, worker: api, transferred_from: {{ worker: jobs, class: Cart }} }}\n"
        ));
        let e = plan_lifecycle(&p, 0, Some(&api)).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].message.contains("already exists"), "{e:?}");
        // Made by a transfer: the kept fact is harmless.
        let p = project(&format!(
            "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: api, transferred_from: {{ worker: jobs, class: Cart }} }}\n"
        ));
        let (_, moved) = plan_lifecycle(&p, 0, None).unwrap();
        let (again, _) = plan_lifecycle(&p, 0, Some(&moved)).unwrap();
        assert_eq!(again.migrations, moved.migrations);
    }

    #[test]
    fn an_explicit_history_belongs_to_one_worker() {
        let p = project(&format!(
            "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\nmigrations:\n  - {{ tag: v1, new_sqlite_classes: [Cart] }}\n"
        ));
        // `api` hosts nothing: the history is `jobs`'s.
        let (api, _) = plan_lifecycle(&p, 0, None).unwrap();
        assert!(api.migrations.is_empty());
        let (jobs, _) = plan_lifecycle(&p, 1, None).unwrap();
        assert_eq!(jobs.migrations.len(), 1);
        let p = project(&format!(
            "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\n  - {{ class_name: Counter, worker: api }}\nmigrations:\n  - {{ tag: v1, new_sqlite_classes: [Cart] }}\n"
        ));
        // Reported once, by the first worker that hosts classes.
        let e = plan_lifecycle(&p, 0, None).err().unwrap();
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("one Worker's history"), "{e:?}");
        assert!(plan_lifecycle(&p, 1, None).is_ok());
        // And it cannot be combined with `exports`.
        let p = project("project_name: app\nprovider: cloudflare\nlifecycle: exports\nresources:\n  - { id: worker, type: cloudflare_worker }\ndurable_objects:\n  - { class_name: A }\nmigrations:\n  - { tag: v1, new_sqlite_classes: [A] }\n");
        let e = refused(&p, None);
        assert!(e[0].1.contains("mutually exclusive"), "{e:?}");
    }
}
