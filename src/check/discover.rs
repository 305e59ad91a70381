//! Which files `doforge check PATH...` looks at.
//!
//! A file given explicitly is never refused for its name (seed 004 runs `wrangler dev --config
//! wrangler.toml.dev`): its format comes from its extension (`.toml`, `.json`/`.jsonc`,
//! `.yaml`/`.yml`), else from its content (see [`sniff`]). A file that is clearly something else —
//! a `Cargo.toml`, a `package.json`, a `tsconfig.json` — is a problem (exit 2) with a message
//! saying what it is. In directories doforge picks up every `wrangler.{toml,json,jsonc}`, every
//! `wrangler.<variant>.{toml,json,jsonc}` (`wrangler.staging.jsonc`, used with `--config`), and
//! every YAML file that looks like a blueprint (named `blueprint.yaml`, `*.blueprint.yaml`,
//! `doforge.yaml`, or holding top-level `project_name:` and `provider:` keys), skipping
//! `node_modules`, `target`, `.git`, `.wrangler` and other hidden directories. A path that yields
//! no file at all is a problem too: a CI gate must not pass on zero files.

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
            let before = out.files.len();
            walk(path, &mut out);
            if out.files.len() == before {
                out.problems.push((
                    path.clone(),
                    format!(
                        "found no wrangler config or blueprint in {}",
                        path.display()
                    ),
                    "doforge looks for wrangler.toml, wrangler.json(c), wrangler.<variant>.toml|json|jsonc and blueprint YAML files (not in node_modules, target or hidden directories); pass a config file by name to check it whatever it is called".into(),
                ));
            }
        } else {
            match explicit_format(path) {
                Ok(f) => out.files.push((path.clone(), f)),
                Err((message, help)) => out.problems.push((path.clone(), message, help)),
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
        let format = match wrangler_name(&name) {
            Some(f) => Some(f),
            None if (name.ends_with(".yaml") || name.ends_with(".yml"))
                && looks_like_blueprint(entry.path()) =>
            {
                Some(Format::Blueprint)
            }
            None => None,
        };
        if let Some(f) = format {
            out.files.push((entry.into_path(), f));
        }
    }
}

/// `wrangler.toml|json|jsonc` and `wrangler.<variant>.toml|json|jsonc` (lower-cased name).
fn wrangler_name(name: &str) -> Option<Format> {
    let rest = name.strip_prefix("wrangler.")?;
    let (variant, format) = if let Some(v) = rest.strip_suffix("toml") {
        (v, Format::WranglerToml)
    } else if let Some(v) = rest
        .strip_suffix("jsonc")
        .or_else(|| rest.strip_suffix("json"))
    {
        (v, Format::WranglerJson)
    } else {
        return None;
    };
    // "" (wrangler.toml) or "<variant>." with a non-empty variant.
    (variant.is_empty() || (variant.len() > 1 && variant.ends_with('.'))).then_some(format)
}

/// Files that are certainly not wrangler configs, by name: (name, what it is).
const NOT_WRANGLER: &[(&str, &str)] = &[
    ("cargo.toml", "a Cargo manifest"),
    ("cargo.lock", "a Cargo lock file"),
    ("pyproject.toml", "a Python project file"),
    ("rust-toolchain.toml", "a Rust toolchain file"),
    ("rustfmt.toml", "a rustfmt configuration"),
    ("clippy.toml", "a clippy configuration"),
    ("deny.toml", "a cargo-deny configuration"),
    ("netlify.toml", "a Netlify configuration"),
    ("fly.toml", "a Fly.io configuration"),
    ("doforge.toml", "doforge's own settings file"),
    ("package.json", "an npm package manifest"),
    ("package-lock.json", "an npm lock file"),
    ("tsconfig.json", "a TypeScript configuration"),
    ("jsconfig.json", "a JavaScript project configuration"),
    ("composer.json", "a Composer manifest"),
    ("vercel.json", "a Vercel configuration"),
    ("biome.json", "a Biome configuration"),
    ("biome.jsonc", "a Biome configuration"),
    ("deno.json", "a Deno configuration"),
    ("deno.jsonc", "a Deno configuration"),
];

/// The problem (message, help) of an explicit path that is `what` (a Cargo manifest, …).
fn not_a_config(path: &Path, what: &str) -> (String, String) {
    (
        format!(
            "{} is {what}, not a wrangler config or blueprint",
            path.display()
        ),
        "pass the wrangler config (wrangler.toml, wrangler.jsonc, …) or the blueprint instead"
            .into(),
    )
}

/// The format of a file named on the command line, or why it cannot be checked.
fn explicit_format(path: &Path) -> Result<Format, (String, String)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if let Some((_, what)) = NOT_WRANGLER.iter().find(|(n, _)| *n == name) {
        return Err(not_a_config(path, what));
    }
    let by_extension = if name.ends_with(".toml") {
        Some(Format::WranglerToml)
    } else if name.ends_with(".json") || name.ends_with(".jsonc") {
        Some(Format::WranglerJson)
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        Some(Format::Blueprint)
    } else {
        None
    };
    let head = read_head(path);
    let format = match by_extension {
        Some(f) => f,
        None => sniff(&head).ok_or_else(|| {
            (
                format!(
                    "cannot tell what {} is: its name has no .toml, .json(c) or .yaml extension and its content looks like neither a wrangler config nor a blueprint",
                    path.display()
                ),
                "doforge checks wrangler configs (TOML or JSON with comments) and blueprint YAML files; rename the file with its format's extension".into(),
            )
        })?,
    };
    if let Some(what) = foreign_content(format, &head) {
        return Err(not_a_config(path, what));
    }
    Ok(format)
}

/// The first 64 KiB of a file, lossily decoded (empty when unreadable: loading reports that).
fn read_head(path: &Path) -> String {
    let mut head = Vec::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.take(64 * 1024).read_to_end(&mut head);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// The format of a file without a telling extension (`wrangler.toml.dev`), from its content: JSON
/// when it starts with `{` (after comments), a blueprint when it has `project_name:` and
/// `provider:` lines, TOML when it has a `key = value` line or a `[table]` header.
pub fn sniff(text: &str) -> Option<Format> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let first = lines.clone().next()?;
    if first.starts_with('{') || first.starts_with("//") || first.starts_with("/*") {
        return Some(Format::WranglerJson);
    }
    let top = |k: &str| text.lines().any(|l| l.starts_with(k));
    if top("project_name:") && top("provider:") {
        return Some(Format::Blueprint);
    }
    let tomlish = |l: &str| {
        (l.starts_with('[') && l.ends_with(']'))
            || l.split_once('=').is_some_and(|(k, _)| {
                let k = k.trim().trim_matches('"');
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            })
    };
    lines.any(tomlish).then_some(Format::WranglerToml)
}

/// What a TOML or JSON file is when its content shows it is another tool's file.
fn foreign_content(format: Format, head: &str) -> Option<&'static str> {
    let has_line = |l: &str| head.lines().any(|x| x.trim() == l);
    match format {
        Format::WranglerToml if has_line("[package]") || has_line("[workspace]") => {
            Some("a Cargo manifest")
        }
        Format::WranglerToml if head.lines().any(|x| x.trim().starts_with("[tool.")) => {
            Some("a Python project file")
        }
        Format::WranglerJson
            if !head.contains("\"compatibility_date\"")
                && ["\"dependencies\"", "\"devDependencies\"", "\"scripts\""]
                    .iter()
                    .any(|k| head.contains(k)) =>
        {
            Some("an npm package manifest")
        }
        _ => None,
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

    /// Write `text` to `dir/name`; its path.
    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn walks_configs_and_blueprints_but_skips_vendor_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (p, text) in [
            ("a/wrangler.toml", "name = \"a\"\n"),
            ("a/wrangler.staging.jsonc", "{}"),
            ("a/wrangler.toml.bak", ""),
            ("a/wrangler..toml", ""),
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
                ("a/wrangler.staging.jsonc".to_owned(), Format::WranglerJson),
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
        let readme = write(dir.path(), "README.md", "Hello.\n");
        let cargo = write(dir.path(), "Cargo.toml", "[package]\nname = \"x\"\n");
        let manifest = write(
            dir.path(),
            "app.json",
            "{ \"name\": \"x\", \"scripts\": {} }",
        );
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let found = discover(&[dir.path().join("nope.toml"), readme, cargo, manifest, empty]);
        assert_eq!(found.problems.len(), 5, "{:?}", found.problems);
        assert!(found.problems[2].1.contains("a Cargo manifest"));
        assert!(found.problems[3].1.contains("an npm package manifest"));
        assert!(found.problems[4].1.contains("found no wrangler config"));
    }

    #[test]
    fn explicit_files_are_never_refused_for_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let dev = write(dir.path(), "wrangler.toml.dev", "# dev\nname = \"x\"\n");
        let json = write(dir.path(), "config.local", "// local\n{ \"name\": \"x\" }");
        let any = write(dir.path(), "aggregator.toml", "name = \"agg\"\n");
        let found = discover(&[dev.clone(), json.clone(), any.clone()]);
        assert!(found.problems.is_empty(), "{:?}", found.problems);
        assert_eq!(
            found.files,
            [
                (dev, Format::WranglerToml),
                (json, Format::WranglerJson),
                (any, Format::WranglerToml)
            ]
        );
        assert_eq!(sniff("just words\n"), None);
        assert_eq!(
            sniff("project_name: x\nprovider: cloudflare\n"),
            Some(Format::Blueprint)
        );
    }
}
