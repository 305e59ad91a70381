//! Where generated files go. Paths are built only from names the schema validated
//! (`[a-z0-9-]` script names); [`safe_segment`] re-checks every segment, so no blueprint value can
//! make a path that leaves the output directory.

use crate::model::Project;

/// The output layout: one worker → files at the top of the output directory; several workers →
/// `workers/<script name>/…`.
pub struct Layout {
    dirs: Vec<String>,
}

impl Layout {
    pub fn new(project: &Project) -> Layout {
        let single = project.workers.len() == 1;
        let dirs = project
            .workers
            .iter()
            .map(|w| {
                if single {
                    return String::new();
                }
                let name = w.name().map_or("worker", |n| n.as_str());
                assert!(
                    safe_segment(name),
                    "script names are validated before generation: {name:?}"
                );
                format!("workers/{name}/")
            })
            .collect();
        Layout { dirs }
    }

    /// The directory (relative, `/`-terminated or empty) of worker `index`.
    pub fn worker_dir(&self, index: usize) -> &str {
        &self.dirs[index]
    }

    /// A file of worker `index`.
    pub fn worker_file(&self, index: usize, name: &str) -> String {
        debug_assert!(name.split('/').all(safe_segment), "{name:?}");
        format!("{}{name}", self.dirs[index])
    }
}

/// A path segment that cannot escape or surprise: non-empty, not `.`/`..`, only ASCII letters,
/// digits, `-`, `_` and `.`.
pub fn safe_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A relative `/`-separated path made only of safe segments.
pub fn safe_relative_path(path: &str) -> bool {
    !path.starts_with('/') && path.split('/').all(safe_segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape() {
        for bad in ["", ".", "..", "a/b", "a\\b", "x y", "ä", "a\nb"] {
            assert!(!safe_segment(bad), "{bad:?}");
        }
        assert!(safe_segment("wrangler.jsonc"));
        assert!(safe_relative_path("workers/api/wrangler.toml"));
        assert!(!safe_relative_path("../x"));
        assert!(!safe_relative_path("/etc/passwd"));
    }
}
