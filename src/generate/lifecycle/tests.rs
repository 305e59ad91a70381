use super::*;

use crate::generate::test_project as project;

/// A one-worker blueprint with these `durable_objects` entries (YAML flow items).
fn single(mode: &str, classes: &[&str]) -> Project {
    let mut text = format!(
        "project_name: app\nprovider: cloudflare\nlifecycle: {mode}\nresources:\n  - {{ id: worker, type: cloudflare_worker }}\ndurable_objects:\n"
    );
    for c in classes {
        text.push_str(&format!("  - {c}\n"));
    }
    project(&text)
}

fn plan(p: &Project, prev: Option<&LockWorker>) -> (PlannedLifecycle, LockWorker) {
    plan_lifecycle(p, 0, prev).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn refused(p: &Project, prev: Option<&LockWorker>) -> Vec<(String, String)> {
    plan_lifecycle(p, 0, prev)
        .expect_err("refused")
        .into_iter()
        .map(|d| (d.rule, d.message))
        .collect()
}

fn tags(l: &LockWorker) -> Vec<&str> {
    l.migrations.iter().map(|m| m.tag.as_str()).collect()
}

#[test]
fn the_next_tag_follows_the_previous_pattern() {
    let p = single("migrations", &["{ class_name: A }", "{ class_name: B }"]);
    let prev = LockWorker {
        lifecycle: "migrations".into(),
        migrations: vec![
            LockMigration {
                tag: "2024-01".into(),
                new_sqlite_classes: vec!["A".into()],
                ..LockMigration::default()
            },
            LockMigration {
                tag: "2024-02".into(),
                ..LockMigration::default()
            },
        ],
        classes: BTreeMap::from([("A".to_owned(), class(CREATED, "sqlite"))]),
        ejected: BTreeMap::new(),
    };
    let (planned, lock) = plan(&p, Some(&prev));
    assert_eq!(tags(&lock), ["2024-01", "2024-02", "2024-03"]);
    assert_eq!(planned.migrations[2].new_sqlite_classes, ["B"]);
    assert_eq!(planned.migrations[..2], prev.migrations[..]);
}

#[test]
fn a_deleted_name_can_be_created_again_with_migrations() {
    let (_, v1) = plan(&single("migrations", &["{ class_name: A }"]), None);
    let (_, v2) = plan(
        &single("migrations", &["{ class_name: A, deleted: true }"]),
        Some(&v1),
    );
    let (_, v3) = plan(&single("migrations", &["{ class_name: A }"]), Some(&v2));
    assert_eq!(v3.migrations[1].deleted_classes, ["A"]);
    assert_eq!(v3.migrations[2].new_sqlite_classes, ["A"]);
    assert_eq!(v3.classes["A"].state, CREATED);
    // With exports, the tombstone holds the name.
    let (_, e1) = plan(&single("exports", &["{ class_name: A }"]), None);
    let (_, e2) = plan(
        &single("exports", &["{ class_name: A, deleted: true }"]),
        Some(&e1),
    );
    let e = refused(&single("exports", &["{ class_name: A }"]), Some(&e2));
    assert_eq!(e[0].0, LIFECYCLE_CONFLICT);
}

#[test]
fn exports_declare_a_tombstone_for_a_class_doforge_never_created() {
    let (planned, lock) = plan(
        &single(
            "exports",
            &["{ class_name: A }", "{ class_name: Old, deleted: true }"],
        ),
        None,
    );
    assert_eq!(
        serde_json::to_value(&planned.exports["Old"]).unwrap(),
        serde_json::json!({ "type": "durable-object", "state": "deleted" })
    );
    assert_eq!(lock.classes["Old"].state, DELETED);
    // With migrations there is nothing to delete.
    let (planned, _) = plan(
        &single(
            "migrations",
            &["{ class_name: A }", "{ class_name: Old, deleted: true }"],
        ),
        None,
    );
    assert!(planned.migrations[0].deleted_classes.is_empty());
}

#[test]
fn rename_tombstones_name_the_live_end_of_a_chain() {
    let (_, l1) = plan(&single("exports", &["{ class_name: A }"]), None);
    let (_, l2) = plan(
        &single("exports", &["{ class_name: B, renamed_from: A }"]),
        Some(&l1),
    );
    let (p3, l3) = plan(
        &single("exports", &["{ class_name: C, renamed_from: B }"]),
        Some(&l2),
    );
    assert_eq!(l3.classes["A"].renamed_to.as_deref(), Some("B"));
    assert_eq!(p3.exports["A"]["renamed_to"], "C");
    assert_eq!(p3.exports["B"]["renamed_to"], "C");
    // The end deleted: the old names' data is to be deleted too.
    let (p4, _) = plan(
        &single("exports", &["{ class_name: C, deleted: true }"]),
        Some(&l3),
    );
    for name in ["A", "B", "C"] {
        assert_eq!(p4.exports[name]["state"], "deleted", "{name}");
    }
}

#[test]
fn contradictory_facts_are_refused() {
    let (_, l1) = plan(
        &single("migrations", &["{ class_name: A }", "{ class_name: B }"]),
        None,
    );
    // A rename onto a class that already exists.
    let e = refused(
        &single(
            "migrations",
            &["{ class_name: A }", "{ class_name: B, renamed_from: A }"],
        ),
        Some(&l1),
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].1.contains("already exists"), "{e:?}");
    // Two renames of one class.
    let e = refused(
        &single(
            "migrations",
            &[
                "{ class_name: B }",
                "{ class_name: C, renamed_from: A }",
                "{ class_name: D, renamed_from: A }",
            ],
        ),
        Some(&l1),
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].1.contains("already renamed from it"), "{e:?}");
    // Renamed and deleted at once.
    let e = refused(
        &single(
            "migrations",
            &[
                "{ class_name: B }",
                "{ class_name: A, deleted: true }",
                "{ class_name: C, renamed_from: A }",
            ],
        ),
        Some(&l1),
    );
    assert!(e[0].1.contains("both kept and deleted"), "{e:?}");
    // A tombstone "renamed from" a class whose rename never happened: `A` keeps its data.
    let e = refused(
        &single(
            "migrations",
            &[
                "{ class_name: B }",
                "{ class_name: C, renamed_from: A, deleted: true }",
            ],
        ),
        Some(&l1),
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].1.contains("never planned"), "{e:?}");
}

const TWO: &str = "project_name: shop\nprovider: cloudflare\nresources:\n  - { id: api, type: cloudflare_worker, name: shop-api }\n  - { id: jobs, type: cloudflare_worker, name: shop-jobs }\n";

#[test]
fn a_transfer_needs_two_workers_and_an_undeclared_source() {
    let p = project(&format!(
        "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\n"
    ));
    let (_, jobs) = plan_lifecycle(&p, 1, None).unwrap();
    // Still declared on `jobs` while `api` takes it over.
    let p = project(&format!(
        "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\n  - {{ class_name: Basket, worker: api, transferred_from: {{ worker: jobs, class: Cart }} }}\n"
    ));
    let e = plan_lifecycle(&p, 1, Some(&jobs)).err().unwrap();
    assert!(e[0].message.contains("still declared"), "{e:?}");
    // From the worker that hosts it.
    let p = project(&format!(
        "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs, transferred_from: {{ worker: shop-jobs, class: Old }} }}\n"
    ));
    let e = plan_lifecycle(&p, 1, None).err().unwrap();
    assert!(
        e[0].help.as_deref().unwrap().contains("renamed_from: Old"),
        "{e:?}"
    );
}

#[test]
fn a_transfer_cannot_target_a_class_that_already_exists() {
    let p = project(&format!(
        "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\n  - {{ class_name: Basket, worker: api }}\n"
    ));
    let (_, api) = plan_lifecycle(&p, 0, None).unwrap();
    let p = project(&format!(
        "{TWO}durable_objects:\n  - {{ class_name: Basket, worker: api, transferred_from: {{ worker: jobs, class: Cart }} }}\n"
    ));
    let e = plan_lifecycle(&p, 0, Some(&api)).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("already exists"), "{e:?}");
    // Made by a transfer: the kept fact is harmless.
    let p = project(&format!(
        "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: api, transferred_from: {{ worker: jobs, class: Cart }} }}\n"
    ));
    let (_, moved) = plan_lifecycle(&p, 0, None).unwrap();
    let (again, _) = plan_lifecycle(&p, 0, Some(&moved)).unwrap();
    assert_eq!(again.migrations, moved.migrations);
}

#[test]
fn an_explicit_history_belongs_to_one_worker() {
    let p = project(&format!(
        "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\nmigrations:\n  - {{ tag: v1, new_sqlite_classes: [Cart] }}\n"
    ));
    // `api` hosts nothing: the history is `jobs`'s.
    let (api, _) = plan_lifecycle(&p, 0, None).unwrap();
    assert!(api.migrations.is_empty());
    let (jobs, _) = plan_lifecycle(&p, 1, None).unwrap();
    assert_eq!(jobs.migrations.len(), 1);
    let p = project(&format!(
        "{TWO}durable_objects:\n  - {{ class_name: Cart, worker: jobs }}\n  - {{ class_name: Counter, worker: api }}\nmigrations:\n  - {{ tag: v1, new_sqlite_classes: [Cart] }}\n"
    ));
    // Reported once, by the first worker that hosts classes.
    let e = plan_lifecycle(&p, 0, None).err().unwrap();
    assert_eq!(e.len(), 1);
    assert!(e[0].message.contains("one Worker's history"), "{e:?}");
    assert!(plan_lifecycle(&p, 1, None).is_ok());
    // And it cannot be combined with `exports`.
    let p = project("project_name: app\nprovider: cloudflare\nlifecycle: exports\nresources:\n  - { id: worker, type: cloudflare_worker }\ndurable_objects:\n  - { class_name: A }\nmigrations:\n  - { tag: v1, new_sqlite_classes: [A] }\n");
    let e = refused(&p, None);
    assert!(e[0].1.contains("mutually exclusive"), "{e:?}");
}
