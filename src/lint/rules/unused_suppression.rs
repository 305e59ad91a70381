//! `unused-suppression`: the engine reports these while applying inline suppressions
//! (`lint::suppress`); this file holds the rule's metadata and docs.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};

pub static RULE: Rule = Rule {
    name: "unused-suppression",
    category: Category::Structure,
    default_severity: Severity::Warning,
    summary: "A `doforge-ignore` comment that suppresses nothing, or names no rule",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Reports a `# doforge-ignore: rule -- reason` comment (`//` in JSONC) that silenced no finding on
the line it applies to (the next line that is not blank or a comment), and one that names a rule
doforge does not have.

## Why it matters
Suppressions outlive the problems they hid. A stale one silently hides the *next* problem on that
line; a misspelled rule name never suppressed anything in the first place.

## Example
```toml
# doforge-ignore: placeholder-id -- fixed in #123
id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718"
```

## Use instead
Remove the comment once the finding is gone; keep suppressions next to the finding they silence,
with a reason.

## References
- https://github.com/astral-sh/ruff (RUF100, the same idea for `noqa` comments)
"#;

/// Findings come from the suppression pass, which knows which comments were used.
fn check(_cx: &Ctx) -> Vec<Diagnostic> {
    Vec::new()
}
