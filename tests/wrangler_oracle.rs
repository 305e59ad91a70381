//! The external oracle: for every warning and error that the real wrangler 4.x prints for a
//! config (`wrangler deploy --dry-run`, top level and every env), doforge must report the same
//! problem in that file (and, where the message names an env, in that env).
//!
//! * Corpus: every wrangler config under `tests/fixtures/`, found at test time. Rule fixtures
//!   (`rules/<rule>/fail*.toml|jsonc|json`, `pass*…`) are copied as `wrangler.<ext>`; fixture
//!   directories (`rules/<rule>/fail*/`, seeds, robustness cases) are copied whole.
//! * Each copy is made runnable offline by `common::wrangler::prepare` (stub entry point
//!   exporting every class the config names, build commands emptied, assets directories
//!   created), then wrangler runs once per target (no `--env`, then `--env <name>` for each env),
//!   several at a time; identical (content, env) pairs run once.
//! * Wrangler's `▲ [WARNING]` / `✘ [ERROR]` blocks are split into single messages and each is
//!   classified by [`TABLE`] (regex → the doforge rules that report that problem). The test
//!   fails for a message that is neither in the table nor in [`ALLOWED`] (so a new wrangler
//!   message cannot slip through), and for a classified message that doforge does not report.
//! * A config doforge cannot load at all (exit 2: `syntax`, `io`) covers whatever wrangler says
//!   about it: both refuse the file.
//!
//! Needs the oracle from `scripts/setup-oracle.sh` (`$DOFORGE_ORACLE_DIR` or `target/oracle`);
//! fails, never skips, without it. `DOFORGE_ORACLE_JOBS` sets the number of parallel wrangler
//! calls (default 3); `DOFORGE_ORACLE_ONLY=part,part` runs only the configs whose path contains
//! one of the parts (for new fixtures; the whole corpus takes about half an hour on two cores).
//! Run with `--nocapture` to see the table of every message and its rule.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use common::wrangler::{self, Level, Message, Run};
use doforge::check::{check_classified, check_paths, discover, CheckOptions, Report};
use doforge::source::Format;
use regex::Regex;

/// The date fixtures are judged on (as in tests/rules.rs).
const TODAY: &str = "2026-06-01";

/// What doforge reports for a wrangler message. `env` in a pattern (a named group) is the env
/// the finding must be attributed to.
struct Class {
    pattern: &'static str,
    rules: &'static [&'static str],
}

/// wrangler message → doforge rule(s), first match wins. Built from wrangler 4.164's output on
/// the fixtures, the seeds and probe configs (and its `normalizeAndValidateConfig` source).
const TABLE: &[Class] = &[
    // An empty JSON(C) file: doforge loads it and says the config is empty.
    Class {
        pattern: r"^ValueExpected\n[^\n]*:1:0:\n1 │\n",
        rules: &["schema", "syntax"],
    },
    // Files wrangler cannot parse (its TOML parser / jsonc-parser error codes).
    Class {
        pattern: r"^(?:Invalid TOML document|InvalidSymbol|InvalidNumberFormat|PropertyNameExpected|ValueExpected|ColonExpected|CommaExpected|CloseBraceExpected|CloseBracketExpected|EndOfFileExpected|InvalidCommentToken|UnexpectedEndOfComment|UnexpectedEndOfString|UnexpectedEndOfNumber|InvalidUnicode|InvalidEscapeCharacter|InvalidCharacter)\b",
        rules: &["syntax"],
    },
    // A top-level list: wrangler reads the indices as keys.
    Class {
        pattern: r#"^Unexpected fields found in top-level field: "\d+""#,
        rules: &["schema"],
    },
    Class {
        pattern: r"^Unexpected fields found in \S+ field: ",
        rules: &["unknown-field"],
    },
    // Keys wrangler 4 deprecated (unknown-field names each with its replacement).
    Class {
        pattern: r#"^"containers\.(?:instances|durable_objects|wrangler_ssh|configuration)" is deprecated|"constraints\.tier" has been deprecated|^The "delivery_delay" field in "[^"]+" is deprecated|^The "pipeline" field in "[^"]+" bindings is deprecated"#,
        rules: &["unknown-field"],
    },
    // Non-inheritable keys and bindings missing from an env.
    Class {
        pattern: r#"^"[^"]+" exists at the top level, but not on "env\.(?P<env>[^"]+)""#,
        rules: &["env-binding-not-inherited"],
    },
    Class {
        pattern: r#"^There is an? \S+ binding with name "[^"]*" at the top level, but not on "env\.(?P<env>[^"]+)""#,
        rules: &["env-binding-not-inherited"],
    },
    Class {
        pattern: r#"^The following (?:vars|bindings|define entries) (?:exist|are) at the top level, but not on "env\.(?P<env>[^".]+)"#,
        rules: &["env-binding-not-inherited"],
    },
    // A Worker name outside wrangler's `^[a-z0-9_][a-z0-9-_]*$`.
    Class {
        pattern: r#"^Expected "(?:[^"]*\.)?name" to be of type string, alphanumeric and lowercase with dashes only"#,
        rules: &["worker-name-invalid"],
    },
    // A bound class no migration/export declares (or only a tombstone does).
    Class {
        pattern: r"you have configured `durable_objects` exported by this Worker \(.*\), but no live `exports` entry",
        rules: &["do-missing-migration", "deleted-class-still-bound"],
    },
    Class {
        pattern: r"^`migrations` and `exports` are mutually exclusive",
        rules: &["migrations-and-exports"],
    },
    Class {
        pattern: r#"Containers are not supported on Durable Objects using the "legacy-kv" storage backend|requires "storage" to be "sqlite""#,
        rules: &["container-requires-sqlite"],
    },
    // Binding name collisions.
    Class {
        pattern: r"^\S+ assigned to Environment Variable and Secret bindings",
        rules: &["duplicate-binding", "secret-in-vars"],
    },
    Class {
        pattern: r"^\S+ assigned to (?:multiple .+|.+ and .+) bindings\.?$",
        rules: &["duplicate-binding"],
    },
    Class {
        pattern: r"^Bindings must have unique names",
        rules: &["duplicate-binding"],
    },
    Class {
        pattern: r#"bindings must have unique "name" values; duplicate\(s\) found"#,
        rules: &["duplicate-binding"],
    },
    // Compatibility date.
    Class {
        pattern: r"^A compatibility_date is required when uploading a Worker",
        rules: &["compat-date-missing"],
    },
    // A malformed date (not YYYY-MM-DD, or en/em dashes).
    Class {
        pattern: r#"^"compatibility_date" field should"#,
        rules: &["compat-date-invalid", "schema", "compat-date-missing"],
    },
    // Conflicting compatibility flags.
    Class {
        pattern: r"^The `[^`]+` and `[^`]+` compatibility flags cannot be used in together",
        rules: &["compat-flag-duplicate"],
    },
    // An empty KV id.
    Class {
        pattern: r#"^"kv_namespaces\[\d+\]" bindings should have a string "id" field"#,
        rules: &["placeholder-id", "schema"],
    },
    // No `name` (wrangler needs one to deploy): a missing required field.
    Class {
        pattern: r"^You need to provide the name of your worker",
        rules: &["schema"],
    },
    Class {
        pattern: r#"^No environment found in configuration with name "(?P<env>[^"]+)""#,
        rules: &["unknown-env"],
    },
    // Incomplete rename/transfer entries: doforge's lifecycle rule explains them.
    Class {
        pattern: r#"^Expected "(?:env\.[^"]+\.)?migrations\[\d+\]\.(?:renamed|transferred)_classes" to be"#,
        rules: &["migration-class-conflict", "schema"],
    },
    // R2 bucket names wrangler refuses.
    Class {
        pattern: r#"r2_buckets\[\d+\]\.(?:preview_)?bucket_name="[^"]*" is invalid"#,
        rules: &["r2-bucket-name-invalid"],
    },
    // Structure and types.
    Class {
        pattern: r#"^(?:Expected "|Expected exactly one of|The field "|the field "|"[^"]+" bindings should|binding should have|"[^"]+" is a required field|"[^"]+" should be an?\b|"exports\.[^"]+" (?:is required|is forbidden|must|cannot)|Allowed properties are:|"[^"]+" has an invalid value)|alphanumeric and lowercase with dashes only|is a TOML date, which is not supported"#,
        rules: &["schema"],
    },
];

/// Messages doforge deliberately does not mirror, with the reason.
const ALLOWED: &[(&str, &str)] = &[(
    r"^Multiple environments are defined in the Wrangler configuration file, but no target environment was specified",
    "a notice about the deploy command line (no --env given), not about the config: every \
     config with envs gets it on a plain `wrangler deploy`, and doforge checks every env itself",
)];

/// Messages that mean the oracle's own set-up failed (stub entry point, build command).
const HARNESS: &[&str] = &[
    r"^Missing entry-point",
    r"^The entry-point file at .* was not found",
    r"^Running custom build",
    r"Could not resolve|Build failed with",
    r"The Docker CLI",
];

static TABLE_RE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    TABLE
        .iter()
        .map(|c| Regex::new(c.pattern).unwrap())
        .collect()
});
static ALLOWED_RE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    ALLOWED
        .iter()
        .map(|(p, _)| Regex::new(p).unwrap())
        .collect()
});
static HARNESS_RE: LazyLock<Vec<Regex>> =
    LazyLock::new(|| HARNESS.iter().map(|p| Regex::new(p).unwrap()).collect());

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// doforge must report one of `rules` (in `env` when set).
    Expect {
        rules: Vec<&'static str>,
        env: Option<String>,
    },
    Allowed(&'static str),
    Harness,
    Unclassified,
}

fn classify(m: &Message, fatal: bool) -> Verdict {
    if fatal {
        return Verdict::Expect {
            rules: vec!["syntax", "io"],
            env: None,
        };
    }
    if HARNESS_RE.iter().any(|re| re.is_match(&m.text)) {
        return Verdict::Harness;
    }
    for (re, (_, reason)) in ALLOWED_RE.iter().zip(ALLOWED) {
        if re.is_match(&m.text) {
            return Verdict::Allowed(reason);
        }
    }
    for (re, class) in TABLE_RE.iter().zip(TABLE) {
        if let Some(caps) = re.captures(&m.text) {
            return Verdict::Expect {
                rules: class.rules.to_vec(),
                env: caps.name("env").map(|e| e.as_str().to_owned()),
            };
        }
    }
    Verdict::Unclassified
}

/// How a config is copied for wrangler and checked by doforge.
#[derive(Debug, Clone)]
struct Case {
    /// The fixture config, as doforge sees it.
    config: PathBuf,
    /// What to copy: a single file (renamed) or a whole directory.
    copy: Source,
    /// The config's path inside the copy.
    config_in_copy: PathBuf,
    /// How doforge checks it (cached per group).
    group: Group,
}

#[derive(Debug, Clone)]
enum Source {
    File { src: PathBuf, as_name: String },
    Dir { src: PathBuf },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Group {
    File(PathBuf, FormatKey),
    Dir(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum FormatKey {
    Toml,
    Json,
}

impl FormatKey {
    fn format(self) -> Format {
        match self {
            FormatKey::Toml => Format::WranglerToml,
            FormatKey::Json => Format::WranglerJson,
        }
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Every wrangler config under tests/fixtures (paths relative to the repo root).
fn corpus() -> Vec<Case> {
    let fixtures = Path::new("tests/fixtures");
    let rules = fixtures.join("rules");
    let mut cases = Vec::new();
    for rule_dir in sorted_entries(&rules).into_iter().filter(|p| p.is_dir()) {
        for entry in sorted_entries(&rule_dir) {
            let name = entry.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.starts_with("fail") || name.starts_with("pass")) {
                continue;
            }
            if entry.is_dir() {
                for (path, format) in discover(std::slice::from_ref(&entry)).files {
                    if format.is_wrangler() {
                        cases.push(Case {
                            config_in_copy: path.strip_prefix(&entry).unwrap().to_path_buf(),
                            config: path,
                            copy: Source::Dir { src: entry.clone() },
                            group: Group::Dir(entry.clone()),
                        });
                    }
                }
                continue;
            }
            let ext = entry.extension().and_then(|e| e.to_str()).unwrap_or("");
            let key = match ext {
                "toml" => FormatKey::Toml,
                "json" | "jsonc" => FormatKey::Json,
                _ => continue,
            };
            let as_name = format!("wrangler.{ext}");
            cases.push(Case {
                config: entry.clone(),
                copy: Source::File {
                    src: entry.clone(),
                    as_name: as_name.clone(),
                },
                config_in_copy: PathBuf::from(as_name),
                group: Group::File(entry.clone(), key),
            });
        }
    }
    let walker = walkdir::WalkDir::new(fixtures)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.path() != rules);
    for entry in walker.filter_map(Result::ok) {
        let path = entry.path();
        let Some(format) = Format::from_path(path).filter(|f| f.is_wrangler()) else {
            continue;
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let key = if format == Format::WranglerToml {
            FormatKey::Toml
        } else {
            FormatKey::Json
        };
        cases.push(Case {
            config: path.to_path_buf(),
            copy: Source::Dir {
                src: path.parent().unwrap().to_path_buf(),
            },
            config_in_copy: PathBuf::from(path.file_name().unwrap()),
            group: Group::File(path.to_path_buf(), key),
        });
    }
    cases
}

/// Copy a case into `into`; returns the config's path in the copy.
fn copy_case(case: &Case, into: &Path) -> PathBuf {
    match &case.copy {
        Source::File { src, as_name } => {
            std::fs::copy(src, into.join(as_name)).expect("copy fixture");
        }
        Source::Dir { src } => copy_dir(src, into),
    }
    into.join(&case.config_in_copy)
}

fn copy_dir(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(src).unwrap();
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create dir");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A hash of everything that is copied (names and bytes) and the config's place in it.
fn content_key(case: &Case) -> u64 {
    let mut h = DefaultHasher::new();
    case.config_in_copy.hash(&mut h);
    match &case.copy {
        Source::File { src, as_name } => {
            as_name.hash(&mut h);
            std::fs::read(src).unwrap_or_default().hash(&mut h);
        }
        Source::Dir { src } => {
            for entry in walkdir::WalkDir::new(src)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
            {
                entry.path().strip_prefix(src).unwrap().hash(&mut h);
                std::fs::read(entry.path()).unwrap_or_default().hash(&mut h);
            }
        }
    }
    h.finish()
}

fn options() -> CheckOptions {
    CheckOptions {
        today: Some(TODAY.to_owned()),
        ..CheckOptions::default()
    }
}

fn check_group(group: &Group) -> Report {
    match group {
        Group::File(path, key) => check_classified(&[(path.clone(), key.format())], &options()),
        Group::Dir(dir) => check_paths(std::slice::from_ref(dir), &options()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn env_label(env: Option<&str>) -> String {
    env.map_or_else(|| "(top)".to_owned(), |e| format!("env.{e}"))
}

/// A wrangler run and the notes of its set-up.
type JobResult = (Run, Vec<String>);

/// One distinct wrangler message of one config, with the targets it was seen in.
struct Seen {
    level: Level,
    message: Message,
    targets: BTreeSet<String>,
    verdict: Verdict,
    /// For `Expect`: does doforge report it?
    reported: Coverage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    Reported,
    /// Not reported because the file silences that rule with a `doforge-ignore:` comment that
    /// is used (doforge found something of that rule to silence).
    Suppressed,
    Missing,
}

/// Rules the file silences with an inline suppression that doforge did not flag as unused.
fn used_suppressions(
    file: &doforge::source::SourceFile,
    findings: &[&doforge::diagnostics::Diagnostic],
) -> BTreeSet<String> {
    doforge::lint::suppress::parse(file)
        .into_iter()
        .filter(|s| {
            !findings.iter().any(|d| {
                d.rule == doforge::lint::suppress::UNUSED
                    && d.primary.span.start >= s.span.start
                    && d.primary.span.end <= s.span.end
            })
        })
        .flat_map(|s| s.rules.into_iter().map(|(name, _)| name))
        .collect()
}

#[test]
fn doforge_reports_every_problem_wrangler_reports() {
    std::env::set_current_dir(manifest_dir()).unwrap();
    let bin = wrangler::wrangler_bin();
    let started = Instant::now();
    let mut cases = corpus();
    assert!(
        cases
            .iter()
            .any(|c| c.config.starts_with("tests/fixtures/seeds")),
        "the corpus has no seed config: is tests/fixtures there?"
    );
    // `DOFORGE_ORACLE_ONLY=a,b`: only the configs whose path contains one of these (a quick run
    // over new fixtures; the full corpus takes half an hour on two cores).
    if let Ok(only) = std::env::var("DOFORGE_ORACLE_ONLY") {
        let parts: Vec<&str> = only.split(',').filter(|p| !p.is_empty()).collect();
        cases.retain(|c| parts.iter().any(|p| c.config.to_string_lossy().contains(p)));
        eprintln!("DOFORGE_ORACLE_ONLY: {} configs", cases.len());
    }

    // Jobs: every (case, target), identical content + target run once.
    let mut targets_of: Vec<Vec<Option<String>>> = Vec::new();
    let mut job_keys: Vec<(u64, Option<String>)> = Vec::new();
    let mut job_of: HashMap<(u64, Option<String>), usize> = HashMap::new();
    let mut case_jobs: Vec<Vec<usize>> = Vec::new();
    let mut job_case: Vec<usize> = Vec::new();
    for (ci, case) in cases.iter().enumerate() {
        let envs = wrangler::read_config(&case.config)
            .map(|(_, root)| wrangler::env_names(&root))
            .unwrap_or_default();
        let targets: Vec<Option<String>> = std::iter::once(None)
            .chain(envs.into_iter().map(Some))
            .collect();
        let key = content_key(case);
        let mut jobs = Vec::new();
        for t in &targets {
            let k = (key, t.clone());
            let id = *job_of.entry(k.clone()).or_insert_with(|| {
                job_keys.push(k);
                job_case.push(ci);
                job_keys.len() - 1
            });
            jobs.push(id);
        }
        targets_of.push(targets);
        case_jobs.push(jobs);
    }
    let total_pairs: usize = case_jobs.iter().map(Vec::len).sum();

    // Run wrangler, a few calls at a time.
    let threads: usize = std::env::var("DOFORGE_ORACLE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<JobResult>>> = Mutex::new(vec![None; job_keys.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads.min(job_keys.len()).max(1) {
            s.spawn(|| loop {
                let j = next.fetch_add(1, Ordering::SeqCst);
                if j >= job_keys.len() {
                    break;
                }
                let case = &cases[job_case[j]];
                let tmp = tempfile::tempdir().expect("temp dir");
                let sandbox = tmp.path().canonicalize().unwrap().join("project");
                std::fs::create_dir_all(&sandbox).unwrap();
                let config = copy_case(case, &sandbox);
                let prepared = wrangler::prepare(&config, &sandbox);
                let run = wrangler::run(
                    &prepared,
                    job_keys[j].1.as_deref(),
                    &tmp.path().join("scratch"),
                );
                results.lock().unwrap()[j] = Some((run, prepared.notes));
            });
        }
    });
    let results: Vec<JobResult> = results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect();
    let wrangler_time = started.elapsed();

    // doforge, once per group.
    let mut reports: BTreeMap<Group, Report> = BTreeMap::new();
    for case in &cases {
        reports
            .entry(case.group.clone())
            .or_insert_with(|| check_group(&case.group));
    }

    let mut problems: Vec<String> = Vec::new();
    let mut table: Vec<String> = Vec::new();
    let (mut n_messages, mut n_distinct, mut n_matched, mut n_allowed) = (0, 0, 0, 0);
    let (mut n_missing, mut n_unclassified) = (0, 0);
    for (ci, case) in cases.iter().enumerate() {
        let report = &reports[&case.group];
        let outcome = report
            .files
            .iter()
            .find(|f| same_file(&f.file.path, &case.config));
        let fatal = outcome.is_some_and(|f| f.fatal);
        let findings: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| same_file(&d.primary.file.path, &case.config))
            .collect();
        let suppressed = outcome
            .map(|o| used_suppressions(&o.file, &findings))
            .unwrap_or_default();
        let label = case.config.display().to_string();
        let mut seen: Vec<Seen> = Vec::new();
        for (target, &job) in targets_of[ci].iter().zip(&case_jobs[ci]) {
            let (run, notes) = &results[job];
            let tlabel = env_label(target.as_deref());
            if run.timed_out {
                problems.push(format!(
                    "HARNESS  {label} [{tlabel}]: wrangler timed out after {:?}\n{}",
                    wrangler::TIMEOUT,
                    indent(&run.output())
                ));
                continue;
            }
            if !run.succeeded() && !run.messages.iter().any(|m| m.level == Level::Error) {
                problems.push(format!(
                    "HARNESS  {label} [{tlabel}]: wrangler exited {:?} without an [ERROR] block \
                     (set-up: {notes:?})\n{}",
                    run.code,
                    indent(&run.output())
                ));
            }
            for m in &run.messages {
                n_messages += 1;
                let verdict = classify(m, fatal);
                if let Some(s) = seen.iter_mut().find(|s| s.message.text == m.text) {
                    s.targets.insert(tlabel.clone());
                    continue;
                }
                let reported = match &verdict {
                    Verdict::Expect { rules, env } => {
                        if findings.iter().any(|d| {
                            rules.contains(&d.rule.as_str())
                                && env.as_deref().is_none_or(|e| d.env.as_deref() == Some(e))
                        }) {
                            Coverage::Reported
                        } else if rules.iter().any(|r| suppressed.contains(*r)) {
                            Coverage::Suppressed
                        } else {
                            Coverage::Missing
                        }
                    }
                    _ => Coverage::Missing,
                };
                seen.push(Seen {
                    level: m.level,
                    message: m.clone(),
                    targets: BTreeSet::from([tlabel.clone()]),
                    verdict,
                    reported,
                });
                if matches!(seen.last().unwrap().verdict, Verdict::Harness) {
                    problems.push(format!(
                        "HARNESS  {label} [{tlabel}]: the oracle's set-up is incomplete \
                         (set-up: {notes:?}); wrangler says:\n{}",
                        indent(&m.text)
                    ));
                }
            }
        }
        for s in &seen {
            n_distinct += 1;
            let targets = s.targets.iter().cloned().collect::<Vec<_>>().join(", ");
            let first = s.message.first_line();
            let (status, class) = match &s.verdict {
                Verdict::Expect { rules, env } => {
                    let want = format!(
                        "{}{}",
                        rules.join(" | "),
                        env.as_deref()
                            .map_or(String::new(), |e| format!(" (env {e})"))
                    );
                    if s.reported == Coverage::Reported {
                        n_matched += 1;
                        ("ok", want)
                    } else if s.reported == Coverage::Suppressed {
                        n_matched += 1;
                        (
                            "ok",
                            format!("{want} (silenced by the file's doforge-ignore)"),
                        )
                    } else {
                        n_missing += 1;
                        problems.push(format!(
                            "MISSING  {label} [{targets}]: wrangler {}: {}\n    expected doforge \
                             rule: {want}; doforge reports here: {}",
                            s.level.as_str(),
                            quote(&s.message.text),
                            found_rules(&findings)
                        ));
                        ("MISSING", want)
                    }
                }
                Verdict::Allowed(_) => {
                    n_allowed += 1;
                    ("allowed", "(allowlisted)".to_owned())
                }
                Verdict::Harness => ("HARNESS", "(oracle set-up)".to_owned()),
                Verdict::Unclassified => {
                    n_unclassified += 1;
                    problems.push(format!(
                        "UNCLASSIFIED  {label} [{targets}]: wrangler {}: {}\n    add it to TABLE \
                         (with the doforge rule that reports it) or to ALLOWED (with a reason)",
                        s.level.as_str(),
                        quote(&s.message.text)
                    ));
                    ("UNCLASSIFIED", "?".to_owned())
                }
            };
            table.push(format!(
                "{status:<12} {label} [{targets}] {}: {first}\n             -> {class}",
                s.level.as_str()
            ));
        }
    }

    assert!(
        n_messages > 0,
        "wrangler printed no warning or error for the whole corpus (the seeds have some): \
         is the output parser still right?"
    );
    let configs = cases.len();
    let summary = format!(
        "wrangler oracle ({}): {configs} configs, {total_pairs} (config, env) targets, {} wrangler \
         runs; {n_messages} messages, {n_distinct} distinct per config: {n_matched} reported by \
         doforge, {n_allowed} allowlisted, {n_missing} missing, {n_unclassified} unclassified; \
         {:.1}s ({:.1}s in wrangler, {threads} parallel)",
        bin.display(),
        job_keys.len(),
        started.elapsed().as_secs_f64(),
        wrangler_time.as_secs_f64(),
    );
    println!("{}\n\n{summary}", table.join("\n"));
    assert!(
        problems.is_empty(),
        "\n{}\n\n{summary}\n(run with --nocapture for the table of every message)",
        problems.join("\n")
    );
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn quote(s: &str) -> String {
    let one = s.split('\n').collect::<Vec<_>>().join(" / ");
    if one.chars().count() > 300 {
        format!("\"{}…\"", one.chars().take(300).collect::<String>())
    } else {
        format!("\"{one}\"")
    }
}

fn found_rules(findings: &[&doforge::diagnostics::Diagnostic]) -> String {
    if findings.is_empty() {
        return "nothing".into();
    }
    findings
        .iter()
        .map(|d| {
            let (line, col) = d.primary.start();
            match &d.env {
                Some(e) => format!("{}@{line}:{col}(env {e})", d.rule),
                None => format!("{}@{line}:{col}", d.rule),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The parser on wrangler 4.164's real output (no wrangler needed).
#[test]
fn splits_wrangler_output_into_messages() {
    let out = r#"
 ⛅️ wrangler 4.164.0
────────────────────
<ESC>[33m▲ <ESC>[43;33m[<ESC>[43;30mWARNING<ESC>[43;33m]<ESC>[0m <ESC>[1mProcessing wrangler.toml configuration:<ESC>[0m

    - Unexpected fields found in durable_objects field: "classes"
    - "env.staging" environment configuration
      - "durable_objects" exists at the top level, but not on "env.staging".
        This is not what you probably want, since "durable_objects" is not inherited by environments.
        Please add "durable_objects" to "env.staging".
      - The following vars exist at the top level, but not on "env.staging.vars".
        Please add these vars to "env.staging.vars":
        - Y
    - "durable_objects.bindings[0]": {"name":"A"}
      - binding should have a string "class_name" field.
  


▲ [WARNING] Multiple environments are defined in the Wrangler configuration file, but no target environment was specified for the deploy command.

  To avoid unintentional changes to the wrong environment, it is recommended.


Total Upload: 0.38 KiB / gzip: 0.25 KiB
✘ [ERROR] A compatibility_date is required when uploading a Worker. Add the following:

      ```
      compatibility_date = "2026-11-17"
🪵  Logs were written to "/x.log"
"#
    .replace("<ESC>", "\x1b");
    let m = wrangler::parse_messages(&out);
    let got: Vec<(Level, Option<&str>, &str)> = m
        .iter()
        .map(|m| (m.level, m.env.as_deref(), m.first_line()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Level::Warning,
                None,
                "Unexpected fields found in durable_objects field: \"classes\""
            ),
            (
                Level::Warning,
                Some("staging"),
                "\"durable_objects\" exists at the top level, but not on \"env.staging\"."
            ),
            (
                Level::Warning,
                Some("staging"),
                "The following vars exist at the top level, but not on \"env.staging.vars\"."
            ),
            (
                Level::Warning,
                None,
                "binding should have a string \"class_name\" field."
            ),
            (
                Level::Warning,
                None,
                "Multiple environments are defined in the Wrangler configuration file, but no \
                 target environment was specified for the deploy command."
            ),
            (
                Level::Error,
                None,
                "A compatibility_date is required when uploading a Worker. Add the following:"
            ),
        ]
    );
    assert!(m[2].text.ends_with("- Y"), "{:?}", m[2].text);
    assert_eq!(
        m[3].context,
        vec!["\"durable_objects.bindings[0]\": {\"name\":\"A\"}"]
    );
    let verdicts: Vec<Verdict> = m.iter().map(|m| classify(m, false)).collect();
    assert_eq!(
        verdicts[1],
        Verdict::Expect {
            rules: vec!["env-binding-not-inherited"],
            env: Some("staging".into())
        }
    );
    assert_eq!(
        verdicts[2],
        Verdict::Expect {
            rules: vec!["env-binding-not-inherited"],
            env: Some("staging".into())
        }
    );
    assert!(matches!(verdicts[4], Verdict::Allowed(_)));
    assert_eq!(
        verdicts[5],
        Verdict::Expect {
            rules: vec!["compat-date-missing"],
            env: None
        }
    );
}

/// The set-up on a config that needs every kind of preparation (no wrangler needed).
#[test]
fn prepares_a_copy_for_a_dry_run() {
    let tmp = tempfile::tempdir().unwrap();
    let sandbox = tmp.path().canonicalize().unwrap();
    let config = sandbox.join("app").join("wrangler.jsonc");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        r#"{
  // comments stay
  "name": "app",
  "compatibility_date": "2026-01-15",
  "build": { "command": "npm run build" },
  "assets": { "directory": "./public" },
  "durable_objects": { "bindings": [
    { "name": "A", "class_name": "Room" },
    { "name": "B", "class_name": "Remote", "script_name": "other" },
    { "name": "C", "class_name": "Bad-Name" }
  ] },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"], "renamed_classes": [{ "from": "Old", "to": "New" }] }],
  "containers": [{ "class_name": "Box", "image": "./docker/Dockerfile" }],
  "env": {
    "staging": { "main": "../escape/../app/dist/staging.ts", "build": { "command": "make" } },
    "bare": { "assets": { "directory": "../../outside" } }
  }
}"#,
    )
    .unwrap();
    let p = wrangler::prepare(&config, &sandbox);
    assert_eq!(p.envs, vec!["staging", "bare"]);
    assert_eq!(p.config, "wrangler.jsonc");
    // Top level and "bare" have assets (inherited for "bare"); staging has a main.
    assert!(p.needs_entry.is_empty(), "{:?}", p.needs_entry);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains(r#""build": { "command": "" }"#), "{text}");
    assert!(
        text.contains(r#""command": "" }"#) && !text.contains("make"),
        "{text}"
    );
    assert!(text.contains("// comments stay"));
    let stub = std::fs::read_to_string(sandbox.join("app/dist/staging.ts")).unwrap();
    for export in ["as Room }", "as New }", "as Box }", "as \"Bad-Name\" }"] {
        assert!(stub.contains(export), "{export} missing from\n{stub}");
    }
    assert!(!stub.contains("Remote"), "{stub}");
    assert!(stub.contains("export default"));
    assert!(sandbox.join("app/public").is_dir());
    assert!(sandbox.join("app/docker/Dockerfile").is_file());
    assert!(!sandbox.join("../outside").exists());
    assert!(
        p.notes.iter().any(|n| n.contains("outside the copy")),
        "{:?}",
        p.notes
    );

    // No main and no assets: the stub goes on the command line, for every target.
    std::fs::write(
        &config,
        "{ \"name\": \"app\", \"env\": { \"x\": { \"vars\": {} } } }",
    )
    .unwrap();
    let p = wrangler::prepare(&config, &sandbox);
    assert_eq!(p.needs_entry, vec![None, Some("x".to_owned())]);
    assert!(sandbox.join("app").join(wrangler::STUB_ENTRY).is_file());
}

/// doforge's idea of the newest compatibility date wrangler can run (`lint::runtime`) is the
/// installed oracle's: its wrangler version, and the date in its bundled workerd's version.
#[test]
fn newest_supported_compatibility_date_is_the_installed_runtimes() {
    let modules = common::wrangler::oracle_dir().join("node_modules");
    let version = |package: &str| -> String {
        let text = std::fs::read_to_string(modules.join(package).join("package.json"))
            .unwrap_or_else(|e| panic!("{package}/package.json: {e}"));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["version"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        version("wrangler"),
        doforge::lint::runtime::WRANGLER_VERSION
    );
    // workerd versions are `1.YYYYMMDD.patch`.
    let workerd = version("workerd");
    let date = workerd.split('.').nth(1).unwrap();
    let date = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..8]);
    assert_eq!(
        date,
        doforge::lint::runtime::NEWEST_SUPPORTED_DATE,
        "workerd {workerd}"
    );
}
