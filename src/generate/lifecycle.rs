//! Durable Object lifecycle planning (being written).

use std::collections::BTreeMap;

use super::lock::{LockMigration, LockWorker};
use crate::diagnostics::Diagnostic;
use crate::model::Project;

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
    let _ = (project, worker, previous);
    todo!("lifecycle planner")
}
