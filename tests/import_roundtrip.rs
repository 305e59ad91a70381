//! `doforge import` round trip: for every seed config and every config `doforge generate` writes
//! for the blueprint corpus (examples, valid fixtures, generator fixtures), import → the blueprint
//! validates → generate → the effective configuration of every environment (the model `doforge
//! env` shows: name, main, compatibility, routes, crons, bindings, vars, secrets, the replayed
//! Durable Object classes, every other key's effective value) equals the original's, except in
//! the keys and environments the import's notes name. A difference no note reports fails.
//!
//! The blueprint and notes of each seed are snapshots (`INSTA_UPDATE=always cargo test --test
//! import_roundtrip`, then read the diffs).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::generate::{blueprints, generate, label, load};
use doforge::check::{load_source, CheckOptions};
use doforge::diagnostics::Severity;
use doforge::generate::{ConfigChoice, GenerateOptions};
use doforge::model::keys;
use doforge::model::{BindingKind, Env, Project};
use doforge::scaffold::import::{import, Note};
use doforge::scaffold::yaml_out::to_yaml;
use doforge::source::{Format, Node, SourceFile};

struct Loaded {
    root: Node,
    project: Project,
}

fn load_text(path: &str, format: Format, text: String) -> Loaded {
    let outcome = load_source(
        SourceFile::new(path, format, text),
        &CheckOptions::default(),
    );
    let errors: Vec<String> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect();
    assert!(errors.is_empty(), "{path} has errors: {errors:#?}");
    Loaded {
        root: outcome
            .root
            .unwrap_or_else(|| panic!("{path} did not load")),
        project: outcome
            .project
            .unwrap_or_else(|| panic!("{path} resolved to nothing")),
    }
}

/// The effective configuration of one env, key → comparable text.
fn effective(root: &Node, env: &Env) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let own_script = env.script_name.as_ref().map(|s| s.value.clone());
    out.insert("name".into(), format!("{own_script:?}"));
    out.insert(
        "main".into(),
        format!("{:?}", env.main.as_ref().map(|m| &m.value)),
    );
    out.insert(
        "compatibility_date".into(),
        format!("{:?}", env.compatibility_date.as_ref().map(|m| &m.value)),
    );
    let flags: Vec<&str> = env.compatibility_flags.iter().map(|f| f.as_str()).collect();
    out.insert("compatibility_flags".into(), format!("{flags:?}"));
    let routes: Vec<String> = env
        .routes
        .iter()
        .map(|r| {
            format!(
                "{} {:?} {:?} {:?}",
                r.pattern.value,
                r.zone_name.as_ref().map(|z| &z.value),
                r.zone_id.as_ref().map(|z| &z.value),
                r.custom_domain
            )
        })
        .collect();
    out.insert("routes".into(), format!("{routes:?}"));
    out.insert(
        "workers_dev".into(),
        format!("{:?}", env.workers_dev.as_ref().map(|w| w.value)),
    );
    let crons: Vec<&str> = env.crons.iter().map(|c| c.as_str()).collect();
    out.insert("triggers".into(), format!("{crons:?}"));
    let mut bindings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for b in &env.bindings {
        let text = match &b.kind {
            BindingKind::DurableObject(d) => {
                // A `script_name` that is this env's own Worker means the same as none.
                let script = d
                    .script_name
                    .as_ref()
                    .map(|s| s.value.clone())
                    .filter(|s| Some(s) != own_script.as_ref());
                format!(
                    "{} → {} @{script:?} env {:?}",
                    b.name.value,
                    d.class_name.value,
                    d.environment.as_ref().map(|e| &e.value)
                )
            }
            kind => format!("{} → {kind:?}", b.name.value).replace('\n', " "),
        };
        // One entry per binding name, so a note about one binding cannot hide another.
        bindings
            .entry(format!("{}.{}", b.wrangler_key(), b.name.value))
            .or_default()
            .push(strip_spans(&text));
    }
    for c in &env.queue_consumers {
        bindings
            .entry("queues.consumers".into())
            .or_default()
            .push(format!(
                "consumer of {:?}",
                c.queue.as_ref().map(|q| &q.value)
            ));
    }
    for (k, mut v) in bindings {
        v.sort();
        out.insert(k, format!("{v:?}"));
    }
    for v in &env.vars {
        out.insert(format!("vars.{}", v.name.value), format!("{:?}", v.value));
    }
    for s in &env.secrets {
        out.insert(format!("secrets.{}", s.value), "required".into());
    }
    // The Durable Object classes the history leaves (live or not, with storage), and the
    // declarative exports: what Cloudflare ends up with, whatever the tags are called.
    let history = env.lifecycle.history();
    let mut classes: Vec<String> = history
        .classes
        .iter()
        .map(|(c, r)| format!("{c} live={} {:?}", r.live, r.storage))
        .collect();
    classes.sort();
    out.insert("migrations".into(), format!("{classes:?}"));
    let mut exports: Vec<String> = env
        .lifecycle
        .exports
        .iter()
        .map(|e| {
            format!(
                "{} {:?} {:?} {:?}",
                e.name.value,
                e.kind.as_ref().map(|k| &k.value),
                e.storage.as_ref().map(|k| &k.value),
                e.state.as_ref().map(|k| &k.value)
            )
        })
        .collect();
    exports.sort();
    out.insert("exports".into(), format!("{exports:?}"));
    // Every other key, as effective in this env (wrangler's inheritance).
    let own = match &env.name {
        None => Some(root),
        Some(n) => root.get("env").and_then(|e| e.get(&n.value)),
    };
    let modelled = [
        "name",
        "main",
        "compatibility_date",
        "compatibility_flags",
        "routes",
        "route",
        "workers_dev",
        "triggers",
        "vars",
        "secrets",
        "migrations",
        "exports",
        "env",
        "$schema",
        "durable_objects",
        "kv_namespaces",
        "r2_buckets",
        "d1_databases",
        "queues",
        "analytics_engine_datasets",
        "hyperdrive",
        "vectorize",
    ];
    let mut keys_seen: Vec<String> = Vec::new();
    for table in [own, env.name.as_ref().map(|_| root)].into_iter().flatten() {
        for e in table.as_map().unwrap_or_default() {
            if !keys_seen.contains(&e.key) {
                keys_seen.push(e.key.clone());
            }
        }
    }
    for key in keys_seen {
        if modelled.contains(&key.as_str()) {
            continue;
        }
        let value = own.and_then(|o| o.get(&key)).or_else(|| {
            let inheritable = !keys::is_non_inheritable(&key) && !keys::is_top_level_only(&key);
            (env.name.is_some() && inheritable)
                .then(|| root.get(&key))
                .flatten()
        });
        if let Some(v) = value {
            out.insert(key, v.to_json().to_string());
        }
    }
    out
}

/// Debug output of model values carries spans (`Span { start: 1, end: 2 }`); drop them.
fn strip_spans(s: &str) -> String {
    let re = regex::Regex::new(r"span: Span \{ start: \d+, end: \d+ \}").unwrap();
    re.replace_all(s, "").into_owned()
}

/// Import `text`, check the blueprint, generate, and return the differences no note explains.
fn roundtrip(path: &str, format: Format, text: String) -> (String, Vec<Note>, Vec<String>) {
    let original = load_text(path, format, text);
    let file = Arc::clone(&original.project.file);
    let imported = import(&file, &original.root, &original.project)
        .unwrap_or_else(|e| panic!("{path}: import failed: {e}"));
    let yaml = to_yaml(&imported.blueprint).unwrap();
    // The blueprint validates (schema and references) …
    let bp = load_text("imported.blueprint.yaml", Format::Blueprint, yaml.clone());
    // … and generates.
    let files = doforge::generate::plan(
        &bp.project,
        None,
        &GenerateOptions {
            config: ConfigChoice::Jsonc,
        },
    )
    .unwrap_or_else(|e| {
        let msgs: Vec<&str> = e.iter().map(|d| d.message.as_str()).collect();
        panic!("{path}: the imported blueprint does not generate: {msgs:#?}\n{yaml}")
    })
    .files;
    let config = files
        .iter()
        .find(|f| f.path.ends_with("wrangler.jsonc"))
        .unwrap_or_else(|| panic!("{path}: no wrangler.jsonc generated"));
    let again = load_text(
        "wrangler.jsonc",
        Format::WranglerJson,
        config.content.clone(),
    );

    let before = &original.project.workers[0];
    let after = &again.project.workers[0];
    let mut unexplained = Vec::new();
    let mut env_names: Vec<Option<String>> = vec![None];
    env_names.extend(original.project.env_names().into_iter().map(Some));
    for n in again.project.env_names() {
        if !env_names.contains(&Some(n.clone())) {
            unexplained.push(format!("env {n} appeared"));
        }
    }
    for name in env_names {
        let Some(a) = before.env(name.as_deref()) else {
            continue;
        };
        let Some(b) = after.env(name.as_deref()) else {
            unexplained.push(format!("env {name:?} vanished"));
            continue;
        };
        let ea = effective(&original.root, a);
        let eb = effective(&again.root, b);
        let all_keys: std::collections::BTreeSet<&String> = ea.keys().chain(eb.keys()).collect();
        for key in all_keys {
            let (x, y) = (ea.get(key), eb.get(key));
            if x == y {
                continue;
            }
            // A note about a whole key (`kv_namespaces`) covers its entries
            // (`kv_namespaces.CACHE`); a note about one entry covers only that one.
            let explained = imported.notes.iter().any(|n| {
                (n.env.is_none() || n.env == name)
                    && n.affects.iter().any(|a| {
                        key == a
                            || key
                                .strip_prefix(a.as_str())
                                .is_some_and(|r| r.starts_with('.'))
                    })
            });
            if !explained {
                unexplained.push(format!(
                    "env {}: `{key}` was {x:?}, is {y:?}",
                    name.as_deref().unwrap_or("(top level)")
                ));
            }
        }
    }
    (yaml, imported.notes, unexplained)
}

fn notes_text(path: &str, text: &str, notes: &[Note]) -> String {
    let file = SourceFile::new(path, Format::WranglerToml, text.to_owned());
    notes
        .iter()
        .map(|n| {
            let (l, c) = file.line_col(n.span.start);
            format!("{l}:{c} [{}] {}\n", n.affects.join(","), n.message)
        })
        .collect()
}

/// The seed configs, then the import fixtures (`tests/fixtures/import/`: every mapping and every
/// kind of note).
fn seed_configs() -> Vec<std::path::PathBuf> {
    let root = common::generate::manifest_dir();
    let mut out: Vec<_> = walk(&root.join("tests/fixtures/seeds"));
    out.sort();
    assert!(out.len() >= 4, "seed configs missing: {out:?}");
    let mut fixtures = walk(&root.join("tests/fixtures/import"));
    fixtures.sort();
    assert!(fixtures.len() >= 2, "import fixtures missing: {fixtures:?}");
    out.extend(fixtures);
    out
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if Format::from_path(&p).is_some_and(Format::is_wrangler) {
            out.push(p);
        }
    }
    out
}

#[test]
fn seed_configs_round_trip() {
    let root = common::generate::manifest_dir();
    for path in seed_configs() {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let format = Format::from_path(&path).unwrap();
        let (yaml, notes, unexplained) = roundtrip(&rel, format, text.clone());
        assert!(
            unexplained.is_empty(),
            "{rel}: differences the import did not report:\n{}\n--- blueprint:\n{yaml}",
            unexplained.join("\n")
        );
        // `tests/fixtures/seeds/000-x/wrangler.jsonc` → `000-x`;
        // `tests/fixtures/import/wrangler.everything.toml` → `wrangler.everything.toml`.
        let name = match rel.split('/').nth(2) {
            Some("seeds") => rel.split('/').nth(3).unwrap_or("seed").to_owned(),
            _ => rel.rsplit('/').next().unwrap_or("config").to_owned(),
        };
        insta::with_settings!({ description => rel.clone(), omit_expression => true }, {
            insta::assert_snapshot!(
                format!("import_{name}"),
                format!("{yaml}--- notes\n{}", notes_text(&rel, &text, &notes))
            );
        });
    }
}

#[test]
fn generated_configs_round_trip() {
    let mut n = 0;
    for path in blueprints() {
        let project = load(&path);
        for f in generate(&project, ConfigChoice::Both) {
            let format = if f.path.ends_with(".toml") {
                Format::WranglerToml
            } else {
                Format::WranglerJson
            };
            let shown = format!("{} → {}", label(&path), f.path);
            let (yaml, _notes, unexplained) = roundtrip(&f.path, format, f.content.clone());
            assert!(
                unexplained.is_empty(),
                "{shown}: differences the import did not report:\n{}\n--- config:\n{}\n--- blueprint:\n{yaml}",
                unexplained.join("\n"),
                f.content
            );
            n += 1;
        }
    }
    assert!(n >= 20, "only {n} generated configs round-tripped");
}

#[test]
fn secret_looking_vars_are_not_copied() {
    let text = r#"name = "api"
main = "src/index.ts"
compatibility_date = "2025-01-01"
[vars]
LOG_LEVEL = "info"
STRIPE_SECRET_KEY = "sk_live_51HqLyjWDarjtT1zdp7dc"
[env.staging.vars]
LOG_LEVEL = "debug"
DATABASE_PASSWORD = "hunter2hunter2"
"#;
    let (yaml, notes, unexplained) = roundtrip("wrangler.toml", Format::WranglerToml, text.into());
    assert!(unexplained.is_empty(), "{unexplained:?}");
    assert!(!yaml.contains("sk_live"), "{yaml}");
    assert!(!yaml.contains("hunter2"), "{yaml}");
    assert!(yaml.contains("STRIPE_SECRET_KEY"), "{yaml}");
    assert!(yaml.contains("DATABASE_PASSWORD"), "{yaml}");
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.message.contains("NOT copied"))
            .count(),
        2,
        "{notes:#?}"
    );
}
