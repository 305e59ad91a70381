//! Transfers between Workers: the receiving side (`transferred_from` on a class) and the giving
//! side (another Worker's class names this one as its source).

use std::collections::HashMap;

use super::planner::Planner;
use super::{
    class, is_live, storage_str, CREATED, EXPECTING_TRANSFER, LIFECYCLE_CONFLICT, TRANSFERRED,
};
use crate::generate::lock::{LockClass, LockTransfer};
use crate::model::{DoClass, LifecycleMode, Project, Sp};

impl<'a> Planner<'a> {
    pub(super) fn plan_transfer_in(
        &mut self,
        c: &DoClass,
        from_worker: &Sp<String>,
        from_class: &Sp<String>,
    ) {
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
    pub(super) fn plan_outgoing_transfers(
        &mut self,
        declared: &HashMap<&str, &DoClass>,
        explicit: bool,
    ) {
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
}
