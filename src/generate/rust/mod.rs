//! Generator II: the Rust (workers-rs) project of a Worker — `Cargo.toml`, the router in
//! `src/lib.rs`, one module per Durable Object class implementing its `kind`, plain-Rust logic
//! modules with native unit tests, a README. See docs/generated-project.md.
//!
//! Templates live in `templates/rust/` and are embedded in the binary ([`render`]).

mod cargo_toml;
mod names;
mod options;
mod package_json;
mod render;
mod spec;

use crate::diagnostics::Diagnostic;
use crate::model::{DoKind, Project};

use super::Owner;
use render::Renderer;
pub use spec::WorkerSpec;

/// The shared route logic of the generated projects, compiled into doforge too so that the
/// generator validates `instances.key` templates with exactly the code the Worker runs.
#[path = "../../../templates/rust/logic/route.rs"]
#[allow(dead_code)]
pub(crate) mod route_logic;

/// One file of a Rust project, relative to the Worker's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustFile {
    pub path: String,
    pub content: String,
    pub owner: Owner,
}

/// Plan the Rust project of Worker `index`. Errors are blueprint diagnostics (e.g. a key
/// template naming a route parameter the route does not have).
pub fn plan_worker(
    project: &Project,
    index: usize,
    header: &str,
) -> Result<Vec<RustFile>, Vec<Diagnostic>> {
    plan_worker_keeping(project, index, header, &[], &[])
}

/// [`plan_worker`], also declaring the logic modules `keep_logic` (by module name, e.g.
/// `audit`) whatever the blueprint's kinds: user-owned (ejected) code may still use one after
/// its class changed kind. `ejected` names the classes whose code is the user's (for the
/// README's ownership table and the objects module's docs).
pub fn plan_worker_keeping(
    project: &Project,
    index: usize,
    header: &str,
    keep_logic: &[String],
    ejected: &[&str],
) -> Result<Vec<RustFile>, Vec<Diagnostic>> {
    let mut spec = WorkerSpec::build(project, index)?;
    for object in spec.objects.iter_mut().filter(|o| !o.user) {
        object.ejected = ejected.contains(&object.class.as_str());
    }
    spec.eject_example = spec
        .objects
        .iter()
        .find(|o| !o.user && !o.ejected)
        .map_or_else(|| "CLASS".to_owned(), |o| o.class.clone());
    for &(module, _) in render::LOGIC_MODULES {
        if keep_logic.iter().any(|k| k == module) && !spec.modules.contains(&module) {
            spec.modules.push(module);
        }
    }
    spec.modules.sort_unstable();
    let renderer = Renderer::new().map_err(|e| vec![internal(project, e)])?;
    render_project(&spec, &renderer, header).map_err(|e| vec![internal(project, e)])
}

fn internal(project: &Project, message: String) -> Diagnostic {
    Diagnostic::error(
        "generate-internal",
        format!("doforge could not render the Rust project: {message}"),
        crate::diagnostics::Label::new(&project.file, crate::source::Span::default()),
    )
    .with_help("this is a doforge bug; please report it with the blueprint")
}

/// Make `header` safe for one comment line.
fn comment_line(header: &str) -> String {
    header
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn render_project(
    spec: &WorkerSpec,
    renderer: &Renderer,
    header: &str,
) -> Result<Vec<RustFile>, String> {
    let header = comment_line(header);
    let rs = |text: &str| format!("// {header}\n\n{text}");
    let mut files = Vec::new();
    let mut push = |path: &str, content: String, owner: Owner| {
        files.push(RustFile {
            path: path.to_owned(),
            content,
            owner,
        });
    };
    push(
        "Cargo.toml",
        cargo_toml::render(&spec.crate_name, &header, spec.queue),
        Owner::Doforge,
    );
    push(
        "package.json",
        package_json::render(&spec.crate_name, &header),
        Owner::Doforge,
    );
    push(
        ".gitignore",
        format!("# {header}\n{}", render::GITIGNORE),
        Owner::Doforge,
    );
    let readme = renderer.render("README.md", spec)?;
    push(
        "README.md",
        format!("<!-- {} -->\n\n{readme}", header.replace("--", "- -")),
        Owner::Doforge,
    );
    push(
        "src/lib.rs",
        rs(&renderer.render("lib.rs", spec)?),
        Owner::Doforge,
    );
    for (path, text) in render::STATIC_FILES {
        push(path, rs(text), Owner::Doforge);
    }
    push("src/app.rs", renderer.render("app.rs", spec)?, Owner::User);
    if spec.upstream.is_some() {
        push(
            "src/upstream.rs",
            rs(&renderer.render("upstream.rs", spec)?),
            Owner::Doforge,
        );
    }
    push("src/hooks.rs", render::HOOKS_RS.to_owned(), Owner::User);
    push(
        "src/clients/mod.rs",
        rs(&renderer.render("clients/mod.rs", spec)?),
        Owner::Doforge,
    );
    for (kind, text) in render::CLIENT_KINDS {
        if spec.client_kinds.contains(kind) {
            push(
                &format!("src/clients/kinds/{kind}.rs"),
                rs(text),
                Owner::Doforge,
            );
        }
    }
    for client in &spec.clients {
        push(
            &format!("src/clients/{}.rs", client.module),
            rs(&renderer.render("clients/class.rs", client)?),
            Owner::Doforge,
        );
    }
    if spec.jobs {
        push(
            "src/jobs.rs",
            renderer.render("jobs.rs", spec)?,
            Owner::User,
        );
    }
    push(
        "src/logic/mod.rs",
        rs(&renderer.render("logic/mod.rs", spec)?),
        Owner::Doforge,
    );
    for (module, text) in render::LOGIC_MODULES {
        if spec.modules.iter().any(|m| m == module) {
            push(&format!("src/logic/{module}.rs"), rs(text), Owner::Doforge);
        }
    }
    push(
        "src/objects/mod.rs",
        rs(&renderer.render("objects/mod.rs", spec)?),
        Owner::Doforge,
    );
    for object in &spec.objects {
        let text = renderer.render(object.kind, object)?;
        let path = format!("src/objects/{}.rs", object.module);
        if object.user {
            push(&path, text, Owner::User);
        } else {
            push(&path, rs(&text), Owner::Doforge);
        }
    }
    Ok(files)
}

/// The files that hold one class's code in its Worker's project: what `doforge eject` hands
/// over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassFiles {
    /// `src/objects/<module>.rs`.
    pub object: String,
    /// `src/logic/<module>.rs` of its kind (`None` for `custom`).
    pub logic: Option<String>,
    /// The logic module's name (`audit`).
    pub logic_module: Option<&'static str>,
}

/// Where class `class`'s code lives in Worker `index`'s project (paths relative to the Worker's
/// directory), with the module names the generator gives it. `None` when the Worker does not
/// host the class as a live class.
pub fn class_files(project: &Project, index: usize, class: &str) -> Option<ClassFiles> {
    let id = project.workers[index].id.as_ref().map(|i| i.value.as_str());
    let hosted: Vec<&crate::model::DoClass> = project
        .classes
        .iter()
        .filter(|c| !c.deleted && c.worker.as_ref().map(|w| w.value.as_str()) == id)
        .collect();
    let modules = names::module_names(hosted.iter().map(|c| c.class_name.value.as_str()));
    let (c, module) = hosted
        .iter()
        .zip(modules)
        .find(|(c, _)| c.class_name.value == class)?;
    let logic_module = logic_module(c.kind);
    Some(ClassFiles {
        object: format!("src/objects/{module}.rs"),
        logic: logic_module.map(|m| format!("src/logic/{m}.rs")),
        logic_module,
    })
}

/// The logic module a kind's object uses.
pub fn logic_module(kind: DoKind) -> Option<&'static str> {
    match kind {
        DoKind::Counter => Some("counter"),
        DoKind::RateLimiter => Some("rate_limit"),
        DoKind::ChatRoom => Some("chat"),
        DoKind::AuditLog => Some("audit"),
        DoKind::Session => Some("session"),
        DoKind::Custom => None,
    }
}
