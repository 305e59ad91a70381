//! Who owns the code of each class: ejection (`doforge eject CLASS`, `eject: true`).
//!
//! An ejected class's files — its object module and the logic module of its kind — are handed
//! to the user exactly as generated and recorded in `doforge.lock` (`workers.<id>.ejected`);
//! doforge never rewrites them. Its bindings, route and migrations stay generated. Refused here
//! (as blueprint diagnostics, so `doforge check` reports them too): a kind change that would make
//! doforge replace ejected code, and a class that would be generated against a logic module the
//! user now owns. What happens to files themselves (kept, handed over, removed) is decided when
//! the plan meets the disk ([`super::write`]).

use std::collections::BTreeMap;

use super::layout::Layout;
use super::lock::{LockEjected, LockWorker, LOCK_FILE};
use super::rust;
use crate::diagnostics::{Diagnostic, Label};
use crate::model::{DoClass, DoKind, Project, Sp};

/// An ejected class's `kind` changed to another built-in kind.
pub const EJECTED_KIND_CHANGED: &str = "ejected-kind-changed";
/// A generated class would use a logic module the user owns (ejected with another class).
pub const EJECTED_LOGIC_SHARED: &str = "ejected-logic-shared";

/// Ownership requests besides the blueprint's `eject: true`.
#[derive(Debug, Clone, Default)]
pub struct Ownership {
    /// Classes to eject now (`doforge eject CLASS`).
    pub eject: Vec<String>,
    /// Ejected classes to hand back to doforge (`doforge eject CLASS --undo --force`).
    pub undo: Vec<String>,
}

/// The ejected classes of Rust Worker `index` after this generation (class → its entry, file
/// paths relative to the output directory).
pub fn plan_ejected(
    project: &Project,
    index: usize,
    layout: &Layout,
    previous: Option<&LockWorker>,
    request: &Ownership,
) -> Result<BTreeMap<String, LockEjected>, Vec<Diagnostic>> {
    let mut before = previous.map(|p| p.ejected.clone()).unwrap_or_default();
    before.retain(|class, _| !request.undo.contains(class));
    let id = project.workers[index].id.as_ref().map(Sp::as_str);
    let hosted: Vec<&DoClass> = project
        .classes
        .iter()
        .filter(|c| !c.deleted && c.worker.as_ref().map(Sp::as_str) == id)
        .collect();
    let mut errors = Vec::new();
    let mut ejected = BTreeMap::new();
    for c in &hosted {
        let name = c.class_name.as_str();
        let recorded = before.get(name);
        let wanted = c.eject || request.eject.iter().any(|e| e == name);
        if recorded.is_none() && !wanted {
            continue;
        }
        let Some(files) = rust::class_files(project, index, name) else {
            continue;
        };
        if let Some(old) = recorded {
            if c.kind == DoKind::Custom {
                // `kind: custom` keeps the ejected code as the class's body (and the logic it
                // uses stays declared).
                ejected.insert(name.to_owned(), old.clone());
                continue;
            }
            if old.kind != c.kind.as_str() {
                errors.push(kind_changed(project, c, old));
                continue;
            }
        } else if c.kind == DoKind::Custom {
            // A custom class's code is the user's already.
            continue;
        }
        let mut paths = vec![layout.worker_file(index, &files.object)];
        paths.extend(files.logic.map(|l| layout.worker_file(index, &l)));
        ejected.insert(
            name.to_owned(),
            LockEjected {
                kind: c.kind.as_str().to_owned(),
                files: paths,
            },
        );
    }
    // Generated objects must not be compiled against logic the user owns.
    for c in &hosted {
        let name = c.class_name.as_str();
        if ejected.contains_key(name) || c.kind == DoKind::Custom {
            continue;
        }
        let Some(logic) = rust::logic_module(c.kind) else {
            continue;
        };
        let path = layout.worker_file(index, &format!("src/logic/{logic}.rs"));
        if let Some((owner, _)) = ejected.iter().find(|(_, e)| e.files.contains(&path)) {
            errors.push(
                Diagnostic::error(
                    EJECTED_LOGIC_SHARED,
                    format!(
                        "class `{name}` (kind `{}`) would be generated against `{path}`, which is yours since `{owner}` was ejected; doforge does not generate code that depends on logic you own",
                        c.kind.as_str()
                    ),
                    Label::new(&project.file, c.class_name.span),
                )
                .with_help(format!(
                    "eject `{name}` too (`eject: true` on the class, or `doforge eject {name}`), or hand `{owner}`'s code back to doforge with `doforge eject {owner} --undo --force` (replaces your edits)"
                )),
            );
        }
    }
    if errors.is_empty() {
        Ok(ejected)
    } else {
        Err(errors)
    }
}

fn kind_changed(project: &Project, c: &DoClass, old: &LockEjected) -> Diagnostic {
    let name = c.class_name.as_str();
    let files = old
        .files
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::error(
        EJECTED_KIND_CHANGED,
        format!(
            "class `{name}` is ejected: its code ({files}) is yours and implements kind `{}` ({LOCK_FILE}), but the blueprint now says `kind: {}`, and doforge never rewrites code you own",
            old.kind,
            c.kind.as_str()
        ),
        Label::new(&project.file, c.class_name.span),
    )
    .with_help(format!(
        "keep `kind: {}`; or make it `kind: custom` to keep your code as the class's body (doforge then only binds, routes and migrates it); or hand the code back with `doforge eject {name} --undo --force`, which replaces it with the generated `{}`",
        old.kind,
        c.kind.as_str()
    ))
}

/// The logic modules (`audit`) that ejected code holds, so the project keeps declaring them.
pub fn kept_logic(ejected: &BTreeMap<String, LockEjected>) -> Vec<String> {
    let mut out: Vec<String> = ejected
        .values()
        .flat_map(|e| &e.files)
        .filter_map(|f| {
            let (dir, file) = f.rsplit_once('/')?;
            dir.ends_with("src/logic")
                .then(|| file.strip_suffix(".rs").map(str::to_owned))
                .flatten()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
