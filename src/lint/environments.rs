//! Which environments are production: rules about data that must not be shared with, or copied
//! from, production (`preview-id-equals-id`, `production-shares-state`) ask here.
//!
//! An env is production when its name is one of the production names — by default `production`,
//! `prod`, `prd` and `live`, also as a part of a longer name split at `-`, `_` or `.`
//! (`prod-eu`, `us_production`) — or, for the top level, when the worker defines no env with such a
//! name (a config whose only deployment is its top level deploys production from there; one with
//! an `env.production` uses its top level for development and previews). Both are options of the
//! rules that use this: `production_envs` (a list of env names, replacing the default names) and
//! `top_level_is_production` (true or false, replacing the guess).

use crate::diagnostics::Diagnostic;
use crate::model::{Env, Worker};
use crate::source::NodeKind;

use super::rule::Ctx;

/// The default production env names.
pub const DEFAULT_PRODUCTION_NAMES: &[&str] = &["production", "prod", "prd", "live"];

/// Option names (documented in each rule that uses them).
pub const PRODUCTION_ENVS: &str = "production_envs";
pub const TOP_LEVEL_IS_PRODUCTION: &str = "top_level_is_production";

/// The production test for one rule run, from that rule's options.
#[derive(Debug, Clone)]
pub struct Production {
    /// Configured names (exact, case-insensitive); None: the default names, also as name parts.
    names: Option<Vec<String>>,
    top_level: Option<bool>,
}

impl Production {
    /// Read the options of the rule `cx` runs; a malformed option is reported (once, at the
    /// start of the file) and ignored.
    pub fn from_options(cx: &Ctx, problems: &mut Vec<Diagnostic>) -> Production {
        let mut p = Production {
            names: None,
            top_level: None,
        };
        if let Some(node) = cx.options.get(PRODUCTION_ENVS) {
            let names: Option<Vec<String>> = node.as_seq().and_then(|items| {
                items
                    .iter()
                    .map(|n| n.as_str().map(str::to_ascii_lowercase))
                    .collect()
            });
            match names {
                Some(n) => p.names = Some(n),
                None => problems.push(bad_option(
                    cx,
                    PRODUCTION_ENVS,
                    "a list of environment names",
                )),
            }
        }
        if let Some(node) = cx.options.get(TOP_LEVEL_IS_PRODUCTION) {
            match node.kind {
                NodeKind::Bool(b) => p.top_level = Some(b),
                _ => problems.push(bad_option(cx, TOP_LEVEL_IS_PRODUCTION, "true or false")),
            }
        }
        p
    }

    /// `top_level_is_production` as configured (None: guessed).
    pub fn top_level_configured(&self) -> Option<bool> {
        self.top_level
    }

    /// Is an env of this name a production env?
    pub fn is_production_name(&self, name: &str) -> bool {
        is_production_name(name, self.names.as_deref())
    }

    /// Is `env` of `worker` a production deployment?
    pub fn is_production(&self, worker: &Worker, env: &Env) -> bool {
        match env.name_str() {
            Some(name) => self.is_production_name(name),
            None => self.top_level.unwrap_or_else(|| {
                !worker
                    .envs
                    .iter()
                    .filter_map(Env::name_str)
                    .any(|n| self.is_production_name(n))
            }),
        }
    }
}

/// Is an env of this name a production env, given the configured names (lowercase; None: the
/// default names, also as name parts)? The blueprint resolver asks too, to give every other env
/// its own resources.
pub fn is_production_name(name: &str, names: Option<&[String]>) -> bool {
    let lower = name.to_ascii_lowercase();
    match names {
        Some(names) => names.contains(&lower),
        None => lower
            .split(['-', '_', '.'])
            .any(|part| DEFAULT_PRODUCTION_NAMES.contains(&part)),
    }
}

fn bad_option(cx: &Ctx, key: &str, expected: &str) -> Diagnostic {
    cx.diag(
        crate::source::Span::default(),
        format!(
            "option `{key}` of {} should be {expected}; it is ignored",
            cx.rule.name
        ),
    )
    .with_help(format!(
        "set it as `{key} = …` under `[lint.options.{}]` in doforge.toml (or `lint.options.{}` in a blueprint)",
        cx.rule.name, cx.rule.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_match_whole_parts_only() {
        let p = Production {
            names: None,
            top_level: None,
        };
        for n in ["production", "PROD", "prod-eu", "us_production", "live"] {
            assert!(p.is_production_name(n), "{n}");
        }
        for n in ["preprod", "dev", "staging", "alpha", "local", "productions"] {
            assert!(!p.is_production_name(n), "{n}");
        }
        let custom = Production {
            names: Some(vec!["main".into()]),
            top_level: None,
        };
        assert!(custom.is_production_name("Main"));
        assert!(!custom.is_production_name("production"));
    }
}
