//! Which rules run at which severity, with which options.
//!
//! Sources, later ones winning: each rule's default severity; a `doforge.toml` (or
//! `.doforge.toml`) found upward from the checked file; a blueprint's own `lint:` section; the
//! CLI's `--select` / `--ignore`. In a settings file:
//!
//! ```toml
//! [lint]
//! allow = ["compat-date-stale"]        # off
//! warn  = ["kv-backed-durable-object"] # reported as warning
//! deny  = ["secret-in-vars"]           # reported as error
//!
//! [lint.options.compat-date-stale]
//! max_age_days = 180
//!
//! [lint.per-file-ignores]               # rules off for some paths (see `paths`)
//! "legacy/**" = ["kv-backed-durable-object"]
//! ```
//!
//! and `test-paths` under `[lint]` (which files are test-only configs; see
//! [`super::paths::DEFAULT_TEST_PATHS`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::model::{LintSettings, Sp};
use crate::source::{self, Format, Node, SourceFile, Span};

use super::rule::Rule;
use super::{paths, registry};

/// A rule's options as written (`max_age_days = 180`, …).
pub type RuleOptions = BTreeMap<String, Node>;

/// What the engine does with one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

/// Resolved settings for one file.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    levels: HashMap<&'static str, Level>,
    options: HashMap<String, RuleOptions>,
    /// `--select`: when non-empty, only these rules run.
    select: Vec<String>,
}

static NO_OPTIONS: std::sync::LazyLock<RuleOptions> = std::sync::LazyLock::new(BTreeMap::new);

impl Settings {
    /// The level of a rule after every source was applied.
    pub fn level(&self, rule: &Rule) -> Level {
        if !self.select.is_empty() && !self.select.iter().any(|s| s == rule.name) {
            return Level::Off;
        }
        self.levels
            .get(rule.name)
            .copied()
            .unwrap_or(Level::On(rule.default_severity))
    }

    pub fn options(&self, rule: &str) -> &RuleOptions {
        self.options.get(rule).unwrap_or(&NO_OPTIONS)
    }

    fn set(&mut self, name: &str, level: Level) {
        if let Some(rule) = registry::find(name) {
            self.levels.insert(rule.name, level);
        }
    }

    /// Apply allow/warn/deny lists and options; unknown rule names become diagnostics at the name.
    fn apply(&mut self, lists: &Lists, file: &Arc<SourceFile>, out: &mut Vec<Diagnostic>) {
        for (names, level) in [
            (&lists.allow, Level::Off),
            (&lists.warn, Level::On(Severity::Warning)),
            (&lists.deny, Level::On(Severity::Error)),
        ] {
            for name in names {
                if registry::find(&name.value).is_some() {
                    self.set(&name.value, level);
                } else {
                    out.push(unknown_rule(file, &name.value, name.span));
                }
            }
        }
        for (rule, (span, opts)) in &lists.options {
            if registry::find(rule).is_none() {
                out.push(unknown_rule(file, rule, *span));
                continue;
            }
            self.options.insert(rule.clone(), opts.clone());
        }
    }

    /// Per-file ignores of the settings file, and the rules off for test-only configs.
    fn apply_paths(&mut self, path: &Path, config: Option<&ConfigFile>) {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let base = match config {
            Some(c) => Some(c.dir.clone()),
            None => std::env::current_dir().ok(),
        };
        let segments = paths::segments(&abs, base.as_deref());
        let test_paths: Vec<&str> = match config.and_then(|c| c.lists.test_paths.as_ref()) {
            Some(own) => own.iter().map(String::as_str).collect(),
            None => paths::DEFAULT_TEST_PATHS.to_vec(),
        };
        if test_paths.iter().any(|p| paths::matches(p, &segments)) {
            for name in paths::TEST_PATH_RULES {
                self.set(name, Level::Off);
            }
        }
        for (pattern, rules) in config.map_or(&[][..], |c| &c.lists.per_file_ignores) {
            if paths::matches(pattern, &segments) {
                for r in rules {
                    self.set(&r.value, Level::Off);
                }
            }
        }
    }

    /// CLI `--select` / `--ignore` (validated by the CLI against the registry).
    pub fn apply_cli(&mut self, select: &[String], ignore: &[String]) {
        self.select = select.to_vec();
        for name in ignore {
            self.set(name, Level::Off);
        }
    }
}

fn unknown_rule(file: &Arc<SourceFile>, name: &str, span: Span) -> Diagnostic {
    let help =
        match crate::schema::wrangler_keys::suggest(name, registry::all().iter().map(|r| r.name)) {
            Some(s) => format!("did you mean `{s}`? `doforge rules` lists every rule"),
            None => "`doforge rules` lists every rule".to_owned(),
        };
    Diagnostic::warning(
        "unknown-rule",
        format!("`{name}` is not a doforge rule"),
        Label::new(file, span),
    )
    .with_help(help)
}

/// allow/warn/deny lists with spans, from either settings source.
#[derive(Debug, Default)]
struct Lists {
    allow: Vec<Sp<String>>,
    warn: Vec<Sp<String>>,
    deny: Vec<Sp<String>>,
    options: BTreeMap<String, (Span, RuleOptions)>,
    /// `[lint.per-file-ignores]`: (pattern, rules off for matching paths).
    per_file_ignores: Vec<(String, Vec<Sp<String>>)>,
    /// `test-paths`: None = the built-in default.
    test_paths: Option<Vec<String>>,
}

impl Lists {
    fn from_blueprint(lint: &LintSettings) -> Lists {
        Lists {
            allow: lint.allow.clone(),
            warn: lint.warn.clone(),
            deny: lint.deny.clone(),
            per_file_ignores: Vec::new(),
            test_paths: None,
            options: lint
                .options
                .iter()
                .map(|(k, v)| (k.clone(), (v.span, options_of(v))))
                .collect(),
        }
    }
}

fn options_of(node: &Node) -> RuleOptions {
    node.as_map()
        .unwrap_or_default()
        .iter()
        .map(|e| (e.key.clone(), e.value.clone()))
        .collect()
}

/// A loaded `doforge.toml`: its file (for diagnostics) and lists.
#[derive(Debug)]
struct ConfigFile {
    file: Arc<SourceFile>,
    /// The directory per-path patterns are relative to (absolute).
    dir: PathBuf,
    lists: Lists,
    problems: Vec<Diagnostic>,
}

/// Finds and caches `doforge.toml` files by directory for one run.
#[derive(Debug, Default)]
pub struct SettingsFinder {
    cache: Mutex<HashMap<PathBuf, Option<Arc<ConfigFile>>>>,
    cli_select: Vec<String>,
    cli_ignore: Vec<String>,
}

/// File names looked for, in order, in each directory from the checked file upward.
pub const CONFIG_NAMES: &[&str] = &["doforge.toml", ".doforge.toml"];

impl SettingsFinder {
    pub fn new(select: &[String], ignore: &[String]) -> SettingsFinder {
        SettingsFinder {
            cache: Mutex::new(HashMap::new()),
            cli_select: select.to_vec(),
            cli_ignore: ignore.to_vec(),
        }
    }

    /// Settings for a checked file. Problems in settings files are returned once per run (for the
    /// settings file) and problems in a blueprint's `lint:` section with that blueprint.
    pub fn for_file(
        &self,
        path: &Path,
        file: &Arc<SourceFile>,
        blueprint_lint: Option<&LintSettings>,
        settings_problems: &mut Vec<Diagnostic>,
        seen_configs: &mut Vec<PathBuf>,
    ) -> Settings {
        let mut settings = Settings::default();
        let config = self.find(path);
        if let Some(config) = &config {
            settings.apply(&config.lists, &config.file, &mut Vec::new());
            if !seen_configs.contains(&config.file.path) {
                seen_configs.push(config.file.path.clone());
                settings_problems.extend(config.problems.iter().cloned());
            }
        }
        settings.apply_paths(path, config.as_deref());
        if let Some(lint) = blueprint_lint {
            settings.apply(&Lists::from_blueprint(lint), file, settings_problems);
        }
        settings.apply_cli(&self.cli_select, &self.cli_ignore);
        settings
    }

    fn find(&self, path: &Path) -> Option<Arc<ConfigFile>> {
        let abs = std::path::absolute(path).ok()?;
        let mut dir = abs.parent();
        let mut visited = Vec::new();
        let mut found = None;
        while let Some(d) = dir {
            if let Some(cached) = self.cache.lock().ok()?.get(d) {
                found = cached.clone();
                break;
            }
            visited.push(d.to_path_buf());
            if let Some(c) = CONFIG_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
                found = Some(Arc::new(load_config(&c)));
                break;
            }
            dir = d.parent();
        }
        let mut cache = self.cache.lock().ok()?;
        for d in visited {
            cache.insert(d, found.clone());
        }
        found
    }
}

/// Load a `doforge.toml`; every problem is a diagnostic in that file (never fatal to the run).
fn load_config(path: &Path) -> ConfigFile {
    let text = std::fs::read(path)
        .ok()
        .and_then(|b| source::decode(b).ok())
        .unwrap_or_default();
    let display = relative_to_cwd(path);
    let file = SourceFile::new(display, Format::WranglerToml, text);
    let mut problems = Vec::new();
    let mut lists = Lists::default();
    match source::parse(&file, &source::Limits::default()) {
        Err(e) => problems.push(
            Diagnostic::error("settings", e.message, Label::new(&file, e.span))
                .with_help("fix the doforge.toml syntax; its settings are ignored until then"),
        ),
        Ok(root) => {
            for e in root.as_map().unwrap_or_default() {
                if e.key != "lint" {
                    problems.push(
                        Diagnostic::warning(
                            "settings",
                            format!("unknown doforge.toml section `{}`", e.key),
                            Label::new(&file, e.key_span),
                        )
                        .with_help("settings live under `[lint]`: allow, warn, deny and options"),
                    );
                }
            }
            if let Some(lint) = root.get("lint") {
                let strings = |key: &str, problems: &mut Vec<Diagnostic>| -> Vec<Sp<String>> {
                    let Some(v) = lint.get(key) else {
                        return Vec::new();
                    };
                    match v.as_seq() {
                        Some(items) => items
                            .iter()
                            .filter_map(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span)))
                            .collect(),
                        None => {
                            problems.push(Diagnostic::error(
                                "settings",
                                format!("`lint.{key}` should be a list of rule names"),
                                Label::new(&file, v.span),
                            ));
                            Vec::new()
                        }
                    }
                };
                lists.allow = strings("allow", &mut problems);
                lists.warn = strings("warn", &mut problems);
                lists.deny = strings("deny", &mut problems);
                for e in lint.as_map().unwrap_or_default() {
                    match e.key.as_str() {
                        "allow" | "warn" | "deny" => {}
                        "test-paths" => match string_list(&e.value) {
                            Some(v) => {
                                lists.test_paths = Some(v.into_iter().map(|s| s.value).collect())
                            }
                            None => problems.push(Diagnostic::error(
                                "settings",
                                "`lint.test-paths` should be a list of path patterns",
                                Label::new(&file, e.value.span),
                            )),
                        },
                        "per-file-ignores" => {
                            for o in e.value.as_map().unwrap_or_default() {
                                match string_list(&o.value) {
                                    Some(rules) => {
                                        lists.per_file_ignores.push((o.key.clone(), rules))
                                    }
                                    None => problems.push(Diagnostic::error(
                                        "settings",
                                        format!("`lint.per-file-ignores.\"{}\"` should be a list of rule names", o.key),
                                        Label::new(&file, o.value.span),
                                    )),
                                }
                            }
                        }
                        "options" => {
                            for o in e.value.as_map().unwrap_or_default() {
                                lists
                                    .options
                                    .insert(o.key.clone(), (o.key_span, options_of(&o.value)));
                            }
                        }
                        other => problems.push(
                            Diagnostic::warning(
                                "settings",
                                format!("unknown key `lint.{other}`"),
                                Label::new(&file, e.key_span),
                            )
                            .with_help("`[lint]` takes allow, warn, deny, options, per-file-ignores and test-paths"),
                        ),
                    }
                }
            }
        }
    }
    let mut unknown = Vec::new();
    Settings::default().apply(&lists, &file, &mut unknown);
    for (_, rules) in &lists.per_file_ignores {
        for r in rules {
            if registry::find(&r.value).is_none() {
                unknown.push(unknown_rule(&file, &r.value, r.span));
            }
        }
    }
    problems.extend(unknown);
    let dir = std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    ConfigFile {
        file,
        dir,
        lists,
        problems,
    }
}

fn string_list(node: &Node) -> Option<Vec<Sp<String>>> {
    node.as_seq()?
        .iter()
        .map(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span)))
        .collect()
}

fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}
