//! `--diff`: the unified diff of what `--fix` would write.

use similar::TextDiff;

/// A unified diff (3 lines of context) from `old` to `new`, headed `--- path` / `+++ path`;
/// empty when they are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .missing_newline_hint(true)
        .header(path, path)
        .to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_lines_with_context() {
        let d = unified_diff("wrangler.toml", "a\nb\nc\n", "a\nc\n");
        assert_eq!(
            d,
            "--- wrangler.toml\n+++ wrangler.toml\n@@ -1,3 +1,2 @@\n a\n-b\n c\n"
        );
        assert!(unified_diff("x", "a\n", "a\n").is_empty());
    }
}
