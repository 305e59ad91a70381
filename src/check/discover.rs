//! Which files `doforge check PATH...` looks at.
//!
//! Explicit files are checked by their name: `wrangler*.toml` / `wrangler*.json(c)` as wrangler
//! configs, any other `.yaml`/`.yml` as a blueprint. In directories doforge picks up every
//! `wrangler.{toml,json,jsonc}` and every YAML file that looks like a blueprint (named
//! `blueprint.yaml`, `*.blueprint.yaml`, `doforge.yaml`, or holding top-level `project_name:` and
//! `provider:` keys), skipping `node_modules`, `target`, `.git`, `.wrangler` and other hidden
//! directories.

use std::io::Read;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::source::Format;

/// Directory names never descended into.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target", ".git", ".wrangler"];

#[derive(Debug, Default)]
pub struct Discovered {
    /// Files to check, deduplicated, in a stable order.
    pub files: Vec<(PathBuf, Format)>,
    /// Paths that could not be used: (path, message, help).
    pub problems: Vec<(PathBuf, String, String)>,
}

pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut out = Discovered::default();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                out.problems.push((
                    path.clone(),
                    format!("cannot read {}: {e}", path.display()),
                    "check the path".into(),
                ));
                continue;
            }
        };
        if meta.is_dir() {
            walk(path, &mut out);
        } else {
            match Format::from_path(path) {
                Some(f) => out.files.push((path.clone(), f)),
                None => out.problems.push((
                    path.clone(),
                    format!("{} is neither a blueprint (.yaml/.yml) nor a wrangler config", path.display()),
                    "doforge checks wrangler.toml, wrangler.json, wrangler.jsonc and blueprint YAML files".into(),
                )),
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.files.retain(|(p, _)| seen.insert(p.clone()));
    out
}

fn walk(dir: &Path, out: &mut Discovered) {
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir() && {
                    let name = e.file_name().to_string_lossy();
                    SKIPPED_DIRS.contains(&name.as_ref()) || name.starts_with('.')
                })
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
                out.problems.push((
                    path,
                    format!("cannot walk directory: {e}"),
                    "check permissions".into(),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let format = match name.as_str() {
            "wrangler.toml" => Some(Format::WranglerToml),
            "wrangler.json" | "wrangler.jsonc" => Some(Format::WranglerJson),
            _ if (name.ends_with(".yaml") || name.ends_with(".yml"))
                && looks_like_blueprint(entry.path()) =>
            {
                Some(Format::Blueprint)
            }
            _ => None,
        };
        if let Some(f) = format {
            out.files.push((entry.into_path(), f));
        }
    }
}

/// A YAML file found while walking is a blueprint when its name says so or when its first 64 KiB
/// hold top-level `project_name:` and `provider:` keys (cheap: no parse).
pub fn looks_like_blueprint(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".yaml").trim_end_matches(".yml");
    if stem == "blueprint" || stem.ends_with(".blueprint") || stem == "doforge" {
        return true;
    }
    let mut head = Vec::new();
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    if f.take(64 * 1024).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    let mut has_name = false;
    let mut has_provider = false;
    for line in text.lines() {
        has_name |= line.starts_with("project_name:");
        has_provider |= line.starts_with("provider:");
    }
    has_name && has_provider
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_configs_and_blueprints_but_skips_vendor_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (p, text) in [
            ("a/wrangler.toml", "name = \"a\"\n"),
            ("b/wrangler.jsonc", "{}"),
            ("c/app.yaml", "project_name: x\nprovider: cloudflare\n"),
            ("c/ci.yaml", "on: push\n"),
            ("node_modules/x/wrangler.toml", ""),
            ("target/wrangler.toml", ""),
            (".git/wrangler.toml", ""),
            ("d/README.md", ""),
        ] {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let found = discover(&[root.to_path_buf()]);
        let rel: Vec<_> = found
            .files
            .iter()
            .map(|(p, f)| {
                (
                    p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    *f,
                )
            })
            .collect();
        assert_eq!(
            rel,
            [
                ("a/wrangler.toml".to_owned(), Format::WranglerToml),
                ("b/wrangler.jsonc".to_owned(), Format::WranglerJson),
                ("c/app.yaml".to_owned(), Format::Blueprint),
            ]
        );
        assert!(found.problems.is_empty());
    }

    #[test]
    fn missing_and_unsupported_paths_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        let readme = dir.path().join("README.md");
        std::fs::write(&readme, "").unwrap();
        let found = discover(&[dir.path().join("nope.toml"), readme]);
        assert_eq!(found.problems.len(), 2);
    }
}
