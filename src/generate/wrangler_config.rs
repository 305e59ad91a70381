//! Model → wrangler.jsonc / wrangler.toml (being written).

use super::{ConfigFormat, PlannedLifecycle};
use crate::model::Project;

/// Render worker `worker`'s wrangler config. `header` is the `@generated` line (without comment
/// marker).
pub fn render_config(
    project: &Project,
    worker: usize,
    lifecycle: &PlannedLifecycle,
    format: ConfigFormat,
    header: &str,
) -> String {
    let _ = (project, worker, lifecycle, format, header);
    todo!("config emitter")
}
