//! `doforge eject CLASS… [--blueprint FILE] [--out DIR]`: hand a class's generated code to the
//! user. A generation like `doforge generate` (same checks, same two-phase write) in which the
//! classes' object and logic modules become user files, recorded in doforge.lock.
//! `--undo --force` gives them back (the generated code replaces the user's).

use std::io::{self, Write};
use std::path::PathBuf;

use super::generate::{pipeline, Request};
use super::LimitArgs;
use crate::check::{EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL_FAILED};
use crate::generate::write::{Mode, Policy};
use crate::generate::{Layout, Ownership};
use crate::model::{DoKind, Sp};

#[derive(Debug, clap::Args)]
pub struct EjectArgs {
    /// The classes whose code becomes yours (class names, as in the blueprint).
    #[arg(value_name = "CLASS", required = true)]
    pub classes: Vec<String>,
    /// The blueprint the project is generated from.
    #[arg(
        long,
        short = 'b',
        value_name = "FILE",
        default_value = "blueprint.yaml"
    )]
    pub blueprint: PathBuf,
    /// The generated project (the directory holding doforge.lock).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Wrangler config format (default: what the last generation wrote).
    #[arg(long, value_enum)]
    pub config: Option<crate::generate::ConfigChoice>,
    /// As `doforge generate --lang` (default: as the last generation).
    #[arg(long, value_enum)]
    pub lang: Option<crate::generate::Lang>,
    /// Give the classes' code back to doforge; needs `--force` (your code is replaced).
    #[arg(long)]
    pub undo: bool,
    /// With `--undo`: replace your code with the generated one.
    #[arg(long, requires = "undo")]
    pub force: bool,
    /// List what would change, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

pub fn run(args: EjectArgs, out: &mut dyn Write) -> io::Result<i32> {
    let request = Request {
        blueprint: &args.blueprint,
        out_dir: &args.out,
        config: args.config,
        lang: args.lang,
        limits: args.limits.limits(),
        mode: if args.dry_run {
            Mode::DryRun
        } else {
            Mode::Write
        },
        policy: Policy {
            reclaim: args.undo && args.force,
            ..Policy::default()
        },
    };
    let mut prepare = |project: &crate::model::Project,
                       lock: Option<&crate::generate::Lock>,
                       out: &mut dyn Write|
     -> io::Result<Result<Ownership, i32>> {
        let layout = Layout::new(project);
        let mut ownership = Ownership::default();
        for name in &args.classes {
            let Some(class) = project
                .classes
                .iter()
                .find(|c| !c.deleted && c.class_name.value == *name)
            else {
                let live: Vec<&str> = project
                    .classes
                    .iter()
                    .filter(|c| !c.deleted)
                    .map(|c| c.class_name.as_str())
                    .collect();
                writeln!(
                    out,
                    "doforge: {} has no live class `{name}` (classes: {})",
                    args.blueprint.display(),
                    if live.is_empty() {
                        "none".to_owned()
                    } else {
                        live.join(", ")
                    }
                )?;
                return Ok(Err(EXIT_FINDINGS));
            };
            let index = project
                .workers
                .iter()
                .position(|w| {
                    w.id.as_ref().map(Sp::as_str) == class.worker.as_ref().map(Sp::as_str)
                })
                .unwrap_or(0);
            let worker = &project.workers[index];
            let id = worker.id.as_ref().map_or("", |i| i.as_str());
            let recorded = lock
                .and_then(|l| l.workers.get(id))
                .and_then(|w| w.ejected.get(name.as_str()));
            if args.undo {
                let Some(recorded) = recorded else {
                    writeln!(out, "doforge: `{name}` is not ejected ({} records no ejection): there is nothing to give back", crate::generate::lock::LOCK_FILE)?;
                    return Ok(Err(EXIT_FINDINGS));
                };
                if class.eject {
                    writeln!(out, "doforge: `{name}` says `eject: true` in {}: remove that first, then undo the ejection", args.blueprint.display())?;
                    return Ok(Err(EXIT_FINDINGS));
                }
                if !args.force {
                    writeln!(
                        out,
                        "doforge: giving `{name}`'s code back to doforge replaces your code in {} with the generated one; pass --force to do it",
                        recorded.files.join(", ")
                    )?;
                    return Ok(Err(EXIT_TOOL_FAILED));
                }
                ownership.undo.push(name.clone());
                continue;
            }
            if class.kind == DoKind::Custom || recorded.is_some() {
                writeln!(
                    out,
                    "doforge: `{name}`'s code is yours already ({})",
                    if recorded.is_some() {
                        "ejected earlier"
                    } else {
                        "kind `custom`"
                    }
                )?;
                continue;
            }
            let rust = args.lang == Some(crate::generate::Lang::Rust)
                || crate::generate::wrangler_config::is_rust_worker(worker)
                || lock.is_some_and(|l| {
                    l.files
                        .contains_key(&layout.worker_file(index, "Cargo.toml"))
                });
            if !rust {
                writeln!(out, "doforge: `{name}` is hosted by a Worker doforge generates no Rust code for (its `main` is not Rust); there is no code to eject")?;
                return Ok(Err(EXIT_FINDINGS));
            }
            ownership.eject.push(name.clone());
        }
        if ownership.eject.is_empty() && ownership.undo.is_empty() {
            return Ok(Err(EXIT_CLEAN));
        }
        Ok(Ok(ownership))
    };
    pipeline(&request, out, &mut prepare)
}
