//! Structural check of a wrangler config against the key tree derived from wrangler's own
//! `config-schema.json`: every key wrangler does not know, at any depth, is an `unknown-field`
//! finding at that key, with the closest known key as a suggestion.

use std::sync::Arc;

use super::wrangler_keys::{unknown_keys, wrangler_config};
use crate::diagnostics::{Diagnostic, Label};
use crate::source::{Node, SourceFile};

/// Rule name of the finding (public, stable).
pub const UNKNOWN_FIELD: &str = "unknown-field";

pub fn check(file: &Arc<SourceFile>, root: &Node) -> Vec<Diagnostic> {
    unknown_keys(root, wrangler_config())
        .into_iter()
        .map(|u| {
            let key_path = u.key_path();
            let place = if u.path.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("in `{}`", u.path)
            };
            let help = match &u.suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None if u.known.len() <= 12 => format!("known keys here: {}", u.known.join(", ")),
                None => {
                    "remove it, or check the key against the wrangler configuration docs".to_owned()
                }
            };
            Diagnostic::warning(
                UNKNOWN_FIELD,
                format!("wrangler does not know the key `{}` {place}", u.key),
                Label::new(file, u.key_span),
            )
            .with_help(help)
            .with_env(env_of(&key_path))
        })
        .collect()
}

/// `env.<name>…` paths belong to that environment.
fn env_of(path: &str) -> Option<&str> {
    if let Some(quoted) = path.strip_prefix("env[\"") {
        // Quoted env names come JSON-escaped; names needing escapes are not worth decoding here.
        return quoted.split("\"]").next();
    }
    let rest = path.strip_prefix("env.")?;
    rest.split(['.', '[']).next().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_is_taken_from_the_path() {
        assert_eq!(env_of("env.staging.kv_namespace"), Some("staging"));
        assert_eq!(env_of("env.production"), Some("production"));
        assert_eq!(env_of("kv_namespaces[0].idd"), None);
        assert_eq!(env_of("env[\"my.env\"].vars"), Some("my.env"));
    }
}
