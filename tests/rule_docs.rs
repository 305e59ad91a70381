//! `docs/rules/` is generated from the rules' own docs; this test fails when it is stale.
//! `DOFORGE_UPDATE_DOCS=1 cargo test --test rule_docs` rewrites it.

use std::path::Path;

#[test]
fn rule_docs_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let pages = doforge::lint::docs::all_pages();
    if std::env::var_os("DOFORGE_UPDATE_DOCS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &pages {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, text) in &pages {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if on_disk == *text => {}
            Ok(_) => stale.push(format!("{name} differs")),
            Err(_) => stale.push(format!("{name} is missing")),
        }
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !pages.iter().any(|(n, _)| *n == name) {
            stale.push(format!("{name} belongs to no rule"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale ({}); run DOFORGE_UPDATE_DOCS=1 cargo test --test rule_docs",
        stale.join(", ")
    );
}

/// Every code doforge prints can be explained: lint rules by their pages, the other codes by
/// `lint::docs::BUILTIN_CODES` (`doforge explain syntax`).
#[test]
fn every_built_in_code_is_explained() {
    use doforge::generate::lifecycle;
    let codes = [
        doforge::check::SYNTAX,
        doforge::check::IO,
        doforge::check::UNKNOWN_ENV,
        doforge::model::blueprint::UNRESOLVED,
        doforge::model::blueprint::DUPLICATE,
        lifecycle::CLASS_REMOVED,
        lifecycle::STORAGE_CHANGED,
        lifecycle::RENAME_SOURCE_MISSING,
        lifecycle::LIFECYCLE_CONFLICT,
        lifecycle::WORKER_REMOVED,
        "schema",
        "settings",
        "unknown-rule",
        "instance-key-invalid",
        "kind-needs-sqlite",
    ];
    for code in codes {
        assert!(
            doforge::lint::docs::builtin_page(code).is_some()
                || doforge::lint::registry::find(code).is_some(),
            "`doforge explain {code}` has nothing to say"
        );
    }
}
