//! Writing a fixed file: atomically (a temporary beside the target, synced, then renamed over
//! it, as `generate` does), keeping the file's permissions and byte-order mark, and only when the
//! file on disk is still exactly what was read — an editor or a formatter that saved it meanwhile
//! wins, and the fix is reported as not written.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::FixedFile;

const BOM: &str = "\u{feff}";

/// Write `fixed` over its file. Errors say why nothing was written.
pub fn write_fixed(fixed: &FixedFile) -> Result<(), String> {
    let shown = fixed.original.path.display();
    // Write through a symlink to its target instead of replacing the link with a file.
    let target =
        fs::canonicalize(&fixed.original.path).map_err(|e| format!("cannot write {shown}: {e}"))?;
    let on_disk = fs::read(&target).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let bom = on_disk.starts_with(BOM.as_bytes());
    let now = &on_disk[if bom { BOM.len() } else { 0 }..];
    if now != fixed.original.text.as_bytes() {
        return Err(format!(
            "{shown} changed on disk since doforge read it; not fixed (run `doforge check --fix` again)"
        ));
    }
    let mut bytes = Vec::with_capacity(fixed.text.len() + 3);
    if bom {
        bytes.extend_from_slice(BOM.as_bytes());
    }
    bytes.extend_from_slice(fixed.text.as_bytes());
    replace_atomically(&target, &bytes).map_err(|e| format!("cannot write {shown}: {e}"))
}

fn replace_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = sibling(target);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = fs::metadata(target) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A hidden file beside `target` for this process: `.<name>.doforge-fix-<pid>`.
fn sibling(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.doforge-fix-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Format, SourceFile};

    #[test]
    fn writes_atomically_keeps_the_bom_and_refuses_files_changed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wrangler.toml");
        fs::write(&path, "\u{feff}name = \"a\"\n").unwrap();
        let original = SourceFile::new(&path, Format::WranglerToml, "name = \"a\"\n".to_owned());
        let fixed = FixedFile {
            original: original.clone(),
            text: "name = \"b\"\n".to_owned(),
            redact_original: Vec::new(),
            redact_fixed: Vec::new(),
        };
        write_fixed(&fixed).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "\u{feff}name = \"b\"\n");
        // The file now differs from what was read: a second write is refused, nothing changes.
        let e = write_fixed(&fixed).unwrap_err();
        assert!(e.contains("changed on disk"), "{e}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "\u{feff}name = \"b\"\n");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary left: {names:?}");
    }
}
