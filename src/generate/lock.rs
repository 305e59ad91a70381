//! `doforge.lock`: what a previous `doforge generate` emitted, kept in the output directory so
//! regeneration only *appends* to a Durable Object lifecycle (applied migrations are never
//! rewritten) and never overwrites a file the user edited.
//!
//! JSON, keys sorted, so the file is deterministic and diffs well in review.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// File name of the lock in the output directory.
pub const LOCK_FILE: &str = "doforge.lock";
pub const LOCK_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    /// Per worker, by blueprint resource id.
    #[serde(default)]
    pub workers: BTreeMap<String, LockWorker>,
    /// Per generated file (path relative to the output directory, `/`-separated).
    #[serde(default)]
    pub files: BTreeMap<String, LockFile>,
}

/// The lifecycle doforge emitted for one worker.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockWorker {
    /// `migrations` or `exports`.
    pub lifecycle: String,
    /// The emitted migration history, in order (wrangler shape).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migrations: Vec<LockMigration>,
    /// Every class the worker has ever declared, and what became of it.
    #[serde(default)]
    pub classes: BTreeMap<String, LockClass>,
    /// Classes whose code was handed to the user (`doforge eject`, or `eject: true` in the
    /// blueprint): doforge never rewrites their files again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ejected: BTreeMap<String, LockEjected>,
}

/// An ejected class: the kind its code implements, and the files that hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockEjected {
    /// The class's `kind` when it was ejected (the code on disk implements it).
    pub kind: String,
    /// The files handed over, relative to the output directory.
    pub files: Vec<String>,
}

/// One `[[migrations]]` step, exactly as emitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockMigration {
    pub tag: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_sqlite_classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed_classes: Vec<LockRename>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted_classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transferred_classes: Vec<LockTransfer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockRename {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockTransfer {
    pub from: String,
    pub from_script: String,
    pub to: String,
}

/// What became of a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockClass {
    /// `created`, `deleted`, `renamed` (to `renamed_to`), `transferred` (away, to
    /// `transferred_to`), or — `lifecycle: exports` only — `expecting-transfer` (the receiving
    /// side of a two-phase transfer from `transfer_from`).
    pub state: String,
    /// `sqlite` or `kv`.
    pub storage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// The script the class was transferred to (state `transferred`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred_to: Option<String>,
    /// The script the class is being transferred from (state `expecting-transfer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_from: Option<String>,
}

/// Owner of a file regenerated every time.
pub const OWNER_DOFORGE: &str = "doforge";
/// Owner of a file written once, then the user's.
pub const OWNER_USER: &str = "user";

/// A generated file and who owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockFile {
    /// SHA-256 (hex) of the content doforge wrote (for a user file: its first version, as
    /// doforge wrote or handed it over).
    pub sha256: String,
    /// `doforge` (regenerated every time) or `user` (written once, then the user's).
    pub owner: String,
}

impl Lock {
    pub fn new() -> Lock {
        Lock {
            version: LOCK_VERSION,
            ..Lock::default()
        }
    }

    /// Read the lock of an output directory; `Ok(None)` when there is none yet.
    pub fn read(out_dir: &Path) -> Result<Option<Lock>, String> {
        let path = out_dir.join(LOCK_FILE);
        let text = match read_regular_file(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let lock: Lock = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a doforge lock file ({e}); restore it from version control — it records the migrations already applied",
                path.display()
            )
        })?;
        if lock.version != LOCK_VERSION {
            return Err(format!(
                "{} has lock version {}, this doforge understands version {LOCK_VERSION}",
                path.display(),
                lock.version
            ));
        }
        Ok(Some(lock))
    }

    /// The lock as written to disk (pretty JSON, sorted keys, trailing newline).
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a lock always serializes");
        s.push('\n');
        s
    }
}

/// SHA-256 of content, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Largest lock file read (a real one is kilobytes; this bounds a hostile one).
const MAX_LOCK_BYTES: u64 = 16 * 1024 * 1024;

/// Read a lock that must be a regular file (not a symlink to `/dev/zero` or elsewhere) of bounded
/// size.
fn read_regular_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other(
            "it is not a regular file (doforge never follows a symlink here)",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_LOCK_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_LOCK_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {MAX_LOCK_BYTES} bytes"
        )));
    }
    Ok(text)
}
