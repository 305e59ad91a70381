//! The planner's state and the two ways a history is planned: from the blueprint's facts, or
//! from an explicit `migrations:` list.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::history::{created_in, lock_migration, step_is_empty};
use super::{
    class, is_live, storage_str, CLASS_REMOVED, CREATED, DELETED, HISTORY_REWRITTEN,
    LIFECYCLE_CONFLICT, RENAMED,
};
use crate::diagnostics::{Diagnostic, Label};
use crate::generate::lock::{LockClass, LockMigration, LockWorker, LOCK_FILE};
use crate::model::lifecycle::{next_tag, History, Removal};
use crate::model::{DoClass, Lifecycle, LifecycleMode, Project, Sp};
use crate::source::Span;

pub(super) struct Planner<'a> {
    pub(super) project: &'a Project,
    pub(super) index: usize,
    /// The worker's blueprint resource id.
    pub(super) id: Option<&'a str>,
    pub(super) mode: LifecycleMode,
    pub(super) previous: Option<&'a LockWorker>,
    /// The class states after this generation (starts as the previous ones).
    pub(super) classes: BTreeMap<String, LockClass>,
    /// The step this generation appends (migrations mode; empty → none).
    pub(super) step: LockMigration,
    /// Live classes of the lock that the blueprint accounts for (declared, renamed, transferred).
    pub(super) covered: HashSet<String>,
    pub(super) errors: Vec<Diagnostic>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(
        project: &'a Project,
        index: usize,
        previous: Option<&'a LockWorker>,
    ) -> Self {
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

    pub(super) fn prev_migrations(&self) -> &'a [LockMigration] {
        self.previous.map_or(&[], |p| p.migrations.as_slice())
    }

    pub(super) fn prev(&self, class: &str) -> Option<&'a LockClass> {
        self.previous.and_then(|p| p.classes.get(class))
    }

    pub(super) fn prev_live(&self, class: &str) -> Option<&'a LockClass> {
        self.prev(class).filter(|c| is_live(c))
    }

    /// The worker's resource id, for messages.
    pub(super) fn worker_id(&self) -> &str {
        self.id.unwrap_or("worker")
    }

    pub(super) fn script(&self, index: usize) -> String {
        self.project.workers[index]
            .name()
            .map_or_else(String::new, |n| n.value.clone())
    }

    /// `` worker `api` (`shop-api`) ``
    pub(super) fn worker_desc(&self, index: usize) -> String {
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

    pub(super) fn hosts(&self, c: &DoClass) -> bool {
        self.id.is_some() && c.worker.as_ref().map(Sp::as_str) == self.id
    }

    /// The blueprint classes this worker hosts, in blueprint order.
    pub(super) fn hosted(&self) -> Vec<&'a DoClass> {
        let project: &'a Project = self.project;
        project.classes.iter().filter(|c| self.hosts(c)).collect()
    }

    pub(super) fn error(&mut self, rule: &str, span: Span, message: String, help: String) {
        let d =
            Diagnostic::error(rule, message, Label::new(&self.project.file, span)).with_help(help);
        self.errors.push(d);
    }

    /// A `worker:` reference (resource id first, then a script name) → worker index.
    pub(super) fn resolve_worker(&self, value: &str) -> Option<usize> {
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
    pub(super) fn tombstone_yaml(&self, class: &str) -> String {
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
    pub(super) fn check_mode(&mut self) {
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

    pub(super) fn worker_span(&self) -> Span {
        let w = &self.project.workers[self.index];
        w.id.as_ref().map_or(w.span, |i| i.span)
    }

    /// Does the blueprint's explicit `migrations:` list describe this worker? `None`: there is no
    /// explicit list (plan from the facts). An explicit list is one Worker's history: it belongs
    /// to the worker that hosts the blueprint's classes.
    pub(super) fn explicit_applies(&mut self, lc: &Lifecycle) -> Option<bool> {
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
                let span = history_span(lc);
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
    pub(super) fn plan_explicit(&mut self, lc: &Lifecycle) -> Vec<LockMigration> {
        if self.mode == LifecycleMode::Exports {
            let span = history_span(lc);
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
                    history_span(lc),
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
    pub(super) fn plan_facts(&mut self) -> Vec<LockMigration> {
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
    /// Every class the lock has live must still be accounted for.
    pub(super) fn check_vanished(&mut self) {
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

/// Where a finding about the whole explicit history points: the `migrations` key, else its first
/// step.
fn history_span(lc: &Lifecycle) -> Span {
    lc.migrations_origin
        .and_then(|o| o.key_span)
        .unwrap_or(lc.migrations[0].span)
}
