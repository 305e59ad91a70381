//! `docs/blueprint-reference.md` is generated from the schema's descriptions and examples; this
//! test fails when it is stale. `DOFORGE_UPDATE_DOCS=1 cargo test --test blueprint_reference`
//! rewrites it.

use std::path::Path;

#[test]
fn blueprint_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/blueprint-reference.md");
    let page = doforge::schema::reference::markdown();
    if std::env::var_os("DOFORGE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &page).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == page,
        "docs/blueprint-reference.md is stale; run DOFORGE_UPDATE_DOCS=1 cargo test --test blueprint_reference"
    );
}

#[test]
fn every_top_level_key_and_definition_is_in_the_reference() {
    let page = doforge::schema::reference::markdown();
    let schema: serde_json::Value =
        serde_json::from_str(doforge::schema::blueprint::SCHEMA).unwrap();
    for key in schema["properties"].as_object().unwrap().keys() {
        assert!(page.contains(&format!("| `{key}` |")), "{key} missing");
    }
    for def in schema["$defs"].as_object().unwrap().keys() {
        assert!(page.contains(&format!("`{def}`")), "{def} missing");
    }
}
