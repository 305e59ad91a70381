//! `r2-bucket-name-invalid`: an R2 `bucket_name` / `preview_bucket_name` that R2 (and wrangler)
//! reject, in any environment — including a blueprint bucket name that defaults to its resource id.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{BindingKind, ProjectKind, Sp};
use crate::source::Span;

use super::placeholder_id::is_placeholder_name;

pub static RULE: Rule = Rule {
    name: "r2-bucket-name-invalid",
    category: Category::Bindings,
    default_severity: Severity::Error,
    summary: "An R2 bucket name wrangler rejects (3-63 lowercase letters, digits and `-`, starting and ending with a letter or digit), in any environment",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Checks the `bucket_name` and `preview_bucket_name` of every R2 binding in every environment
against R2's naming rule, the one wrangler applies: 3 to 63 characters, only lowercase letters,
digits and `-`, beginning and ending with a letter or digit.

In blueprints the schema checks names written in a resource's `config`; this rule checks the
bucket name a `cloudflare_r2_bucket` resource gets by default — its resource id, which may
contain `_` or be too short or too long. Placeholders (`<your-bucket>`) are left to
`placeholder-id`.

## Why it matters
Wrangler refuses the whole config ("bucket_name=\"Media_Files\" is invalid. Bucket names must
begin and end with an alphanumeric character, only contain lowercase letters, numbers, and
hyphens, and be between 3 and 63 characters long."), but only for the environment being deployed:
a bad name in `env.production` breaks the production deploy while every staging run passes. A
blueprint whose bucket name defaults to an id such as `media_files` produces such a config.

## Example
```toml
[[r2_buckets]]
binding = "MEDIA"
bucket_name = "Media_Files"
```

## Use instead
```toml
[[r2_buckets]]
binding = "MEDIA"
bucket_name = "media-files"
```

## References
- https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations
- https://developers.cloudflare.com/workers/wrangler/configuration/#r2-buckets
"#;

/// wrangler's `isValidR2BucketName`: `^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`.
fn is_valid_bucket_name(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (3..=63).contains(&b.len())
        && b.first().is_some_and(ok)
        && b.last().is_some_and(ok)
        && b.iter().all(|c| ok(c) || *c == b'-')
}

/// A valid name close to `s`: lower case, other characters as `-`, trimmed and padded.
fn suggestion(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    out = out.trim_matches('-').to_owned();
    out.truncate(63);
    let mut out = out.trim_end_matches('-').to_owned();
    while out.len() < 3 {
        out.push_str(if out.is_empty() { "bucket" } else { "-files" });
    }
    out
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let blueprint = cx.project.kind == ProjectKind::Blueprint;
    // Blueprint names that were not written but default to a resource id (span of the id).
    let defaults: HashMap<Span, &str> = cx
        .project
        .resources
        .iter()
        .map(|r| (r.id.span, r.id.as_str()))
        .collect();
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            for b in &env.bindings {
                let BindingKind::R2Bucket {
                    bucket_name,
                    preview_bucket_name,
                    ..
                } = &b.kind
                else {
                    continue;
                };
                let names: [(&Option<Sp<String>>, &str); 2] = [
                    (bucket_name, "bucket_name"),
                    (preview_bucket_name, "preview_bucket_name"),
                ];
                for (name, key) in names {
                    let Some(name) = name else { continue };
                    let n = name.as_str();
                    if is_valid_bucket_name(n) || is_placeholder_name(n) {
                        continue;
                    }
                    let from_id = defaults.get(&name.span);
                    if blueprint && from_id.is_none() {
                        // Written in the resource config: the schema reports it.
                        continue;
                    }
                    let message = match from_id {
                        Some(id) => format!(
                            "R2 binding `{}` gets the bucket name `{n}` from resource id `{id}`, which is not a valid bucket name",
                            b.name.value
                        ),
                        None => format!(
                            "`{key}` `{n}` of R2 binding `{}` is not a valid bucket name",
                            b.name.value
                        ),
                    };
                    let rule = "bucket names are 3-63 lowercase letters, digits and `-`, beginning and ending with a letter or digit";
                    let help = match from_id {
                        Some(_) => format!("{rule}: set `bucket_name: {}` in the resource's config, or choose a resource id that is a valid bucket name", suggestion(n)),
                        None => format!("{rule}, e.g. `{}`", suggestion(n)),
                    };
                    out.push(
                        cx.diag(name.span, message)
                            .with_help(help)
                            .with_env(env.name_str()),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        for ok in ["abc", "media-files", "a1b", &"a".repeat(63)] {
            assert!(is_valid_bucket_name(ok), "{ok}");
        }
        for bad in [
            "ab",
            "Media",
            "media_files",
            "-media",
            "media-",
            "",
            &"a".repeat(64),
        ] {
            assert!(!is_valid_bucket_name(bad), "{bad}");
        }
        assert_eq!(suggestion("Media_Files"), "media-files");
        assert_eq!(suggestion("x"), "x-files");
        assert!(is_valid_bucket_name(&suggestion(&"_".repeat(70))));
    }
}
