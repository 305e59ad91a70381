//! Per-path settings: `[lint.per-file-ignores]` in `doforge.toml` (like ruff's) and the rules that
//! stay off for test-only configs (`[lint] test-paths`, with a built-in default).
//!
//! A pattern is matched against the checked file's path relative to the directory of the
//! `doforge.toml` that holds it — or, for the built-in test paths without a settings file, relative
//! to the current directory (the path as given when the file is outside it). `*` matches within
//! one path segment, `**` any number of segments, `?` one character. A pattern without `/`
//! matches any single segment (`fixtures` matches `a/fixtures/b/wrangler.toml`,
//! `wrangler.test.*` a file of that name anywhere); a pattern with `/` matches the whole relative
//! path or a directory at its start (`tests/e2e` covers everything below `tests/e2e/`).

use std::path::{Component, Path};

/// What counts as a test-only config when `test-paths` is not set: a directory or file named like
/// a test fixture, or a wrangler config named for a test runner.
pub const DEFAULT_TEST_PATHS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "fixtures",
    "__fixtures__",
    "e2e",
    "wrangler.test.*",
    "wrangler.e2e.*",
    "wrangler.vitest.*",
    "wrangler.spec.*",
];

/// Rules turned off for test-only configs: the ones about deploying to Cloudflare for real, which
/// test configs deliberately skip (no compatibility date, fake or shared ids, classes bound without
/// migrations, secrets that are test values). Rules about what makes the config unloadable or
/// wrong in `wrangler dev` / vitest (unknown keys, duplicate bindings, invalid names, migration
/// conflicts, …) stay on.
pub const TEST_PATH_RULES: &[&str] = &[
    "compat-date-missing",
    "compat-date-stale",
    "do-missing-migration",
    "placeholder-id",
    "preview-id-equals-id",
    "production-shares-state",
    "queue-without-consumer",
    "resource-id-invalid",
    "secret-in-vars",
];

/// The segments of `path` relative to `base` (when under it), as strings; `.` and `..` dropped.
pub fn segments(path: &Path, base: Option<&Path>) -> Vec<String> {
    let rel = base.and_then(|b| path.strip_prefix(b).ok()).unwrap_or(path);
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

/// Does `pattern` (see the module docs) match the path given as `segments`?
pub fn matches(pattern: &str, segments: &[String]) -> bool {
    let pattern = pattern.trim_matches('/');
    if pattern.is_empty() {
        return false;
    }
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() == 1 && parts[0] != "**" {
        return segments.iter().any(|s| segment_matches(parts[0], s));
    }
    // The whole path, or a directory at its start.
    (0..=segments.len()).any(|n| path_matches(&parts, &segments[..n]) && n > 0)
}

fn path_matches(parts: &[&str], segs: &[String]) -> bool {
    match parts.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|i| path_matches(rest, &segs[i..])),
        Some((p, rest)) => match segs.split_first() {
            Some((s, more)) => segment_matches(p, s) && path_matches(rest, more),
            None => false,
        },
    }
}

/// `*` and `?` within one segment.
fn segment_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative wildcard match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        segments(Path::new(p), None)
    }

    #[test]
    fn patterns() {
        assert!(matches("tests", &segs("pkg/tests/wrangler.toml")));
        assert!(matches("wrangler.test.*", &segs("a/wrangler.test.jsonc")));
        assert!(!matches("wrangler.test.*", &segs("a/wrangler.toml")));
        assert!(matches("apps/*/e2e", &segs("apps/web/e2e/x/wrangler.toml")));
        assert!(matches(
            "apps/**/wrangler.toml",
            &segs("apps/a/b/wrangler.toml")
        ));
        assert!(matches(
            "**/fixtures/**",
            &segs("x/fixtures/y/wrangler.toml")
        ));
        assert!(!matches("apps/*/e2e", &segs("apps/web/src/wrangler.toml")));
        assert!(!matches("test", &segs("latest/wrangler.toml")));
        assert!(matches("tests/", &segs("tests/wrangler.toml")));
        assert!(!matches("", &segs("tests/wrangler.toml")));
        assert!(segment_matches("w*l?r", "wrangler"));
        assert!(!segment_matches("w*x", "wrangler"));
    }

    #[test]
    fn segments_are_relative_to_the_base_when_under_it() {
        assert_eq!(
            segments(Path::new("/r/tests/a.toml"), Some(Path::new("/r"))),
            ["tests", "a.toml"]
        );
        assert_eq!(
            segments(Path::new("./x/a.toml"), Some(Path::new("/r"))),
            ["x", "a.toml"]
        );
    }
}
