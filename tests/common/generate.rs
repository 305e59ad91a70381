//! Generator test helpers: the blueprint corpus (every example and every valid fixture
//! blueprint), loading one into the model, and generating its wrangler configs in memory.
//!
//! [`generate`] runs the real pipeline (`doforge::generate::plan`, lifecycle planner included;
//! before the planner landed, the one marked line used a test-only first-generation lifecycle).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use doforge::check::{check_classified, CheckOptions};
use doforge::generate::{ConfigChoice, GenerateOptions, Lock, Plan, PlannedFile};
use doforge::model::Project;
use doforge::source::Format;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every blueprint the generator is tested on, relative to the repo root, sorted: each
/// `examples/<dir>/blueprint.yaml` (new examples are picked up automatically), then
/// `tests/fixtures/blueprints/valid-*.yaml`, then the generator's own fixtures
/// `tests/fixtures/generate/*.yaml` (features the examples do not use).
pub fn blueprints() -> Vec<PathBuf> {
    let root = manifest_dir();
    let mut out: Vec<PathBuf> = Vec::new();
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("blueprint.yaml").is_file())
        .map(|p| p.join("blueprint.yaml"))
        .collect();
    examples.sort();
    out.extend(examples);
    out.extend(yaml_files("tests/fixtures/blueprints", "valid-"));
    out.extend(yaml_files("tests/fixtures/generate", ""));
    out.into_iter()
        .map(|p| p.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(p))
        .filter(|p| !REFUSED.iter().any(|(r, _)| p == Path::new(r)))
        .collect()
}

/// Blueprints of the corpus that `doforge generate` refuses by design, with the rule of the
/// error (checked by `generate_configs::refused_blueprints_stay_refused`): left out of
/// [`blueprints`].
pub const REFUSED: &[(&str, &str)] = &[(
    // A transfer between two Workers of a blueprint with environments (docs/generate.md);
    // tests/fixtures/generate/multi-worker-bindings.yaml covers its bindings instead.
    "tests/fixtures/blueprints/valid-multi-worker.yaml",
    "lifecycle-conflict",
)];

/// Just the example blueprints.
pub fn example_blueprints() -> Vec<PathBuf> {
    blueprints()
        .into_iter()
        .filter(|p| p.starts_with("examples"))
        .collect()
}

/// `<dir>/<prefix>*.yaml`, sorted.
fn yaml_files(dir: &str, prefix: &str) -> Vec<PathBuf> {
    let dir = manifest_dir().join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".yaml")
        })
        .collect();
    v.sort();
    v
}

/// A short stable label for a blueprint path (`examples/00-x/blueprint.yaml` → `00-x`,
/// `tests/fixtures/blueprints/valid-full.yaml` → `valid-full`).
pub fn label(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "blueprint.yaml") {
        if let Some(dir) = path.parent().and_then(Path::file_name) {
            return dir.to_string_lossy().into_owned();
        }
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Load a blueprint into the model; panics when it does not load or has an error (the corpus is
/// meant to be generated from, as `doforge generate` requires).
pub fn load(path: &Path) -> Project {
    let full = manifest_dir().join(path);
    let report = check_classified(&[(full, Format::Blueprint)], &CheckOptions::default());
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == doforge::diagnostics::Severity::Error)
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect();
    assert!(
        !report.fatal && errors.is_empty(),
        "{} does not check clean: {errors:?}",
        path.display()
    );
    report
        .files
        .into_iter()
        .next()
        .and_then(|f| f.project)
        .unwrap_or_else(|| panic!("{} holds no project", path.display()))
}

/// The wrangler configs `doforge generate` writes for a first generation, in memory.
pub fn generate(project: &Project, config: ConfigChoice) -> Vec<PlannedFile> {
    wrangler_configs(plan_or_panic(project, None, config).files)
}

/// The real planner's output; panics with the errors when it refuses.
fn plan_or_panic(project: &Project, lock: Option<&Lock>, config: ConfigChoice) -> Plan {
    doforge::generate::plan(
        project,
        lock,
        &GenerateOptions {
            config,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| {
        let errors: Vec<String> = e
            .iter()
            .map(|d| format!("{}: {}", d.rule, d.message))
            .collect();
        panic!("{}: not planned: {errors:#?}", project.file.path.display())
    })
}

/// Only the wrangler configs of a plan (not the lock, not Rust projects).
fn wrangler_configs(files: Vec<PlannedFile>) -> Vec<PlannedFile> {
    files
        .into_iter()
        .filter(|f| {
            let name = f.path.rsplit('/').next().unwrap_or("");
            name == "wrangler.jsonc" || name == "wrangler.toml"
        })
        .collect()
}

/// The lifecycle scenarios of `tests/fixtures/generate/lifecycle/` that generate (not `error-*`),
/// each as `(name, steps in order)`.
pub fn lifecycle_scenarios() -> Vec<(String, Vec<PathBuf>)> {
    let dir = manifest_dir().join("tests/fixtures/generate/lifecycle");
    let mut out: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() || name.starts_with("error-") {
            continue;
        }
        let mut steps: Vec<(u32, PathBuf)> = std::fs::read_dir(entry.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter_map(|e| {
                let file = e.file_name().to_string_lossy().into_owned();
                let n = file
                    .strip_prefix("step")?
                    .strip_suffix(".blueprint.yaml")?
                    .parse()
                    .ok()?;
                let path = e.path();
                Some((n, path.strip_prefix(manifest_dir()).ok()?.to_path_buf()))
            })
            .collect();
        steps.sort();
        out.push((name, steps.into_iter().map(|(_, p)| p).collect()));
    }
    out.sort();
    out
}

/// Generate every step in order, each over the lock the previous one left (as `doforge generate`
/// does over its output directory); the wrangler configs of the last step.
pub fn generate_steps(steps: &[PathBuf], config: ConfigChoice) -> Vec<PlannedFile> {
    let mut lock = None;
    let mut files = Vec::new();
    for step in steps {
        let project = load(step);
        let plan = plan_or_panic(&project, lock.as_ref(), config);
        files = plan.files;
        lock = Some(plan.lock);
    }
    wrangler_configs(files)
}

/// The all-kinds fixture of the Rust generator (every Durable Object kind, odd names).
pub const RUST_ALL_KINDS: &str = "tests/fixtures/generate/rust/all-kinds.blueprint.yaml";

/// The blueprints whose Rust projects are snapshot-tested and built: every example (generated
/// with `--lang rust`, their seed systems being TypeScript), every `doforge init` template
/// (`blueprints/*.yaml`, Rust Workers) and the all-kinds fixture.
pub fn rust_blueprints() -> Vec<PathBuf> {
    let mut v = example_blueprints();
    let root = manifest_dir();
    v.extend(
        yaml_files("blueprints", "")
            .into_iter()
            .map(|p| p.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(p)),
    );
    v.push(PathBuf::from(RUST_ALL_KINDS));
    v
}

/// Every file of a first generation with `--lang rust` (wrangler config as JSONC).
pub fn generate_rust(project: &Project) -> Vec<PlannedFile> {
    let options = GenerateOptions {
        config: ConfigChoice::Jsonc,
        lang: doforge::generate::Lang::Rust,
    };
    doforge::generate::plan(project, None, &options)
        .unwrap_or_else(|e| {
            let errors: Vec<String> = e
                .iter()
                .map(|d| format!("{}: {}", d.rule, d.message))
                .collect();
            panic!("{}: not planned: {errors:#?}", project.file.path.display())
        })
        .files
}
