//! The shape shared by the Usage rules that judge Durable Object classes either from a
//! blueprint's declarations or, for a wrangler project, from the Worker code (`global-singleton`,
//! `websocket-without-hibernation`): one walk, so both kinds of project are read the same way.

use crate::diagnostics::Diagnostic;
use crate::lint::rule::Ctx;
use crate::lint::source_scan::{self, Source};
use crate::model::{DoClass, Project, ProjectKind};

use super::both_config_files::shadowed_by;

/// A blueprint: `per_class` for every live class. A wrangler project: what `prepare` derives from
/// it once, then `per_source` for every Worker source file — nothing when another config file
/// beside this one is the one wrangler reads (that file's check reports the code).
pub(super) fn classes_or_sources<'a, T>(
    cx: &Ctx<'a>,
    per_class: impl Fn(&Ctx, &DoClass) -> Option<Diagnostic>,
    prepare: impl FnOnce(&'a Project) -> T,
    per_source: impl Fn(&Ctx, &Source, &T) -> Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    match cx.project.kind {
        ProjectKind::Blueprint => cx
            .project
            .classes
            .iter()
            .filter(|c| !c.deleted)
            .filter_map(|c| per_class(cx, c))
            .collect(),
        ProjectKind::Wrangler => {
            if shadowed_by(&cx.file().path).is_some() {
                return Vec::new();
            }
            let prepared = prepare(cx.project);
            let mut out = Vec::new();
            for source in source_scan::worker_sources(cx.project) {
                out.extend(per_source(cx, &source, &prepared));
            }
            out
        }
    }
}
