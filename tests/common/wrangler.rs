//! The real wrangler 4.x (the "oracle") as a test helper: make a copied project runnable by
//! `wrangler deploy --dry-run` offline ([`prepare`]), run it for one environment ([`run`]), and
//! split what it prints into single warnings and errors ([`parse_messages`]).
//!
//! The oracle is installed by `scripts/setup-oracle.sh` into `$DOFORGE_ORACLE_DIR` or
//! `<repo>/target/oracle`. Without it [`wrangler_bin`] panics and says what to run: a test that
//! needs wrangler never passes silently.
//!
//! Used by `tests/wrangler_oracle.rs` (every fixture config) and meant for generator tests (a
//! generated config must give exit 0 and no warning in every env):
//!
//! ```ignore
//! let p = wrangler::prepare(&dir.join("wrangler.jsonc"), &dir);
//! for env in p.targets() {
//!     let run = wrangler::run(&p, env.as_deref(), &scratch);
//!     assert!(run.succeeded() && run.messages.is_empty(), "{}", run.output());
//! }
//! ```

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use doforge::source::{self, Format, Limits, Node, SourceFile};
use regex::Regex;

/// How long one wrangler call may take (a dry run takes ~1.5 s).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The entry point passed on the command line for a target with neither `main` nor assets.
pub const STUB_ENTRY: &str = "__doforge_oracle_entry.js";

/// Where the oracle is installed.
pub fn oracle_dir() -> PathBuf {
    match std::env::var_os("DOFORGE_ORACLE_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("oracle"),
    }
}

/// The wrangler wrapper written by `scripts/setup-oracle.sh`; panics when it is not installed.
pub fn wrangler_bin() -> PathBuf {
    let bin = oracle_dir().join("bin").join("wrangler");
    assert!(
        bin.is_file(),
        "the wrangler oracle is not installed at {}: run scripts/setup-oracle.sh \
         (or set DOFORGE_ORACLE_DIR to an existing install)",
        bin.display()
    );
    bin
}

/// Node's compile cache for the oracle (shared by all calls; Node checks entries before use).
fn compile_cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("oracle-node-cache")
}

/// Read a wrangler config the way wrangler would (lossy for bad UTF-8), without doforge's own
/// refusals getting in the way. `None` when it does not parse.
pub fn read_config(path: &Path) -> Option<(String, Node)> {
    let bytes = std::fs::read(path).ok()?;
    let text = source::decode(bytes)
        .unwrap_or_else(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned());
    let format = match Format::from_path(path) {
        Some(f) if f.is_wrangler() => f,
        _ => match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Format::WranglerToml,
            _ => Format::WranglerJson,
        },
    };
    let file = SourceFile::new(path, format, text.clone());
    let root = source::parse(&file, &Limits::default()).ok()?;
    Some((text, root))
}

/// The names of the config's `env.<name>` tables, in source order.
pub fn env_names(root: &Node) -> Vec<String> {
    root.get("env")
        .and_then(Node::as_map)
        .map(|m| m.iter().map(|e| e.key.clone()).collect())
        .unwrap_or_default()
}

/// A copied project made runnable by wrangler.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The directory wrangler runs in: the config's own directory.
    pub dir: PathBuf,
    /// The config's file name, passed with `--config`.
    pub config: String,
    /// Every `env.<name>` (empty when the config does not parse).
    pub envs: Vec<String>,
    /// Targets (`None` = top level) with neither `main` nor an assets directory, even inherited:
    /// they get [`STUB_ENTRY`] on the command line.
    pub needs_entry: Vec<Option<String>>,
    /// What was changed or created, for failure messages.
    pub notes: Vec<String>,
}

impl Prepared {
    /// The targets to run: the top level (no `--env`) and then every env.
    pub fn targets(&self) -> Vec<Option<String>> {
        std::iter::once(None)
            .chain(self.envs.iter().cloned().map(Some))
            .collect()
    }
}

/// Make the project around `config` (already a throwaway copy inside `sandbox`) runnable by
/// `wrangler deploy --dry-run`, in place:
///
/// * a stub entry point at every configured `main` (top level and envs) that exports every class
///   the config names (DO bindings without `script_name`, migration and `exports` classes,
///   container and workflow classes) and a default `fetch` handler; a target (top level or env)
///   with neither `main` nor an assets directory, even inherited, gets that stub on the command
///   line instead;
/// * every `build.command` is emptied (wrangler runs it even in a dry run);
/// * every `assets.directory` / `site.bucket` exists, and so does a Dockerfile given as a path in
///   `containers[].image`.
///
/// Nothing is created outside `sandbox`.
pub fn prepare(config: &Path, sandbox: &Path) -> Prepared {
    let dir = config.parent().unwrap_or(Path::new(".")).to_path_buf();
    let name = config
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut p = Prepared {
        dir: dir.clone(),
        config: name,
        envs: Vec::new(),
        needs_entry: Vec::new(),
        notes: Vec::new(),
    };
    let Some((text, root)) = read_config(config) else {
        p.notes.push("config does not parse: no stubs".into());
        return p;
    };
    p.envs = env_names(&root);
    let tables = tables(&root);

    let emptied = empty_build_commands(config, &text, &tables);
    if emptied > 0 {
        p.notes.push(format!("emptied {emptied} build command(s)"));
    }

    let classes = hosted_classes(&tables);
    let stub = stub_source(&classes);
    let mut mains = BTreeSet::new();
    for t in &tables {
        if let Some(m) = t.get("main").and_then(Node::as_str) {
            mains.insert(m.to_owned());
        }
        for dir_value in [
            t.get("assets").and_then(|a| a.get("directory")),
            t.get("site").and_then(|s| s.get("bucket")),
        ]
        .into_iter()
        .flatten()
        .filter_map(Node::as_str)
        {
            match inside(sandbox, &dir, dir_value) {
                Some(path) => {
                    std::fs::create_dir_all(&path).expect("create the assets directory");
                }
                None => p.notes.push(format!(
                    "assets directory {dir_value:?} is outside the copy"
                )),
            }
        }
        for image in t
            .get("containers")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.get("image")?.as_str())
            .filter(|i| !i.contains(':') && !i.contains('@'))
        {
            if let Some(path) = inside(sandbox, &dir, image) {
                if !path.exists() {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).expect("create the Dockerfile's directory");
                    }
                    std::fs::write(&path, "FROM scratch\n").expect("write a stub Dockerfile");
                }
            }
        }
    }
    for main in &mains {
        match inside(sandbox, &dir, main) {
            Some(path) => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).expect("create the entry point's directory");
                }
                std::fs::write(&path, &stub).expect("write the stub entry point");
            }
            None => p
                .notes
                .push(format!("main {main:?} is outside the copy: no stub")),
        }
    }
    // `main`, `assets` and `site` are inheritable: an env without them uses the top level's.
    let has_entry = |t: &Node| {
        t.get("main").and_then(Node::as_str).is_some()
            || t.get("assets")
                .and_then(|a| a.get("directory"))
                .and_then(Node::as_str)
                .is_some()
            || t.get("site")
                .and_then(|s| s.get("bucket"))
                .and_then(Node::as_str)
                .is_some()
    };
    let top_has_entry = has_entry(&root);
    let env_tables = root.get("env").and_then(Node::as_map).unwrap_or_default();
    for target in p.targets() {
        let own = match &target {
            None => top_has_entry,
            Some(name) => {
                top_has_entry
                    || env_tables
                        .iter()
                        .find(|e| &e.key == name)
                        .is_some_and(|e| has_entry(&e.value))
            }
        };
        if !own {
            p.needs_entry.push(target);
        }
    }
    if !p.needs_entry.is_empty() {
        std::fs::write(dir.join(STUB_ENTRY), &stub).expect("write the stub entry point");
        p.notes.push(format!(
            "no main or assets for {:?}: stub entry point passed on the command line",
            p.needs_entry
        ));
    }
    p
}

/// Empty every `build.command` (top level and envs) of the config at `path`, whose text and
/// parsed tables are given, editing the text in place (spans come from doforge's loaders) so
/// wrangler (which runs the command even for `deploy --dry-run` and `dev`) does not. Returns how
/// many commands were emptied.
fn empty_build_commands(path: &Path, text: &str, tables: &[&Node]) -> usize {
    let mut edits: Vec<(usize, usize)> = tables
        .iter()
        .filter_map(|t| t.get("build")?.get("command"))
        .filter(|c| c.as_str().is_some())
        .map(|c| (c.span.start, c.span.end))
        .filter(|&(s, e)| s < e && e <= text.len() && text.is_char_boundary(s))
        .collect();
    if edits.is_empty() {
        return 0;
    }
    edits.sort_unstable();
    edits.dedup();
    let mut edited = text.to_owned();
    for &(s, e) in edits.iter().rev() {
        edited.replace_range(s..e, "\"\"");
    }
    std::fs::write(path, edited).expect("write the edited config");
    edits.len()
}

/// [`empty_build_commands`] for a config file on disk (a throwaway copy): used before `wrangler
/// dev` serves a project that was already built. Panics when the config does not parse.
pub fn empty_build_commands_in(config: &Path) -> usize {
    let (text, root) = read_config(config)
        .unwrap_or_else(|| panic!("{} does not parse as a wrangler config", config.display()));
    empty_build_commands(config, &text, &tables(&root))
}

/// The top-level table and every env table.
fn tables(root: &Node) -> Vec<&Node> {
    let mut out = vec![root];
    if let Some(envs) = root.get("env").and_then(Node::as_map) {
        out.extend(
            envs.iter()
                .map(|e| &e.value)
                .filter(|v| v.as_map().is_some()),
        );
    }
    out
}

/// Every class name the config hosts or declares, in first-seen order.
fn hosted_classes(tables: &[&Node]) -> Vec<String> {
    fn add(out: &mut Vec<String>, name: Option<&str>) {
        if let Some(s) = name {
            if !s.is_empty() && s != "default" && !out.iter().any(|c| c == s) {
                out.push(s.to_owned());
            }
        }
    }
    fn seq(n: Option<&Node>) -> &[Node] {
        n.and_then(Node::as_seq).unwrap_or_default()
    }
    let mut out: Vec<String> = Vec::new();
    for t in tables {
        for b in seq(t.get("durable_objects").and_then(|d| d.get("bindings"))) {
            if b.get("script_name").is_none() {
                add(&mut out, b.get("class_name").and_then(Node::as_str));
            }
        }
        for w in seq(t.get("workflows")) {
            if w.get("script_name").is_none() {
                add(&mut out, w.get("class_name").and_then(Node::as_str));
            }
        }
        for m in seq(t.get("migrations")) {
            for key in ["new_classes", "new_sqlite_classes"] {
                for c in seq(m.get(key)) {
                    add(&mut out, c.as_str());
                }
            }
            for key in ["renamed_classes", "transferred_classes"] {
                for r in seq(m.get(key)) {
                    add(&mut out, r.get("to").and_then(Node::as_str));
                }
            }
        }
        if let Some(exports) = t.get("exports").and_then(Node::as_map) {
            for e in exports {
                add(&mut out, Some(&e.key));
            }
        }
        for c in seq(t.get("containers")) {
            add(&mut out, c.get("class_name").and_then(Node::as_str));
        }
    }
    out
}

/// An ES module exporting a class under each name (string export names for names that are not
/// identifiers) and a default fetch handler.
fn stub_source(classes: &[String]) -> String {
    static IDENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[A-Za-z_$][A-Za-z0-9_$]*$").unwrap());
    let mut s = String::from(
        "// Stub written by doforge's wrangler oracle test: every class the config names.\n",
    );
    for (i, c) in classes.iter().enumerate() {
        let exported = if IDENT.is_match(c) {
            c.clone()
        } else {
            serde_json::to_string(c).unwrap()
        };
        s.push_str(&format!(
            "class DoforgeStub{i} {{}}\nexport {{ DoforgeStub{i} as {exported} }};\n"
        ));
    }
    s.push_str("export default { fetch() { return new Response(\"ok\"); } };\n");
    s
}

/// `rel` (relative to `dir`) as a path, when it stays inside `sandbox`.
fn inside(sandbox: &Path, dir: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.is_absolute() {
        return None;
    }
    let mut out = PathBuf::new();
    for c in dir.join(rel).components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out.starts_with(sandbox).then_some(out)
}

/// What one wrangler call did.
#[derive(Debug, Clone)]
pub struct Run {
    /// `None` = top level (no `--env`).
    pub env: Option<String>,
    /// Exit code (`None` when killed, e.g. on timeout).
    pub code: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
    pub messages: Vec<Message>,
    pub elapsed: Duration,
}

impl Run {
    pub fn succeeded(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }
    /// Both streams, without colour codes.
    pub fn output(&self) -> String {
        format!(
            "--- stdout\n{}\n--- stderr\n{}",
            strip_ansi(&self.stdout),
            strip_ansi(&self.stderr)
        )
    }
}

/// Run `wrangler deploy --dry-run` on a prepared project for one target, offline, with
/// [`TIMEOUT`]. `scratch` is an empty directory for the bundle output, logs and wrangler's
/// config home.
pub fn run(p: &Prepared, env: Option<&str>, scratch: &Path) -> Run {
    let bin = wrangler_bin();
    std::fs::create_dir_all(scratch).expect("create the scratch directory");
    let out_path = scratch.join("stdout.txt");
    let err_path = scratch.join("stderr.txt");
    let mut cmd = Command::new(&bin);
    cmd.current_dir(&p.dir)
        .arg("deploy")
        .arg("--dry-run")
        .arg("--outdir")
        .arg(scratch.join("out"))
        .arg("--config")
        .arg(&p.config)
        // Containers: validate the config but do not build images (that needs Docker).
        .arg("--containers-rollout=none");
    if let Some(env) = env {
        cmd.arg("--env").arg(env);
    }
    if p.needs_entry.iter().any(|t| t.as_deref() == env) {
        cmd.arg(STUB_ENTRY);
    }
    cmd.env("WRANGLER_SEND_METRICS", "false")
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0")
        .env("WRANGLER_LOG_PATH", scratch.join("logs"))
        .env("XDG_CONFIG_HOME", scratch.join("config"))
        // Node 22 caches the compiled wrangler bundle: ~20% less CPU per call after the first.
        .env("NODE_COMPILE_CACHE", compile_cache_dir())
        .env_remove("CLOUDFLARE_ENV")
        .env_remove("CLOUDFLARE_API_TOKEN")
        .env_remove("CLOUDFLARE_ACCOUNT_ID")
        .env_remove("WRANGLER_LOG")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("create stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("create stderr file"));
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {}: {e}", bin.display()));
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for wrangler") {
            break Some(status);
        }
        if start.elapsed() > TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let elapsed = start.elapsed();
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    let stdout = read(&out_path);
    let stderr = read(&err_path);
    let mut messages = parse_messages(&stdout);
    messages.extend(parse_messages(&stderr));
    Run {
        env: env.map(str::to_owned),
        code: status.and_then(|s| s.code()),
        timed_out,
        stdout,
        stderr,
        messages,
        elapsed,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// One warning or error: a whole `▲ [WARNING]` / `✘ [ERROR]` block, or one bullet of a
/// "Processing wrangler.toml configuration:" block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    pub level: Level,
    /// The `"env.<name>" environment configuration` section the bullet was in.
    pub env: Option<String>,
    /// Enclosing section headers (`"durable_objects.bindings[0]": {…}`), outermost first.
    pub context: Vec<String>,
    /// The message: its lines, trimmed, joined with `\n`.
    pub text: String,
}

impl Message {
    pub fn first_line(&self) -> &str {
        self.text.lines().next().unwrap_or("")
    }
}

static ANSI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07").unwrap());
static BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:▲|✘|X|!) \[(WARNING|ERROR)\] ?(.*)$").unwrap());
static PROCESSING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Processing .+ configuration:\s*$").unwrap());
static ENV_SECTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^"env\.([^"]+)" environment configuration\s*$"#).unwrap());

pub fn strip_ansi(s: &str) -> String {
    ANSI.replace_all(s, "").into_owned()
}

/// Split wrangler's output into messages. A block starts at `▲ [WARNING] title` / `✘ [ERROR]
/// title` and runs over the indented (or blank) lines after it. A "Processing … configuration:"
/// block is a bullet list: each bullet is a message, and a bullet whose next line is a deeper
/// bullet is a section (an env, or one binding) whose bullets are the messages.
pub fn parse_messages(output: &str) -> Vec<Message> {
    let clean = strip_ansi(output).replace("\r\n", "\n");
    let lines: Vec<&str> = clean.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(caps) = BLOCK.captures(lines[i]) else {
            i += 1;
            continue;
        };
        let level = if &caps[1] == "ERROR" {
            Level::Error
        } else {
            Level::Warning
        };
        let title = caps[2].trim().to_owned();
        let mut body: Vec<(usize, &str)> = Vec::new();
        i += 1;
        while i < lines.len() {
            let line = lines[i];
            if line.trim().is_empty() {
                i += 1;
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            if indent == 0 {
                break;
            }
            body.push((indent, line.trim()));
            i += 1;
        }
        let bullets = PROCESSING.is_match(&title) && body.iter().any(|(_, t)| t.starts_with("- "));
        if bullets {
            items(&body, level, None, &[], &mut out);
        } else {
            let mut text = title;
            for (_, t) in &body {
                text.push('\n');
                text.push_str(t);
            }
            out.push(Message {
                level,
                env: None,
                context: Vec::new(),
                text,
            });
        }
    }
    out
}

fn items(
    lines: &[(usize, &str)],
    level: Level,
    env: Option<&str>,
    context: &[String],
    out: &mut Vec<Message>,
) {
    let mut i = 0;
    while i < lines.len() {
        let (indent, line) = lines[i];
        let mut j = i + 1;
        while j < lines.len() && lines[j].0 > indent {
            j += 1;
        }
        let children = &lines[i + 1..j];
        let head = line.strip_prefix("- ").unwrap_or(line);
        if line.starts_with("- ") && children.first().is_some_and(|c| c.1.starts_with("- ")) {
            let section_env = ENV_SECTION.captures(head).map(|c| c[1].to_owned());
            let mut ctx = context.to_vec();
            ctx.push(head.to_owned());
            items(children, level, section_env.as_deref().or(env), &ctx, out);
        } else {
            let mut text = head.to_owned();
            for (_, t) in children {
                text.push('\n');
                text.push_str(t);
            }
            out.push(Message {
                level,
                env: env.map(str::to_owned),
                context: context.to_vec(),
                text,
            });
        }
        i = j;
    }
}
