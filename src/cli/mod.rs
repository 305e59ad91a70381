//! Command-line interface: argument parsing (clap) and one thin file per subcommand. No logic
//! lives here beyond turning arguments into library calls and outcomes into exit codes.

mod check;
mod eject;
mod generate;
mod import;
mod init;
mod inspect;
mod rules;
mod schema;

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::check::{EXIT_CLEAN, EXIT_TOOL_FAILED};
use crate::diagnostics::render::OutputFormat;

/// `doforge --version`: the crate version and the commit it was built from (build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("DOFORGE_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "doforge",
    version = VERSION,
    about = "Check and generate Cloudflare Workers + Durable Objects projects",
    long_about = "doforge checks project blueprints and existing wrangler configs (wrangler.toml, \
wrangler.json, wrangler.jsonc) for structural mistakes and Durable Object pitfalls, with \
file:line:column diagnostics.",
    after_help = "Examples:\n  doforge check                                   # the current directory\n  doforge init my-app --template chat             # a starter blueprint\n  doforge import wrangler.toml --out blueprint.yaml\n  doforge generate blueprint.yaml --out my-app\n  doforge env wrangler.toml --env staging\n\nGetting started: docs/getting-started.md. `doforge <command> --help` has examples for each command.\n\nExit codes: 0 clean (or only infos), 1 errors or warnings found, 2 doforge could not do its job."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check blueprints and wrangler configs (files or directories).
    #[command(
        after_help = "Examples:\n  doforge check\n  doforge check wrangler.toml --env production\n  doforge check services/ --format sarif > doforge.sarif\n  doforge check --fix                 # apply safe fixes\n  doforge check --diff --unsafe-fixes # show every fix, write nothing\n  doforge check - --stdin-filename wrangler.toml --fix < wrangler.toml   # editors: fixed text on stdout\n\nExit codes: 0 clean (or only infos), 1 errors or warnings found, 2 a file could not be read or parsed, or bad arguments."
    )]
    Check(CheckArgs),
    /// Generate a project (wrangler config per worker, lock file) from a blueprint.
    #[command(
        after_help = "Examples:\n  doforge generate blueprint.yaml --out service/\n  doforge generate blueprint.yaml --out service/ --config toml\n  doforge generate blueprint.yaml --out service/ --check   # CI drift gate\n  doforge generate blueprint.yaml --out existing/ --adopt  # take over files doforge did not write\n\nExit codes: 0 done (or up to date with --check), 1 blueprint errors or --check found drift, 2 could not read or write, or nothing was written because a file is in the way (edited by you, not written by doforge, a second wrangler config)."
    )]
    Generate(GenerateArgs),
    /// Hand a class's generated code (its object and logic modules) to you: doforge never
    /// rewrites it again; its bindings, route and migrations stay generated.
    #[command(
        after_help = "Examples:\n  doforge eject AuditLogger --blueprint blueprint.yaml --out service/\n  doforge eject AuditLogger --out service/ --undo --force   # give it back (replaces your code)\n\nExit codes: 0 done, 1 blueprint errors (or a class that cannot be ejected), 2 could not read or write, or a file in the way."
    )]
    Eject(eject::EjectArgs),
    /// Write a starter blueprint (DIR/blueprint.yaml) from a built-in template.
    #[command(
        after_help = "Templates: minimal (default), chat, rate-limiter, audit-log, sessions.\n\nExamples:\n  doforge init my-app --template chat\n  doforge init . --name billing-api --template rate-limiter\n  doforge init my-app --force        # replace my-app/blueprint.yaml\n\nExit codes: 0 written, 2 blueprint.yaml exists (without --force), bad name or could not write."
    )]
    Init(init::InitArgs),
    /// Turn an existing wrangler config into a blueprint; what a blueprint cannot express is
    /// reported as notes on stderr (file:line:column).
    #[command(
        after_help = "Examples:\n  doforge import wrangler.toml > blueprint.yaml\n  doforge import wrangler.jsonc --out blueprint.yaml\n  doforge import services/api/wrangler.toml --out api.blueprint.yaml --force\n\nVars whose values look like secrets are not copied: their names go to `secrets`.\nExit codes: 0 imported (notes do not fail), 2 the config could not be read or has errors, or --out exists."
    )]
    Import(import::ImportArgs),
    /// Print the blueprint JSON Schema (for editors: yaml-language-server, VS Code).
    #[command(
        after_help = "Examples:\n  doforge schema > blueprint.schema.json\n  # then, first line of blueprint.yaml:\n  # yaml-language-server: $schema=./blueprint.schema.json"
    )]
    Schema,
    /// Show the effective configuration of one environment, key by key, with where each value
    /// comes from (set in the env, inherited from the top level, a default, or missing).
    #[command(
        after_help = "Examples:\n  doforge env wrangler.toml --env staging\n  doforge env blueprint.yaml --env production --format json"
    )]
    Env {
        /// A wrangler config or blueprint.
        file: PathBuf,
        /// Environment name (default: the top level).
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        #[arg(long, value_enum, default_value_t = inspect::EnvFormat::Human)]
        format: inspect::EnvFormat,
    },
    /// Draw workers, Durable Object classes, queues, resources and bindings (DOT or Mermaid).
    #[command(
        after_help = "Examples:\n  doforge graph blueprint.yaml | dot -Tsvg > graph.svg\n  doforge graph services/ --format mermaid --env production"
    )]
    Graph {
        /// Files or directories (default: the current directory); several configs form one graph.
        paths: Vec<PathBuf>,
        /// Environment to draw (default: the top level).
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        #[arg(long, value_enum, default_value_t = inspect::GraphFormat::Dot)]
        format: inspect::GraphFormat,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  doforge completions bash > ~/.local/share/bash-completion/completions/doforge\n  doforge completions zsh > ~/.zfunc/_doforge\n  doforge completions fish > ~/.config/fish/completions/doforge.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// List every lint rule with its category, default severity and summary.
    #[command(after_help = "Examples:\n  doforge rules\n  doforge rules --format json")]
    Rules {
        #[arg(long, value_enum, default_value_t = rules::ListFormat::Human)]
        format: rules::ListFormat,
    },
    /// Print a rule's documentation: what it flags, why, an example and the fix.
    #[command(after_help = "Example:\n  doforge explain global-singleton")]
    Explain {
        /// Rule name, e.g. `global-singleton`.
        rule: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check (default: the current directory). Directories are searched
    /// for wrangler.{toml,json,jsonc}, wrangler.<variant>.{toml,json,jsonc} and blueprint YAML
    /// files, skipping node_modules, target and hidden directories; a file given by name is
    /// checked whatever it is called (its format from its extension, else its content).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, alias = "output-format", value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Print the findings and nothing else (no summary or fix counts).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// The file name a config read from stdin (`doforge check -`) is checked as; it decides the
    /// format and where settings are looked for (`wrangler.toml`, `services/api/wrangler.jsonc`).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Only report findings for this environment (and the top level), like `wrangler --env`.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Exit 0 even when errors or warnings are found (exit 2 for tool failures stays).
    #[arg(long)]
    pub exit_zero: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Worker threads for multi-file runs (0 = one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub jobs: usize,
    /// Judge dates against this day instead of today (YYYY-MM-DD; for reproducible runs).
    #[arg(long, value_name = "DATE", hide = true, value_parser = date_arg)]
    pub today: Option<String>,
    /// Also compare migration histories with the merge base of HEAD and REF (default: the
    /// branch's upstream, else origin's default branch), so an edit already committed on a
    /// branch is caught (docs/ci.md).
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Run only these rules (comma-separated or repeated).
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = rule_name)]
    pub select: Vec<String>,
    /// Do not run these rules (comma-separated or repeated).
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = rule_name)]
    pub ignore: Vec<String>,
    /// Apply safe fixes (findings marked `[*]`) to the files, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes (they change what gets deployed: review them) with `--fix` or
    /// `--diff`, and mark them `[*]`.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Adopt doforge on an existing repository: insert a `doforge-ignore` comment above every
    /// current finding (docs/ci.md), so only new findings fail from now on.
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    pub add_noqa: bool,
    /// Print the unified diff of what `--fix` would change and write nothing (exit 1 if there
    /// is a diff).
    #[arg(long)]
    pub diff: bool,
}

/// Input limits (docs/hardening.md): far above any real config, far below what hurts. Hostile input
/// over a limit is refused with exit 2 and a message naming the flag that raises it.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Largest file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::Limits::default().max_file_bytes)]
    pub max_file_size: usize,
    /// Deepest nesting of mappings/lists/tables/arrays accepted.
    #[arg(long, value_name = "LEVELS", default_value_t = crate::source::Limits::default().max_depth)]
    pub max_depth: usize,
    /// Most values a YAML document may expand to once aliases are resolved (alias bombs).
    #[arg(long, value_name = "N", default_value_t = crate::source::Limits::default().max_nodes)]
    pub max_yaml_nodes: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> crate::source::Limits {
        crate::source::Limits {
            max_file_bytes: self.max_file_size,
            max_depth: self.max_depth,
            max_nodes: self.max_yaml_nodes,
        }
    }
}

fn date_arg(s: &str) -> Result<String, String> {
    crate::lint::days_from_civil(s)
        .map(|_| s.to_owned())
        .ok_or_else(|| format!("`{s}` is not a YYYY-MM-DD date"))
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The blueprint to generate from.
    #[arg(value_name = "BLUEPRINT")]
    pub blueprint: PathBuf,
    /// Output directory (created if missing; never a symlink or a file).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Wrangler config format (default: what the last generation wrote, per doforge.lock, else
    /// jsonc).
    #[arg(long, value_enum)]
    pub config: Option<crate::generate::ConfigChoice>,
    /// Which Workers get a Rust (workers-rs) project: `auto` from each Worker's `main` (none or
    /// a `.rs` file), `rust` for every Worker (default: as the last generation, else auto).
    #[arg(long, value_enum)]
    pub lang: Option<crate::generate::Lang>,
    /// List what would change, write nothing.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Exit 1 when the files on disk differ from what would be generated (CI drift gate).
    #[arg(long)]
    pub check: bool,
    /// Discard your edits of doforge's files (replace them, or remove them when no longer
    /// generated). Never touches files that are yours (src/app.rs, hooks, ejected code).
    #[arg(long)]
    pub force: bool,
    /// Take over files in --out that doforge did not write (no doforge.lock entry): replace them
    /// with generated ones.
    #[arg(long)]
    pub adopt: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Validate a rule name given on the command line (a typo is a usage error, exit 2).
fn rule_name(name: &str) -> Result<String, String> {
    if crate::lint::registry::find(name).is_some() {
        return Ok(name.to_owned());
    }
    let all = crate::lint::registry::all().iter().map(|r| r.name);
    Err(match crate::schema::wrangler_keys::suggest(name, all) {
        Some(s) => format!("no rule named `{name}` (did you mean `{s}`?)"),
        None => format!("no rule named `{name}`; `doforge rules` lists them"),
    })
}

/// Run the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    EXIT_CLEAN
                }
                _ => EXIT_TOOL_FAILED,
            };
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::Check(args) => check::run(args, &mut out),
        Command::Generate(args) => generate::run(args, &mut out),
        Command::Eject(args) => eject::run(args, &mut out),
        Command::Init(args) => init::run(args, &mut out),
        Command::Import(args) => import::run(args, &mut out),
        Command::Schema => schema::run(&mut out),
        Command::Env { file, env, format } => inspect::env(file, env, format, &mut out),
        Command::Graph { paths, env, format } => inspect::graph(paths, env, format, &mut out),
        Command::Completions { shell } => inspect::completions(shell, &mut out),
        Command::Rules { format } => rules::list(format, &mut out),
        Command::Explain { rule } => rules::explain(&rule, &mut out),
    };
    finish(result, &mut out)
}

/// Map an I/O outcome to an exit code: a closed pipe (`doforge check | head`) is not an error.
fn finish(result: io::Result<i32>, out: &mut dyn Write) -> i32 {
    match result.and_then(|code| out.flush().map(|_| code)) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            eprintln!("doforge: {e}");
            EXIT_TOOL_FAILED
        }
    }
}
