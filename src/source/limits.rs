//! Bounds on what a loader accepts, so hostile input gets a clear error instead of a hang,
//! a stack overflow or an out-of-memory kill.

use super::{LoadError, Span};

/// Input limits. The defaults are far above any real config and far below what hurts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: usize,
    /// Deepest nesting of mappings/sequences/tables/arrays accepted.
    pub max_depth: usize,
    /// Most nodes a YAML document may expand to once aliases are resolved (alias bombs).
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 1_000_000,
        }
    }
}

impl Limits {
    pub fn check_size(&self, len: usize) -> Result<(), LoadError> {
        if len > self.max_file_bytes {
            return Err(LoadError::new(
                format!(
                    "file is {len} bytes, larger than the limit of {} bytes",
                    self.max_file_bytes
                ),
                Span::new(0, 0),
            )
            .with_help("raise the limit with --max-file-size if this file is genuine"));
        }
        Ok(())
    }

    pub(crate) fn too_deep(&self, span: Span) -> LoadError {
        LoadError::new(
            format!("nesting is deeper than the limit of {} levels", self.max_depth),
            span,
        )
        .with_help("no wrangler config or blueprint nests this deep; check the file for a generated or corrupted section (--max-depth raises the limit)")
    }
}
