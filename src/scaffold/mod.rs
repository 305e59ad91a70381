//! Starting points: `doforge init` (a starter blueprint from an embedded template) and
//! `doforge import` (an existing wrangler config → a blueprint).

pub mod import;
pub mod init;
pub mod yaml_out;

use std::fs;
use std::io::Write as _;
use std::path::Path;

/// Write `content` to `path` atomically: a temporary file beside it, then a rename, so a failure
/// never leaves a half-written blueprint behind.
pub fn write_atomically(path: &Path, content: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "blueprint.yaml".to_owned());
    let tmp = dir.join(format!(".{file_name}.doforge-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(content.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether `name` is a valid `project_name` (a Worker script name, docs/blueprint.md#names).
pub fn is_project_name(name: &str) -> bool {
    let b = name.as_bytes();
    let ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && ok(b[0])
        && ok(b[b.len() - 1])
        && b.iter().all(|&c| ok(c) || c == b'-')
}

/// A valid `project_name` close to `s` (`My App` → `my-app`): lowercase ASCII letters and digits,
/// every other run of characters one `-`, at most 63 characters; `fallback` when nothing is left.
pub fn project_name_from(s: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(63).collect();
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_from_anything() {
        assert_eq!(project_name_from("My App", "x"), "my-app");
        assert_eq!(project_name_from("--Shop__API--", "x"), "shop-api");
        assert_eq!(project_name_from("!!!", "my-app"), "my-app");
        let long = project_name_from(&"a-".repeat(40), "x");
        assert!(is_project_name(&long) && long.len() <= 63, "{long}");
        for s in ["My App", "café", "a/b", "x y z"] {
            assert!(is_project_name(&project_name_from(s, "x")), "{s}");
        }
    }
}
