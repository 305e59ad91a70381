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
