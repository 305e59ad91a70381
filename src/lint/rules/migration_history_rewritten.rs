//! `migration-history-rewritten`: a migration step committed in git's `HEAD` that was since
//! edited, reordered or removed.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::git_history::BaseText;
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{self, Env, Migration, Origin, Project, ProjectKind};
use crate::source::{self, Limits, SourceFile, Span};

pub static RULE: Rule = Rule {
    name: "migration-history-rewritten",
    category: Category::Lifecycle,
    default_severity: Severity::Error,
    summary: "A migration step committed in git's HEAD (or in the base branch, `--base`) that was edited, reordered or removed (migrations are append-only)",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
When the checked file is tracked by git and declares migrations, reads the file as committed in
`HEAD` (`git show HEAD:<file>`) and compares each environment's effective migration history with
the committed one, step by step (by tag): a committed step that is now missing, whose contents
changed, that moved before an earlier step, or that has a new step inserted before it is flagged.
Appending steps is fine. Outside a git repository, for an untracked file, or when `git` is not
installed, the rule does nothing.

In CI the edit is already committed, so the file is also compared with a **base**: the merge base
of `HEAD` with `--base REF` (`doforge check --base origin/main`), or, without `--base`, with the
current branch's upstream (`@{upstream}`) or else the remote's default branch
(`origin/HEAD`), when the repository has one. A pull request that edits tag `v1` in place thus
fails even when the working copy equals `HEAD`. A step rewritten both in the working copy and on
the branch is reported once. When the base is `HEAD` itself (checking the base branch), only
`HEAD` is compared. A `--base` that does not resolve (a typo, or a shallow clone without the
base's history) is an error, so the gate never passes silently; in GitHub Actions check out with
`fetch-depth: 0` (docs/ci.md).

## Why it matters
The migration list is an append-only ledger. Wrangler reads the deployed Worker's last migration
tag, finds it in your list and uploads only the steps after it. Edit a step that was already
applied and the change is never sent (or is sent to a fresh environment only, so environments
drift apart). Remove the deployed tag and wrangler warns "…has a migration tag "v3", which was
not found in your … file. You may have already deleted it. Applying all available migrations to
the script..." and replays every step, which the API rejects (e.g. error 10074); a mismatched
old tag gives "Migration tag precondition failed" (error 10079).

## Example
Committed:
```toml
[[migrations]]
tag = "v1"
new_classes = ["Counter"]
```
Working copy:
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]   # edited after it was deployed
```

## Use instead
Keep committed steps exactly as they are and append new ones:
```toml
[[migrations]]
tag = "v1"
new_classes = ["Counter"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["CounterV2"]
```
If a step was committed but never deployed anywhere, amend it deliberately and suppress the
finding for that commit.

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/
- https://github.com/cloudflare/workers-sdk/issues/705
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    // Cheap first: only a file that declares migrations is worth a `git` call.
    let declares = cx
        .project
        .workers
        .iter()
        .any(|w| w.envs.iter().any(|e| !e.lifecycle.migrations.is_empty()));
    if !declares {
        return Vec::new();
    }
    let file = cx.file();
    let mut out = cx
        .workspace
        .committed_text(&file.path)
        .map(|old| against(cx, old, "HEAD"))
        .unwrap_or_default();
    match cx.workspace.base_text(&file.path) {
        BaseText::Text { label, text } => {
            // A step rewritten both in the working copy and on the branch is one finding.
            let seen: HashSet<_> = out.iter().map(|d| same_finding(d, "HEAD")).collect();
            out.extend(
                against(cx, text, &label)
                    .into_iter()
                    .filter(|d| !seen.contains(&same_finding(d, &label))),
            );
        }
        BaseText::Unresolved { reference, why } => out.push(
            cx.diag(
                Span::default(),
                format!("--base {reference}: cannot compare the migration history with it: {why}"),
            )
            .with_help("pass a branch, tag or commit the repository has (`--base origin/main`); in a shallow CI clone fetch the base first"),
        ),
        BaseText::None => {}
    }
    out
}

/// What makes two findings of different comparisons the same: place, env and message with the
/// compared commit's name left out.
fn same_finding(d: &Diagnostic, label: &str) -> (usize, Option<String>, String) {
    (
        d.primary.span.start,
        d.env.clone(),
        d.message.replace(label, ""),
    )
}

/// Findings of the current text against `old_text`, a committed version named `label`.
fn against(cx: &Ctx, old_text: String, label: &str) -> Vec<Diagnostic> {
    let file = cx.file();
    if old_text == file.text {
        return Vec::new();
    }
    let old_file = SourceFile::new(file.path.clone(), file.format, old_text);
    let Ok(old_root) = source::parse(&old_file, &Limits::default()) else {
        return Vec::new();
    };
    let (old, _) = match cx.project.kind {
        ProjectKind::Blueprint => model::blueprint::resolve(&old_file, &old_root),
        ProjectKind::Wrangler => model::wrangler::resolve(&old_file, &old_root),
    };
    let Some(old) = old else { return Vec::new() };
    compare(cx, &old, label)
}

/// Compare every env's effective history with the same env's committed one.
fn compare(cx: &Ctx, old: &Project, label: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, worker) in cx.project.workers.iter().enumerate() {
        let old_worker = match &worker.id {
            Some(id) => old
                .workers
                .iter()
                .find(|w| w.id.as_ref().is_some_and(|o| o.value == id.value)),
            None => old.workers.get(i),
        };
        let Some(old_worker) = old_worker else {
            continue;
        };
        for env in &worker.envs {
            // An environment that did not exist in HEAD deploys fresh.
            let Some(old_env) = old_worker.env(env.name_str()) else {
                continue;
            };
            compare_env(cx, env, &old_env.lifecycle.migrations, label, &mut out);
        }
    }
    out
}

fn key(m: &Migration, i: usize) -> String {
    match &m.tag {
        Some(t) => format!("tag:{}", t.value),
        None => format!("#{i}"),
    }
}

fn shown(m: &Migration, i: usize) -> String {
    match &m.tag {
        Some(t) => format!("`{}`", t.value),
        None => format!("#{} (no tag)", i + 1),
    }
}

fn compare_env(cx: &Ctx, env: &Env, old: &[Migration], label: &str, out: &mut Vec<Diagnostic>) {
    let lc = &env.lifecycle;
    let new = &lc.migrations;
    if old.is_empty() {
        return;
    }
    // Findings in an inherited list are the top level's; name the env only for its own list.
    let env_name = match lc.migrations_origin {
        Some(o) if o.origin == Origin::Own && !env.is_top() => env.name_str(),
        _ => None,
    };
    let list_span = lc
        .migrations_origin
        .and_then(|o| o.key_span)
        .unwrap_or(env.span);
    let help_keep = "migrations are append-only: Cloudflare applies each tag once and wrangler uploads only the steps after the deployed tag. Restore the step as committed and append a new step for the change";
    let mut new_index: HashMap<String, usize> = HashMap::new();
    for (j, m) in new.iter().enumerate() {
        new_index.entry(key(m, j)).or_insert(j);
    }
    let old_keys: HashMap<String, usize> = old
        .iter()
        .enumerate()
        .map(|(i, m)| (key(m, i), i))
        .collect();
    let tag_span = |m: &Migration| -> Span { m.tag.as_ref().map_or(m.span, |t| t.span) };

    let mut last: Option<usize> = None;
    let mut max_j = None;
    for (i, om) in old.iter().enumerate() {
        let Some(&j) = new_index.get(&key(om, i)) else {
            out.push(
                cx.diag(
                    list_span,
                    format!(
                        "migration step {} was committed ({label}) but is no longer in this history",
                        shown(om, i)
                    ),
                )
                .with_help("migrations are append-only: if the deployed tag disappears, wrangler replays every step and the API rejects them (error 10074). Restore the step as committed")
                .with_env(env_name),
            );
            continue;
        };
        let nm = &new[j];
        if !om.same_directives(nm) {
            out.push(
                cx.diag(
                    tag_span(nm),
                    format!(
                        "migration step {} differs from the committed one ({label})",
                        shown(nm, j)
                    ),
                )
                .with_help(help_keep)
                .with_env(env_name),
            );
        }
        if let Some(pj) = last {
            if j < pj {
                out.push(
                    cx.diag(
                        tag_span(nm),
                        format!(
                            "migration step {} now comes before {}, but was committed ({label}) after it",
                            shown(nm, j),
                            shown(&new[pj], pj)
                        ),
                    )
                    .with_secondary(cx.label(tag_span(&new[pj]), "committed before this step"))
                    .with_help("migrations are applied in order and are append-only: restore the committed order")
                    .with_env(env_name),
                );
            }
        }
        if last.is_none_or(|pj| j > pj) {
            last = Some(j);
        }
        max_j = max_j.max(Some(j));
    }
    let Some(max_j) = max_j else { return };
    for (j, m) in new.iter().enumerate().take(max_j) {
        if old_keys.contains_key(&key(m, j)) {
            continue;
        }
        let before = &new[max_j];
        out.push(
            cx.diag(
                tag_span(m),
                format!(
                    "migration step {} is inserted before the committed step {}",
                    shown(m, j),
                    shown(before, max_j)
                ),
            )
            .with_help("wrangler uploads only the steps after the deployed tag, so a step inserted before it is never applied: move it to the end of the list")
            .with_env(env_name),
        );
    }
}
