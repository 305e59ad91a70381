//! Through the real YAML loader (`crate::source::parse`): lines and columns.

use super::*;

#[test]
fn yaml_seed_002_example_is_valid() {
    let (_, diags) = run_yaml(SEED_002);
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn yaml_fixtures_have_the_expected_outcome() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blueprints");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") {
            continue;
        }
        seen += 1;
        let (_, diags) = run_yaml(&std::fs::read_to_string(&path).unwrap());
        if name.starts_with("valid") {
            assert!(diags.is_empty(), "{name}: {diags:#?}");
        } else {
            assert_eq!(diags.len(), 1, "{name}: {diags:#?}");
        }
        if std::env::var_os("DOFORGE_PRINT_SCHEMA_FIXTURES").is_some() {
            for d in &diags {
                let (l, c) = d.primary.start();
                eprintln!("{name}:{l}:{c}: {} [help: {:?}]", d.message, d.help);
            }
        }
    }
    assert!(seen >= 6);
    let v1 = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/00-seed-002-verbatim/blueprint.yaml"),
    )
    .unwrap();
    assert!(run_yaml(&v1).1.is_empty());
}

#[test]
fn yaml_misspelt_key_line_and_column() {
    let text = "project_name: realtime-app\nprovider: cloudflare\ndurable_object:\n  - class_name: ChatRoom\nresources:\n  - id: main-worker\n    type: cloudflare_worker\n";
    let (file, diags) = run_yaml(text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(file.line_col(diags[0].primary.span.start), (3, 1));
    assert!(diags[0]
        .help
        .as_deref()
        .unwrap()
        .contains("durable_objects"));
}

#[test]
fn yaml_bad_class_names_line_and_column() {
    for (name, col) in [("../evil", 17), ("\"Chat Room\"", 17)] {
        let text = format!(
            "project_name: realtime-app\nprovider: cloudflare\nresources:\n  - id: main-worker\n    type: cloudflare_worker\ndurable_objects:\n  - class_name: {name}\n"
        );
        let (file, diags) = run_yaml(&text);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(
            file.line_col(diags[0].primary.span.start),
            (7, col),
            "{name}"
        );
    }
}

#[test]
fn yaml_missing_provider_at_root() {
    let text = "project_name: realtime-app\nresources:\n  - id: main-worker\n    type: cloudflare_worker\n";
    let (file, diags) = run_yaml(text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(file.line_col(diags[0].primary.span.start), (1, 1));
    // One line underlined (`project_name`), not the 4-line document.
    assert_eq!(diags[0].primary.span.len(), "project_name".len());
}

#[test]
fn a_missing_key_in_a_list_item_points_at_its_first_key() {
    let text = "project_name: realtime-app\nprovider: cloudflare\nresources:\n  - type: cloudflare_worker\n    config:\n      main: src/index.ts\n";
    let (file, diags) = run_yaml(text);
    let d = diags
        .iter()
        .find(|d| d.message.contains("\"id\""))
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(file.line_col(d.primary.span.start), (4, 5));
    assert_eq!(d.primary.span.len(), "type".len());
}

#[test]
fn a_missing_key_in_an_empty_document_map_points_at_its_start() {
    let (file, diags) = run_yaml("{}\n");
    assert!(!diags.is_empty());
    for d in &diags {
        assert!(d.primary.span.len() <= 2, "{d:#?}");
        assert_eq!(file.line_col(d.primary.span.start), (1, 1));
    }
}
