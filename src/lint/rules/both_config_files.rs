//! `both-config-files`: `wrangler.toml` beside `wrangler.json` / `wrangler.jsonc` — wrangler reads
//! one and silently ignores the other.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};

use super::compat_date_missing::top_of_file;

pub static RULE: Rule = Rule {
    name: "both-config-files",
    category: Category::Structure,
    default_severity: Severity::Warning,
    summary: "Two wrangler config files in one directory (`wrangler.toml` and `wrangler.json(c)`): wrangler reads one and ignores the other",
    docs: DOCS,
    applies_to: Input::WRANGLER,
    check,
};

const DOCS: &str = r#"## What it does
Flags a `wrangler.toml`, `wrangler.json` or `wrangler.jsonc` that has a sibling wrangler reads
instead. Wrangler 4 looks for `wrangler.json`, then `wrangler.jsonc`, then `wrangler.toml`, and
uses the first it finds; the finding is on each file it ignores, naming the one it reads.

Only files with exactly these names are considered (a file passed with `--config`, such as
`wrangler.staging.toml`, is read because it is named).

## Why it matters
Wrangler does not warn: the ignored file simply has no effect. Typically a project migrated from
`wrangler.toml` to `wrangler.jsonc` (which new projects get from `create-cloudflare`) keeps the
old file, and later edits to it — a new binding, a migration, a route — never reach Cloudflare.

Wrangler searches upward through parent directories for each name in turn, so a `wrangler.json`
in a *parent* directory also wins over a `wrangler.toml` in the directory where wrangler runs
without `--config`. This rule reports the same-directory case only.

## Example
```text
my-worker/
├── wrangler.jsonc   ← read by wrangler
└── wrangler.toml    ← ignored
```

## Use instead
Keep one file: merge what only the ignored file holds into the one wrangler reads, then delete it.
If both are needed (different deploy targets), rename one (`wrangler.legacy.toml`) and select it
explicitly with `wrangler deploy --config wrangler.legacy.toml`.

## References
- https://developers.cloudflare.com/workers/wrangler/configuration/
- wrangler 4.164 `findWranglerConfig` (`@cloudflare/workers-utils`): `wrangler.json` ?? `wrangler.jsonc` ?? `wrangler.toml`
"#;

/// The names wrangler looks for, in the order it prefers them.
pub const PRECEDENCE: [&str; 3] = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/// The sibling wrangler reads instead of the config file at `path`, when there is one.
pub fn shadowed_by(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?;
    let rank = PRECEDENCE.iter().position(|n| *n == name)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    PRECEDENCE[..rank]
        .iter()
        .copied()
        .find(|n| dir.join(n).is_file())
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let path = &cx.file().path;
    let Some(winner) = shadowed_by(path) else {
        return Vec::new();
    };
    let own = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let d = cx
        .diag(
            top_of_file(cx),
            format!(
                "wrangler ignores this {own}: `{winner}` in the same directory takes precedence (wrangler reads wrangler.json, then wrangler.jsonc, then wrangler.toml, and says nothing about the others)"
            ),
        )
        .with_help(format!(
            "keep one file: move what only {own} holds into {winner} and delete {own}; or rename it and pass it with `wrangler --config` where it is meant to be used"
        ));
    vec![d]
}
