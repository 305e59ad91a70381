//! `doforge init [DIR] [--template NAME] [--name NAME] [--force]`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::check::{EXIT_CLEAN, EXIT_TOOL_FAILED};
use crate::scaffold::{self, init};

/// The file `doforge init` writes inside DIR.
pub const BLUEPRINT_FILE: &str = "blueprint.yaml";

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Directory to write `blueprint.yaml` into (created if missing; default: the current one).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Starter blueprint.
    #[arg(long, value_name = "TEMPLATE", default_value = "minimal",
          value_parser = clap::builder::PossibleValuesParser::new(init::TEMPLATES.iter().map(|t| t.name)))]
    pub template: String,
    /// Project name (a Worker name: lowercase letters, digits and `-`). Default: DIR's name,
    /// made valid (`My_App` → `my-app`); refused when nothing of it is usable.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Replace an existing blueprint.yaml.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: InitArgs, out: &mut dyn Write) -> io::Result<i32> {
    let Some(template) = init::template(&args.template) else {
        eprintln!("doforge: no template named `{}`", args.template);
        return Ok(EXIT_TOOL_FAILED);
    };
    let name = match &args.name {
        Some(n) if scaffold::is_project_name(n) => n.clone(),
        Some(n) => {
            eprintln!(
                "doforge: `{n}` is not a valid project name: use 1-63 lowercase letters, digits \
                 and `-`, not starting or ending with `-` (it becomes the Worker's script name), \
                 e.g. `--name {}`",
                scaffold::project_name_from(n, "my-app")
            );
            return Ok(EXIT_TOOL_FAILED);
        }
        None => match name_from_dir(&args.dir, template) {
            Ok(n) => n,
            Err(message) => {
                eprintln!("doforge: {message}");
                return Ok(EXIT_TOOL_FAILED);
            }
        },
    };
    let path = args.dir.join(BLUEPRINT_FILE);
    if path.exists() && !args.force {
        eprintln!(
            "doforge: {} already exists; not overwriting it (pass --force to replace it)",
            path.display()
        );
        return Ok(EXIT_TOOL_FAILED);
    }
    if args.dir.exists() && !args.dir.is_dir() {
        eprintln!("doforge: {} is not a directory", args.dir.display());
        return Ok(EXIT_TOOL_FAILED);
    }
    let text = match init::render(template, &name) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("doforge: {e}");
            return Ok(EXIT_TOOL_FAILED);
        }
    };
    if let Err(e) = scaffold::write_atomically(&path, &text) {
        eprintln!(
            "doforge: could not write {}: {e}; nothing was written",
            path.display()
        );
        return Ok(EXIT_TOOL_FAILED);
    }
    let shown = path.display();
    if args.name.is_none() {
        if let Some(dir) = dir_name(&args.dir).filter(|d| *d != name) {
            writeln!(
                out,
                "project name `{name}` derived from the directory name `{}` (pass --name to choose another)",
                dir.escape_debug()
            )?;
        }
    }
    writeln!(
        out,
        "wrote {shown} (template `{}`, project `{name}`)",
        template.name
    )?;
    writeln!(out, "next:")?;
    writeln!(out, "  doforge check {shown}")?;
    writeln!(
        out,
        "  doforge generate {shown} --out {}",
        args.dir.display()
    )?;
    Ok(EXIT_CLEAN)
}

/// The project name when `--name` is not given: DIR's name, made a valid name (`My_App` →
/// `my-app`) rather than silently replaced. A name with nothing usable in it (`日本`, `___`)
/// is refused; only a DIR with no name at all (`/`) takes the template's own.
fn name_from_dir(dir: &Path, template: &init::Template) -> Result<String, String> {
    let Some(n) = dir_name(dir) else {
        return Ok(init::default_name(template));
    };
    if scaffold::is_project_name(&n) {
        return Ok(n);
    }
    let derived = scaffold::project_name_from(&n, "");
    if derived.is_empty() || !scaffold::is_project_name(&derived) {
        return Err(format!(
            "cannot derive a project name from the directory name `{}`: a project name is 1-63 \
             lowercase ASCII letters, digits and `-` (it becomes the Worker's script name); pass \
             one with --name, e.g. `--name my-app`",
            n.escape_debug()
        ));
    }
    Ok(derived)
}

/// The last component of DIR (of the current directory for `.`).
fn dir_name(dir: &Path) -> Option<String> {
    let full = if dir.as_os_str().is_empty() || dir == Path::new(".") {
        std::env::current_dir().ok()?
    } else {
        dir.to_path_buf()
    };
    Some(full.file_name()?.to_string_lossy().into_owned())
}
