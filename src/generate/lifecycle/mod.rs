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

mod facts;
mod history;
mod planner;
#[cfg(test)]
mod tests;
mod transfer;

use std::collections::{BTreeMap, HashSet};

use super::lock::{LockClass, LockMigration, LockWorker, LOCK_FILE};
use crate::diagnostics::{Diagnostic, Label};
use crate::model::{LifecycleMode, Project, Storage};
use crate::source::Span;
use history::exports_map;
use planner::Planner;

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
        // Code ownership is planned beside the lifecycle (`generate::ownership`).
        ejected: previous.map(|p| p.ejected.clone()).unwrap_or_default(),
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
