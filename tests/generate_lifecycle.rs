//! The Durable Object lifecycle planner, generation after generation.
//!
//! * Scenarios: `tests/fixtures/generate/lifecycle/<scenario>/step<N>.blueprint.yaml` are
//!   generated in order, each over the lock the previous step left (as `doforge generate` does
//!   over its output directory). Every step must pass `doforge check` without errors (so it is a
//!   blueprint `generate` would accept); scenarios named `error-*` must be refused at their last
//!   step, and only there. Each scenario's emitted lifecycle and lock are snapshot-tested, and the
//!   key outcomes are asserted exactly below.
//! * Properties checked after every generation (scenarios and random histories): the previous
//!   migrations are a prefix of the new ones, at most one step is appended, replaying the
//!   history leaves exactly the classes the lock says are live, the lock never forgets a class,
//!   `exports` entries have the shape wrangler's schema requires, planning is deterministic and
//!   regenerating over its own lock changes nothing.
//! * End to end: planned lifecycles written with `write::apply` into a temp dir, read back from
//!   its `doforge.lock` and regenerated over it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use doforge::check::{check_classified, load_source, CheckOptions};
use doforge::diagnostics::render::{render, OutputFormat, RenderOptions};
use doforge::diagnostics::{Diagnostic, Severity, Summary};
use doforge::generate::lifecycle::{
    check_vanished_workers, plan_lifecycle, PlannedLifecycle, CLASS_REMOVED, WORKER_REMOVED,
};
use doforge::generate::lock::{sha256_hex, Lock, LockFile, LockMigration, LockWorker};
use doforge::generate::write::{apply, ChangeKind, Mode, Policy};
use doforge::generate::{Owner, Plan, PlannedFile};
use doforge::model::lifecycle::History;
use doforge::model::{Migration, Project, RenamedClass, Sp, TransferredClass};
use doforge::source::{Format, SourceFile, Span};
use serde_json::{json, Value};

const SCENARIOS: &str = "tests/fixtures/generate/lifecycle";

fn options() -> CheckOptions {
    CheckOptions {
        today: Some("2026-06-01".to_owned()),
        ignore: vec!["migration-history-rewritten".to_owned()],
        ..CheckOptions::default()
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A blueprint `doforge generate` would accept (checked, no errors).
fn load(path: &Path) -> Project {
    let report = check_classified(&[(path.to_path_buf(), Format::Blueprint)], &options());
    let errors: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(
        errors.is_empty() && !report.fatal,
        "{}: {}",
        path.display(),
        rendered(&report.diagnostics)
    );
    report.files[0]
        .project
        .clone()
        .expect("a checked blueprint")
}

fn rendered(diagnostics: &[Diagnostic]) -> String {
    let mut out = Vec::new();
    let options = RenderOptions {
        color: false,
        width: 100,
    };
    let summary = Summary::count(1, diagnostics);
    render(
        OutputFormat::Human,
        diagnostics,
        &summary,
        &[],
        &options,
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

fn worker_id(project: &Project, index: usize) -> String {
    project.workers[index]
        .id
        .as_ref()
        .map_or_else(String::new, |i| i.value.clone())
}

/// One generation of every worker of the project.
struct Generated {
    lock: Lock,
    /// Per worker id.
    planned: BTreeMap<String, PlannedLifecycle>,
}

fn generate(project: &Project, previous: Option<&Lock>) -> Result<Generated, Vec<Diagnostic>> {
    let mut lock = Lock::new();
    let mut planned = BTreeMap::new();
    let mut errors = Vec::new();
    for index in 0..project.workers.len() {
        let id = worker_id(project, index);
        let before = previous.and_then(|l| l.workers.get(&id));
        match plan_lifecycle(project, index, before) {
            Ok((p, state)) => {
                check_properties(project, index, before, &p, &state);
                planned.insert(id.clone(), p);
                lock.workers.insert(id, state);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if let Some(previous) = previous {
        errors.extend(check_vanished_workers(project, &previous.workers));
    }
    if errors.is_empty() {
        Ok(Generated { lock, planned })
    } else {
        Err(errors)
    }
}

fn model_migration(m: &LockMigration) -> Migration {
    let sp = |s: &String| Sp::new(s.clone(), Span::default());
    Migration {
        tag: Some(sp(&m.tag)),
        new_classes: m.new_classes.iter().map(sp).collect(),
        new_sqlite_classes: m.new_sqlite_classes.iter().map(sp).collect(),
        renamed_classes: m
            .renamed_classes
            .iter()
            .map(|r| RenamedClass {
                from: Some(sp(&r.from)),
                to: Some(sp(&r.to)),
                span: Span::default(),
            })
            .collect(),
        deleted_classes: m.deleted_classes.iter().map(sp).collect(),
        transferred_classes: m
            .transferred_classes
            .iter()
            .map(|t| TransferredClass {
                from: Some(sp(&t.from)),
                from_script: Some(sp(&t.from_script)),
                to: Some(sp(&t.to)),
                span: Span::default(),
            })
            .collect(),
        span: Span::default(),
    }
}

fn is_live(state: &str) -> bool {
    state == "created" || state == "expecting-transfer"
}

/// The properties every successful generation has.
fn check_properties(
    project: &Project,
    index: usize,
    before: Option<&LockWorker>,
    planned: &PlannedLifecycle,
    state: &LockWorker,
) {
    let what = format!("worker {}", worker_id(project, index));
    let prev = before.map_or(&[][..], |p| p.migrations.as_slice());
    // Applied steps are never rewritten; at most one step is appended.
    assert!(
        state.migrations.starts_with(prev),
        "{what}: previous migrations are not a prefix:\n{prev:#?}\n{:#?}",
        state.migrations
    );
    if project.workers[index].top().lifecycle.planned {
        assert!(state.migrations.len() <= prev.len() + 1, "{what}");
    }
    let tags: BTreeSet<&str> = state.migrations.iter().map(|m| m.tag.as_str()).collect();
    assert_eq!(tags.len(), state.migrations.len(), "{what}: duplicate tags");
    // The lock never forgets a class.
    if let Some(p) = before {
        for name in p.classes.keys() {
            assert!(state.classes.contains_key(name), "{what}: forgot {name}");
        }
    }
    match state.lifecycle.as_str() {
        "migrations" => {
            assert_eq!(planned.migrations, state.migrations, "{what}");
            assert!(planned.exports.is_empty(), "{what}");
            // Replaying the history leaves exactly the classes the lock says are live (classes
            // transferred away are live in this Worker's own history: the transfer is the
            // receiving Worker's step).
            let history = History::replay(
                &state
                    .migrations
                    .iter()
                    .map(model_migration)
                    .collect::<Vec<_>>(),
            );
            assert!(
                history.conflicts.is_empty(),
                "{what}: {:?}",
                history.conflicts
            );
            for (name, c) in &state.classes {
                match c.state.as_str() {
                    "created" => assert!(history.is_live(name), "{what}: {name} not live"),
                    "transferred" => {}
                    _ => assert!(!history.is_live(name), "{what}: {name} still live"),
                }
            }
            for (name, rec) in &history.classes {
                if rec.live {
                    let s = state.classes.get(name).map(|c| c.state.as_str());
                    assert!(
                        matches!(s, Some("created" | "transferred")),
                        "{what}: {name} live in the history, {s:?} in the lock"
                    );
                }
            }
        }
        "exports" => {
            assert!(planned.migrations.is_empty(), "{what}");
            check_exports(&what, &planned.exports);
            // Every class ever declared keeps an entry (tombstones forever).
            for name in state.classes.keys() {
                assert!(
                    planned.exports.contains_key(name),
                    "{what}: no entry for {name}"
                );
            }
        }
        other => panic!("{what}: lifecycle {other:?}"),
    }
    // Deterministic, and a no-op over its own lock.
    let again = plan_lifecycle(project, index, before).expect("planned once, plans again");
    assert_eq!(
        (&again.0, &again.1),
        (planned, state),
        "{what}: not deterministic"
    );
    let (replanned, relocked) =
        plan_lifecycle(project, index, Some(state)).expect("regenerating over its own lock");
    assert_eq!(&relocked, state, "{what}: regeneration changed the lock");
    assert_eq!(
        &replanned, planned,
        "{what}: regeneration changed the output"
    );
}

/// The shapes of wrangler 4.164's `DurableObjectExport` (config-schema.json), and rename
/// tombstones naming a live entry of the same map (the API's rule).
fn check_exports(what: &str, exports: &BTreeMap<String, serde_json::Map<String, Value>>) {
    for (name, e) in exports {
        assert_eq!(e["type"], "durable-object", "{what}: {name}");
        let keys: BTreeSet<&str> = e.keys().map(String::as_str).collect();
        let state = e.get("state").and_then(Value::as_str).unwrap_or("created");
        let expected: &[&str] = match state {
            "created" => &["type", "storage"],
            "deleted" => &["type", "state"],
            "renamed" => &["type", "state", "renamed_to"],
            "transferred" => &["type", "state", "transferred_to"],
            "expecting-transfer" => &["type", "state", "storage", "transfer_from"],
            other => panic!("{what}: {name}: state {other}"),
        };
        assert_eq!(
            keys,
            expected.iter().copied().collect(),
            "{what}: {name}: {e:?}"
        );
        if let Some(storage) = e.get("storage") {
            assert!(
                storage == "sqlite" || storage == "legacy-kv",
                "{what}: {name}"
            );
        }
        if let Some(to) = e.get("renamed_to").and_then(Value::as_str) {
            let target = exports.get(to).and_then(|t| t.get("state"));
            assert!(
                exports.contains_key(to)
                    && target.is_none_or(|s| is_live(s.as_str().unwrap_or_default())),
                "{what}: {name} is renamed to {to}, which is not a live entry"
            );
        }
    }
}

/// The steps of a scenario, in order.
fn steps(scenario: &str) -> Vec<PathBuf> {
    let dir = root().join(SCENARIOS).join(scenario);
    let mut steps: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".blueprint.yaml"))
        .collect();
    steps.sort();
    assert!(!steps.is_empty(), "{scenario} has no steps");
    steps
}

/// Generate every step of a scenario; the outcome of each and the snapshot text.
fn run(scenario: &str) -> (Vec<Result<Generated, Vec<Diagnostic>>>, String) {
    std::env::set_current_dir(root()).unwrap();
    let mut lock: Option<Lock> = None;
    let mut outcomes = Vec::new();
    let mut text = String::new();
    for step in steps(scenario) {
        let relative = step.strip_prefix(root()).unwrap().to_path_buf();
        let project = load(&relative);
        let name = relative.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = generate(&project, lock.as_ref());
        match &outcome {
            Ok(g) => {
                text.push_str(&format!("=== {name}\n"));
                for (id, planned) in &g.planned {
                    // The lock's history equals `migrations` in migrations mode (a property
                    // checked for every generation), so it is shown only where it differs.
                    let state = &g.lock.workers[id];
                    let mut doc = json!({ "lifecycle": state.lifecycle });
                    if !planned.migrations.is_empty() {
                        doc["migrations"] = json!(planned.migrations);
                    }
                    if !planned.exports.is_empty() {
                        doc["exports"] = json!(planned.exports);
                    }
                    if state.migrations != planned.migrations {
                        doc["lock.migrations"] = json!(state.migrations);
                    }
                    doc["lock.classes"] = json!(state.classes);
                    text.push_str(&format!(
                        "--- worker {id}\n{}\n",
                        serde_json::to_string_pretty(&doc).unwrap()
                    ));
                }
                lock = Some(g.lock.clone());
            }
            Err(d) => {
                text.push_str(&format!("=== {name}: refused\n{}", rendered(d)));
            }
        }
        let failed = outcome.is_err();
        outcomes.push(outcome);
        if failed {
            break;
        }
    }
    (outcomes, text)
}

fn run_ok(scenario: &str) -> Vec<Generated> {
    let (outcomes, text) = run(scenario);
    insta::assert_snapshot!(scenario, text);
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|d| panic!("{scenario}: {}", rendered(&d))))
        .collect()
}

/// The scenario is refused at its last step (and only there); its diagnostics.
fn run_err(scenario: &str) -> Vec<Diagnostic> {
    let (mut outcomes, text) = run(scenario);
    insta::assert_snapshot!(scenario, text);
    assert_eq!(outcomes.len(), steps(scenario).len(), "{scenario}:\n{text}");
    match outcomes.pop().unwrap() {
        Ok(_) => panic!("{scenario}: the last step was not refused\n{text}"),
        Err(d) => d,
    }
}

fn migrations(g: &Generated, worker: &str) -> Vec<LockMigration> {
    g.planned[worker].migrations.clone()
}

fn step(value: Value) -> LockMigration {
    serde_json::from_value(value).unwrap()
}

fn class_state(g: &Generated, worker: &str, class: &str) -> Value {
    serde_json::to_value(&g.lock.workers[worker].classes[class]).unwrap()
}

#[test]
fn first_generation() {
    let gens = run_ok("first-generation");
    assert_eq!(
        migrations(&gens[0], "worker"),
        [step(json!({
            "tag": "v1",
            "new_classes": ["Sessions"],
            "new_sqlite_classes": ["Counter", "ChatRoom"],
            "transferred_classes": [{ "from": "Ledger", "from_script": "legacy-billing", "to": "Ledger" }],
        }))]
    );
    // A tombstone for a class never created emits nothing and is recorded.
    assert_eq!(
        class_state(&gens[0], "worker", "Gone"),
        json!({ "state": "deleted", "storage": "sqlite" })
    );
    // `renamed_from` a class doforge never created: simply a new class, the old name unrecorded.
    assert!(!gens[0].lock.workers["worker"].classes.contains_key("Room"));
    assert_eq!(
        class_state(&gens[0], "worker", "Sessions"),
        json!({ "state": "created", "storage": "kv" })
    );
}

#[test]
fn new_classes_are_appended_under_the_next_tag() {
    let gens = run_ok("new-class");
    let v1 = step(json!({ "tag": "v1", "new_sqlite_classes": ["Counter"] }));
    let v2 =
        step(json!({ "tag": "v2", "new_classes": ["Legacy"], "new_sqlite_classes": ["Room"] }));
    assert_eq!(migrations(&gens[0], "worker"), std::slice::from_ref(&v1));
    assert_eq!(migrations(&gens[1], "worker"), [v1.clone(), v2.clone()]);
    // The same blueprint again: nothing new, no step.
    assert_eq!(migrations(&gens[2], "worker"), [v1, v2]);
    assert_eq!(gens[2].lock, gens[1].lock);
}

#[test]
fn rename_appends_renamed_classes() {
    let gens = run_ok("rename");
    let v2 =
        step(json!({ "tag": "v2", "renamed_classes": [{ "from": "Room", "to": "ChatRoom" }] }));
    assert_eq!(migrations(&gens[1], "worker")[1], v2);
    assert_eq!(
        class_state(&gens[1], "worker", "Room"),
        json!({ "state": "renamed", "storage": "sqlite", "renamed_to": "ChatRoom" })
    );
    assert_eq!(
        class_state(&gens[1], "worker", "ChatRoom"),
        json!({ "state": "created", "storage": "sqlite" })
    );
    assert_eq!(gens[2].lock, gens[1].lock);
}

#[test]
fn tombstone_appends_deleted_classes() {
    let gens = run_ok("delete");
    assert_eq!(
        migrations(&gens[1], "worker")[1],
        step(json!({ "tag": "v2", "deleted_classes": ["Scratch"] }))
    );
    // Dropping the tombstone afterwards is fine: nothing new, the lock remembers.
    assert_eq!(gens[2].lock, gens[1].lock);
    assert_eq!(
        class_state(&gens[2], "worker", "Scratch"),
        json!({ "state": "deleted", "storage": "sqlite" })
    );
}

#[test]
fn transfer_appends_transferred_classes_on_the_receiving_worker() {
    let gens = run_ok("transfer");
    let api_v1 = step(json!({ "tag": "v1", "new_sqlite_classes": ["Counter"] }));
    let jobs_v1 = step(json!({ "tag": "v1", "new_sqlite_classes": ["Cart"] }));
    assert_eq!(migrations(&gens[0], "api"), std::slice::from_ref(&api_v1));
    assert_eq!(migrations(&gens[0], "jobs"), std::slice::from_ref(&jobs_v1));
    let api_v2 = step(json!({
        "tag": "v2",
        "transferred_classes": [{ "from": "Cart", "from_script": "shop-jobs", "to": "Cart" }],
    }));
    assert_eq!(migrations(&gens[1], "api"), [api_v1, api_v2]);
    // The source emits nothing (the transfer is the receiving Worker's step) and records it.
    assert_eq!(migrations(&gens[1], "jobs"), [jobs_v1]);
    assert_eq!(
        class_state(&gens[1], "jobs", "Cart"),
        json!({ "state": "transferred", "storage": "sqlite", "transferred_to": "shop-api" })
    );
    assert_eq!(gens[2].lock, gens[1].lock);
}

#[test]
fn exports_mode_declares_the_same_facts_with_tombstones_forever() {
    let gens = run_ok("exports");
    let exports = |g: &Generated| serde_json::to_value(&g.planned["worker"].exports).unwrap();
    assert_eq!(
        exports(&gens[0]),
        json!({
            "Counter": { "type": "durable-object", "storage": "sqlite" },
            "Legacy": { "type": "durable-object", "storage": "legacy-kv" },
            "Room": { "type": "durable-object", "storage": "sqlite" },
        })
    );
    let after = json!({
        "ChatRoom": { "type": "durable-object", "storage": "sqlite" },
        "Counter": { "type": "durable-object", "state": "deleted" },
        "Legacy": { "type": "durable-object", "storage": "legacy-kv" },
        "Notes": { "type": "durable-object", "storage": "sqlite" },
        "Room": { "type": "durable-object", "state": "renamed", "renamed_to": "ChatRoom" },
    });
    assert_eq!(exports(&gens[1]), after);
    // The blueprint dropped its tombstones; `exports` keeps them.
    assert_eq!(exports(&gens[2]), after);
    for g in &gens {
        assert!(g.lock.workers["worker"].migrations.is_empty());
        assert_eq!(g.lock.workers["worker"].lifecycle, "exports");
    }
}

#[test]
fn exports_transfer_is_two_phase() {
    let gens = run_ok("exports-transfer");
    let entry =
        |g: &Generated, w: &str, c: &str| serde_json::to_value(&g.planned[w].exports[c]).unwrap();
    assert_eq!(
        entry(&gens[1], "api", "Cart"),
        json!({ "type": "durable-object", "state": "expecting-transfer", "storage": "sqlite", "transfer_from": "shop-jobs" })
    );
    let tombstone =
        json!({ "type": "durable-object", "state": "transferred", "transferred_to": "shop-api" });
    assert_eq!(entry(&gens[1], "jobs", "Cart"), tombstone);
    // `transferred_from` removed once the transfer committed: a plain live entry; the source
    // keeps its tombstone.
    assert_eq!(
        entry(&gens[2], "api", "Cart"),
        json!({ "type": "durable-object", "storage": "sqlite" })
    );
    assert_eq!(entry(&gens[2], "jobs", "Cart"), tombstone);
}

#[test]
fn explicit_history_is_emitted_verbatim_then_planned_on() {
    let gens = run_ok("explicit");
    let v1 = step(json!({ "tag": "v1", "new_classes": ["Counter", "Room"] }));
    let v2 =
        step(json!({ "tag": "v2", "renamed_classes": [{ "from": "Room", "to": "ChatRoom" }] }));
    let v3 = step(json!({ "tag": "v3", "new_sqlite_classes": ["Notes"] }));
    let v4 = step(json!({ "tag": "v4", "new_sqlite_classes": ["Inbox"] }));
    assert_eq!(migrations(&gens[0], "worker"), [v1.clone(), v2.clone()]);
    assert_eq!(
        migrations(&gens[1], "worker"),
        [v1.clone(), v2.clone(), v3.clone()]
    );
    assert_eq!(migrations(&gens[2], "worker"), [v1, v2, v3, v4]);
    assert_eq!(
        class_state(&gens[0], "worker", "Room"),
        json!({ "state": "renamed", "storage": "kv", "renamed_to": "ChatRoom" })
    );
}

#[test]
fn switching_to_exports_converts_the_recorded_states() {
    let gens = run_ok("switch-to-exports");
    let history = gens[1].lock.workers["worker"].migrations.clone();
    assert_eq!(history.len(), 2);
    let last = &gens[2];
    assert!(last.planned["worker"].migrations.is_empty());
    assert_eq!(last.lock.workers["worker"].migrations, history);
    assert_eq!(
        serde_json::to_value(&last.planned["worker"].exports).unwrap(),
        json!({
            "ChatRoom": { "type": "durable-object", "storage": "sqlite" },
            "Counter": { "type": "durable-object", "storage": "sqlite" },
            "Room": { "type": "durable-object", "state": "renamed", "renamed_to": "ChatRoom" },
        })
    );
}

fn only(diagnostics: &[Diagnostic]) -> &Diagnostic {
    assert_eq!(diagnostics.len(), 1, "{}", rendered(diagnostics));
    &diagnostics[0]
}

#[test]
fn a_vanished_class_is_refused_with_the_yaml_fix() {
    let d = run_err("error-vanished");
    let d = only(&d);
    assert_eq!(d.rule, CLASS_REMOVED);
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("`Room`") && d.message.contains("orphaned"));
    assert!(d.message.contains("migration `v1`"), "{}", d.message);
    let help = d.help.as_deref().unwrap();
    assert!(
        help.contains("`- { class_name: Room, deleted: true }`"),
        "{help}"
    );
    assert!(help.contains("`renamed_from: Room`"), "{help}");
}

#[test]
fn a_class_moved_to_another_worker_without_transfer_is_refused() {
    let d = run_err("error-vanished-moved");
    let d = only(&d);
    assert_eq!(d.rule, CLASS_REMOVED);
    let help = d.help.as_deref().unwrap();
    assert!(
        help.contains("`transferred_from: { worker: jobs, class: Cart }`"),
        "{help}"
    );
    // Several workers: the tombstone names its worker.
    assert!(
        help.contains("`- { class_name: Cart, worker: jobs, deleted: true }`"),
        "{help}"
    );
}

#[test]
fn a_worker_with_live_classes_cannot_vanish() {
    let d = run_err("error-worker-vanished");
    let d = only(&d);
    assert_eq!(d.rule, WORKER_REMOVED);
    assert!(d.message.contains("worker `jobs`"), "{}", d.message);
    assert!(d.message.contains("`Cart`"), "{}", d.message);
    let help = d.help.as_deref().unwrap();
    assert!(help.contains("`deleted: true`"), "{help}");
    assert!(help.contains("delete `workers.jobs`"), "{help}");
}

#[test]
fn a_worker_without_live_classes_leaves_the_lock() {
    let g = run_ok("remove-worker");
    assert_eq!(class_state(&g[1], "jobs", "Cart")["state"], "deleted");
    assert!(!g[2].lock.workers.contains_key("jobs"));
    assert_eq!(g[2].lock.workers.keys().collect::<Vec<_>>(), ["api"]);
}

#[test]
fn a_storage_change_is_refused() {
    let d = run_err("error-storage-change");
    let d = only(&d);
    assert_eq!(d.rule, "class-storage-changed");
    assert!(d.message.contains("`Counter`"), "{}", d.message);
}

#[test]
fn a_rename_keeps_the_storage_backend() {
    let d = run_err("error-rename-storage");
    let d = only(&d);
    assert_eq!(d.rule, "class-storage-changed");
    assert!(d.help.as_deref().unwrap().contains("`storage: kv`"));
}

#[test]
fn a_rename_of_a_class_that_does_not_exist_is_refused() {
    let d = run_err("error-rename-source");
    let d = only(&d);
    assert_eq!(d.rule, "rename-source-missing");
    assert!(d.message.contains("never created `Room`"), "{}", d.message);
}

#[test]
fn exports_cannot_recreate_a_tombstoned_name() {
    let d = run_err("error-exports-recreate");
    assert_eq!(only(&d).rule, "lifecycle-conflict");
    assert!(only(&d).message.contains("`Scratch`"));
}

#[test]
fn exports_cannot_go_back_to_migrations() {
    let d = run_err("error-exports-to-migrations");
    assert_eq!(only(&d).rule, "lifecycle-conflict");
}

#[test]
fn a_transfer_between_workers_with_environments_is_refused() {
    let d = run_err("error-transfer-with-envs");
    let d = only(&d);
    assert_eq!(d.rule, "lifecycle-conflict");
    assert!(
        d.message.contains("shop-jobs-staging") || d.message.contains("shop-jobs-production"),
        "{}",
        d.message
    );
}

#[test]
fn an_exports_transfer_keeps_the_class_name() {
    let d = run_err("error-exports-transfer-rename");
    assert_eq!(only(&d).rule, "lifecycle-conflict");
}

#[test]
fn an_explicit_history_cannot_be_rewritten() {
    let d = run_err("error-explicit-rewritten");
    assert_eq!(only(&d).rule, "migration-history-rewritten");
}

#[test]
fn every_scenario_directory_has_a_test() {
    let tested = [
        "first-generation",
        "new-class",
        "rename",
        "delete",
        "transfer",
        "exports",
        "exports-transfer",
        "explicit",
        "switch-to-exports",
        "error-vanished",
        "error-vanished-moved",
        "error-worker-vanished",
        "remove-worker",
        "error-storage-change",
        "error-rename-storage",
        "error-rename-source",
        "error-exports-recreate",
        "error-exports-to-migrations",
        "error-transfer-with-envs",
        "error-exports-transfer-rename",
        "error-explicit-rewritten",
    ];
    let mut found: Vec<String> = std::fs::read_dir(root().join(SCENARIOS))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut tested: Vec<String> = tested.iter().map(|s| (*s).to_owned()).collect();
    tested.sort();
    assert_eq!(found, tested);
}

// ---------------------------------------------------------------------------------------------
// Random histories.

/// A small deterministic generator (no test dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound
    }
}

#[derive(Clone)]
struct LiveClass {
    name: String,
    kv: bool,
    renamed_from: Option<String>,
}

/// What a single-worker blueprint says at one point of its history.
#[derive(Default, Clone)]
struct Facts {
    live: Vec<LiveClass>,
    tombstones: Vec<String>,
    next: usize,
}

impl Facts {
    fn fresh(&mut self) -> String {
        self.next += 1;
        format!("Obj{}", self.next)
    }

    /// The blueprint as JSON text (JSON is YAML), built with serde_json.
    fn blueprint(&self, exports: bool) -> String {
        let mut classes: Vec<Value> = self
            .live
            .iter()
            .map(|c| {
                let mut o = json!({ "class_name": c.name });
                if c.kv {
                    o["storage"] = json!("kv");
                }
                if let Some(from) = &c.renamed_from {
                    o["renamed_from"] = json!(from);
                }
                o
            })
            .collect();
        classes.extend(
            self.tombstones
                .iter()
                .map(|t| json!({ "class_name": t, "deleted": true })),
        );
        let bindings: Vec<Value> = self
            .live
            .iter()
            .map(|c| json!({ "name": c.name.to_uppercase(), "target": c.name }))
            .collect();
        let doc = json!({
            "project_name": "prop",
            "provider": "cloudflare",
            "compatibility_date": "2025-10-08",
            "lifecycle": if exports { "exports" } else { "migrations" },
            "resources": [{ "id": "worker", "type": "cloudflare_worker" }],
            "durable_objects": classes,
            "bindings": bindings,
        });
        serde_json::to_string_pretty(&doc).unwrap()
    }
}

/// What one generation is expected to append.
#[derive(Default, Debug, PartialEq)]
struct Delta {
    new_sqlite: BTreeSet<String>,
    new_kv: BTreeSet<String>,
    renamed: BTreeSet<(String, String)>,
    deleted: BTreeSet<String>,
}

fn evolve(facts: &mut Facts, rng: &mut Lcg) -> Delta {
    let mut delta = Delta::default();
    for _ in 0..=rng.next(3) {
        match rng.next(6) {
            0 => {
                let name = facts.fresh();
                let kv = rng.next(4) == 0;
                if kv {
                    delta.new_kv.insert(name.clone());
                } else {
                    delta.new_sqlite.insert(name.clone());
                }
                facts.live.push(LiveClass {
                    name,
                    kv,
                    renamed_from: None,
                });
            }
            // Only classes that existed before this generation are renamed or deleted, so the
            // expected step stays simple.
            1 if !facts.live.is_empty() => {
                let i = rng.next(facts.live.len());
                let name = facts.live[i].name.clone();
                if delta.new_sqlite.contains(&name) || delta.new_kv.contains(&name) {
                    continue;
                }
                if delta.renamed.iter().any(|(_, to)| *to == name) {
                    continue;
                }
                facts.live.remove(i);
                facts.tombstones.push(name.clone());
                delta.deleted.insert(name);
            }
            2 if !facts.live.is_empty() => {
                let i = rng.next(facts.live.len());
                let old = facts.live[i].name.clone();
                if delta.new_sqlite.contains(&old) || delta.new_kv.contains(&old) {
                    continue;
                }
                if delta.renamed.iter().any(|(_, to)| *to == old) {
                    continue;
                }
                let new = facts.fresh();
                let kv = facts.live[i].kv;
                facts.live[i] = LiveClass {
                    name: new.clone(),
                    kv,
                    renamed_from: Some(old.clone()),
                };
                delta.renamed.insert((old, new));
            }
            3 if !facts.tombstones.is_empty() => {
                let i = rng.next(facts.tombstones.len());
                let name = facts.tombstones[i].clone();
                if delta.deleted.contains(&name) {
                    continue;
                }
                facts.tombstones.remove(i);
            }
            4 => {
                // Facts already applied may stay or go.
                if let Some(c) = facts.live.iter_mut().find(|c| c.renamed_from.is_some()) {
                    if !delta.renamed.iter().any(|(_, to)| *to == c.name) {
                        c.renamed_from = None;
                    }
                }
            }
            _ => {}
        }
    }
    delta
}

fn project_of(text: String) -> Project {
    let file = SourceFile::new("prop.blueprint.yaml", Format::Blueprint, text);
    let outcome = load_source(file, &options());
    let errors: Vec<&Diagnostic> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{}", rendered(&outcome.diagnostics));
    outcome.project.expect("a valid blueprint")
}

fn random_histories(exports: bool, seed: u64) {
    let mut rng = Lcg(seed);
    for _ in 0..60 {
        let mut facts = Facts::default();
        let mut lock: Option<Lock> = None;
        let mut ever: BTreeSet<String> = BTreeSet::new();
        for generation in 0..8 {
            let delta = evolve(&mut facts, &mut rng);
            let text = facts.blueprint(exports);
            let project = project_of(text.clone());
            let g = generate(&project, lock.as_ref())
                .unwrap_or_else(|d| panic!("{text}\n{}", rendered(&d)));
            let state = &g.lock.workers["worker"];
            let live: BTreeSet<String> = state
                .classes
                .iter()
                .filter(|(_, c)| is_live(&c.state))
                .map(|(n, _)| n.clone())
                .collect();
            let expected: BTreeSet<String> = facts.live.iter().map(|c| c.name.clone()).collect();
            assert_eq!(live, expected, "{text}");
            ever.extend(expected.iter().cloned());
            ever.extend(facts.tombstones.iter().cloned());
            if exports {
                let keys: BTreeSet<String> = g.planned["worker"].exports.keys().cloned().collect();
                assert!(keys.is_superset(&expected), "{text}");
                // Tombstones never leave the map (a tombstone of a class never created is
                // declared too: see docs/generate.md).
                assert_eq!(keys, ever, "{text}");
            } else {
                let before = lock
                    .as_ref()
                    .map_or(0, |l| l.workers["worker"].migrations.len());
                let added = &state.migrations[before..];
                let got = added.first().map_or_else(Delta::default, |s| Delta {
                    new_sqlite: s.new_sqlite_classes.iter().cloned().collect(),
                    new_kv: s.new_classes.iter().cloned().collect(),
                    renamed: s
                        .renamed_classes
                        .iter()
                        .map(|r| (r.from.clone(), r.to.clone()))
                        .collect(),
                    // A tombstone for a class this generation never created deletes nothing.
                    deleted: s.deleted_classes.iter().cloned().collect(),
                });
                let mut want = delta;
                if generation == 0 {
                    // Nothing existed before the first generation.
                    want.deleted.clear();
                    want.renamed.clear();
                }
                assert_eq!(got, want, "{text}");
                if let Some(s) = added.first() {
                    assert_eq!(s.tag, format!("v{}", before + 1));
                }
            }
            lock = Some(g.lock);
        }
    }
}

#[test]
fn random_migration_histories_only_ever_append() {
    random_histories(false, 0x5eed_0001);
}

#[test]
fn random_exports_histories_keep_every_tombstone() {
    random_histories(true, 0x5eed_0002);
}

// ---------------------------------------------------------------------------------------------
// End to end through `write::apply` (with a stand-in for the config emitter).

/// A plan whose files are each worker's planned lifecycle as JSON (what the config emitter
/// will render as `migrations`/`exports`), with the lock filled in as `generate::plan` does.
fn plan_of(project: &Project, previous: Option<&Lock>) -> Plan {
    let g = generate(project, previous).unwrap_or_else(|d| panic!("{}", rendered(&d)));
    let mut lock = g.lock;
    let files: Vec<PlannedFile> = g
        .planned
        .iter()
        .map(|(id, p)| {
            let mut content = serde_json::to_string_pretty(&json!({
                "migrations": p.migrations,
                "exports": p.exports,
            }))
            .unwrap();
            content.push('\n');
            PlannedFile {
                path: format!("lifecycle/{id}.json"),
                content,
                owner: Owner::Doforge,
            }
        })
        .collect();
    for f in &files {
        lock.files.insert(
            f.path.clone(),
            LockFile {
                sha256: sha256_hex(f.content.as_bytes()),
                owner: f.owner.as_str().to_owned(),
            },
        );
    }
    Plan {
        files,
        lock,
        class_of: BTreeMap::new(),
    }
}

fn written(dir: &Path, path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(path)).unwrap()).unwrap()
}

#[test]
fn regenerating_over_a_previous_output_directory() {
    std::env::set_current_dir(root()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    let step = |scenario: &str, n: usize| {
        load(
            &Path::new(SCENARIOS)
                .join(scenario)
                .join(format!("step{n}.blueprint.yaml")),
        )
    };

    // First generation into an empty directory.
    let first = step("transfer", 1);
    let plan = plan_of(&first, None);
    let applied = apply(&plan, dir, None, Mode::Write, Policy::default()).unwrap();
    assert!(applied.changes.iter().all(|c| c.kind == ChangeKind::Create));
    let lock1 = Lock::read(dir).unwrap().expect("a lock was written");
    assert_eq!(lock1, plan.lock);
    let v1_text = serde_json::to_string(&lock1.workers["api"].migrations[0]).unwrap();

    // Same blueprint again: `--check` finds no drift.
    let again = plan_of(&first, Some(&lock1));
    let checked = apply(&again, dir, Some(&lock1), Mode::Check, Policy::default()).unwrap();
    assert!(!checked.drift());

    // The class moves: regenerate over the directory, reading the lock from disk.
    let second = step("transfer", 2);
    let plan2 = plan_of(&second, Some(&lock1));
    let checked = apply(&plan2, dir, Some(&lock1), Mode::Check, Policy::default()).unwrap();
    assert!(checked.drift(), "--check reports the pending transfer");
    let applied = apply(&plan2, dir, Some(&lock1), Mode::Write, Policy::default()).unwrap();
    let kinds: BTreeMap<&str, ChangeKind> = applied
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.kind))
        .collect();
    assert_eq!(kinds["lifecycle/api.json"], ChangeKind::Update);
    // The source worker emits nothing new (its lock entry records the transfer).
    assert_eq!(kinds["lifecycle/jobs.json"], ChangeKind::Unchanged);
    let lock2 = Lock::read(dir).unwrap().unwrap();
    let api = &lock2.workers["api"];
    assert_eq!(api.migrations.len(), 2);
    // The applied step is byte-for-byte what was written before.
    assert_eq!(serde_json::to_string(&api.migrations[0]).unwrap(), v1_text);
    assert_eq!(
        written(dir, "lifecycle/api.json")["migrations"][1],
        json!({
            "tag": "v2",
            "transferred_classes": [{ "from": "Cart", "from_script": "shop-jobs", "to": "Cart" }],
        })
    );
    assert_eq!(lock2.workers["jobs"].classes["Cart"].state, "transferred");

    // A third run over the result changes nothing.
    let plan3 = plan_of(&step("transfer", 3), Some(&lock2));
    let applied = apply(&plan3, dir, Some(&lock2), Mode::Write, Policy::default()).unwrap();
    assert!(!applied.drift(), "{:?}", applied.changes);

    // Moving the class back without `transferred_from` is refused before anything is written:
    // the directory keeps the last good generation.
    // (`api` lost `Cart` without a transfer; `jobs` cannot create the name it transferred away.)
    let err = generate(&first, Some(&lock2)).err().expect("refused");
    let rules: Vec<&str> = err.iter().map(|d| d.rule.as_str()).collect();
    assert_eq!(
        rules,
        [CLASS_REMOVED, "lifecycle-conflict"],
        "{}",
        rendered(&err)
    );
    assert_eq!(Lock::read(dir).unwrap().unwrap(), lock2);
}
