//! `schemas/wrangler-keys.json` must be exactly what `scripts/gen-wrangler-keys.py` derives from
//! the installed wrangler's `config-schema.json` (the "oracle", installed by
//! `scripts/setup-oracle.sh` into `$DOFORGE_ORACLE_DIR` or `target/oracle`).
//!
//! This test never passes silently: without the oracle (or python3) it fails and says what to run.

use std::path::{Path, PathBuf};
use std::process::Command;

use doforge::schema::wrangler_keys::{wrangler_config, KeyShape};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn oracle_dir() -> PathBuf {
    match std::env::var_os("DOFORGE_ORACLE_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => manifest_dir().join("target").join("oracle"),
    }
}

fn schema_path() -> PathBuf {
    let path = oracle_dir().join("node_modules/wrangler/config-schema.json");
    assert!(
        path.is_file(),
        "wrangler's config-schema.json is not installed at {}: run scripts/setup-oracle.sh \
         (set DOFORGE_ORACLE_DIR to use another install)",
        path.display()
    );
    path
}

fn derive(schema: &Path) -> String {
    let script = manifest_dir().join("scripts/gen-wrangler-keys.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--stdout")
        .arg("--schema")
        .arg(schema)
        .output()
        .unwrap_or_else(|e| panic!("could not run python3 {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed ({}):\n{}",
        script.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("generator prints UTF-8")
}

/// Dotted paths (`a.b[].c`, `env.*.x`) of every shape in a JSON key tree, for a readable diff.
fn paths(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    let join = |seg: &str| {
        if at.is_empty() {
            seg.to_owned()
        } else {
            format!("{at}.{seg}")
        }
    };
    if let Some(keys) = v.get("keys").and_then(|k| k.as_object()) {
        for (k, sub) in keys {
            paths(sub, &join(k), out);
        }
    }
    if let Some(items) = v.get("items") {
        paths(items, &format!("{at}[]"), out);
    }
    if let Some(values) = v.get("values") {
        paths(values, &join("*"), out);
    }
    if v.get("open").and_then(|o| o.as_bool()) == Some(true) {
        out.push(format!("{at} (open)"));
    }
}

#[test]
fn committed_key_tree_matches_installed_wrangler() {
    let schema = schema_path();
    let derived = derive(&schema);
    let committed_path = manifest_dir().join("schemas/wrangler-keys.json");
    let committed = std::fs::read_to_string(&committed_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", committed_path.display()));
    if derived != committed {
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
        let mut detail = String::new();
        if let (Some(d), Some(c)) = (parse(&derived), parse(&committed)) {
            let (mut dp, mut cp) = (Vec::new(), Vec::new());
            paths(&d, "", &mut dp);
            paths(&c, "", &mut cp);
            let added: Vec<_> = dp.iter().filter(|p| !cp.contains(p)).take(20).collect();
            let removed: Vec<_> = cp.iter().filter(|p| !dp.contains(p)).take(20).collect();
            detail = format!("\n  only in wrangler's schema: {added:?}\n  only in the committed file: {removed:?}");
            if d.get("$comment") != c.get("$comment") {
                detail.push_str("\n  the $comment (wrangler version) differs");
            }
        }
        panic!(
            "schemas/wrangler-keys.json is stale against {}: run `python3 scripts/gen-wrangler-keys.py` \
             and commit the result{detail}",
            schema.display()
        );
    }
}

fn at<'a>(tree: &'a KeyShape, path: &str) -> &'a KeyShape {
    tree.at(path)
        .unwrap_or_else(|| panic!("the key tree has no `{path}`"))
}

#[test]
fn key_tree_has_anchors() {
    let t = wrangler_config();
    for path in [
        "name",
        "main",
        "compatibility_date",
        "durable_objects.bindings[].name",
        "durable_objects.bindings[].class_name",
        "durable_objects.bindings[].script_name",
        "durable_objects.bindings[].environment",
        "migrations[].tag",
        "migrations[].new_sqlite_classes",
        "migrations[].renamed_classes[].from",
        "migrations[].transferred_classes[].from_script",
        "env.*.kv_namespaces[].binding",
        "env.*.durable_objects.bindings[].class_name",
        "env.*.migrations[].new_classes",
        "exports.*.type",
        "exports.*.storage",
        "kv_namespaces[].id",
        "r2_buckets[].bucket_name",
        "d1_databases[].database_id",
        "queues.producers[].queue",
        "queues.consumers[].max_batch_size",
        "services[].service",
        "analytics_engine_datasets[].dataset",
        "routes[].pattern",
        "routes[].zone_name",
        "assets.directory",
        "observability.logs.invocation_logs",
        "triggers.crons",
        "containers[].class_name",
        "workflows[].class_name",
        "site.entry-point",
        "previews.observability.enabled",
    ] {
        at(t, path);
    }
    assert!(
        at(t, "env").values.is_some(),
        "env is a map of environments"
    );
    assert!(at(t, "exports").values.is_some(), "exports is a map");
    assert!(at(t, "vars").values.is_some(), "vars is a map");
    assert!(t.at("durable_objects.classes").is_none());
    assert!(t.at("env.*.dev").is_none(), "dev is top-level only");
    assert!(t.keys.len() >= 80, "{} top-level keys", t.keys.len());
    assert!(at(t, "env.*").keys.len() >= 70);
    assert!(t.count() >= 1000, "{} shapes", t.count());
}
