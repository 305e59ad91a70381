//! The blueprint JSON Schema check: validate a loaded blueprint [`Node`] tree against
//! `schemas/blueprint.schema.json` and turn every error into a positioned [`Diagnostic`].
//!
//! How errors are mapped back to the source:
//! - an unexpected key points at *that key* (one diagnostic per key), with a "did you mean" help
//!   built from the schema's `properties` at that place;
//! - a missing required key points at the parent (its key when it has one), naming the key;
//! - a wrong value points at the value, with a message in Cloudflare terms (a small table keyed by
//!   schema location replaces raw regexes and enum dumps on the fields people get wrong);
//! - several errors on one place are reduced to the most specific one; output is sorted by position.
//!
//! Two checks go beyond what JSON Schema can say, and report under the same `schema` rule:
//! - open objects (a worker's `config`, a binding's `config`) let unknown keys pass through to
//!   wrangler, but a key that is a near-miss of a known one (`compatiblity_date`) is an error;
//! - `environments.<env>.resources.<id>` overrides are checked against the config schema of the
//!   resource they override (found by id), as partial configs (required keys are not required).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::Value;

use super::wrangler_keys::suggest;
use crate::diagnostics::{Diagnostic, Label};
use crate::source::{Node, NodeKind, SourceFile, Span};

/// The blueprint schema text (what `doforge schema` prints).
pub const SCHEMA: &str = include_str!("../../../schemas/blueprint.schema.json");

/// The rule name every finding of this module carries.
const RULE: &str = "schema";

struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

/// The parsed schema and its validator, built once per process.
fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        // Both are covered by unit tests, so a failure here is a build defect, not user input.
        let schema: Value =
            serde_json::from_str(SCHEMA).expect("schemas/blueprint.schema.json is valid JSON");
        let validator = jsonschema::draft202012::options()
            .build(&schema)
            .expect("schemas/blueprint.schema.json compiles");
        Compiled { schema, validator }
    })
}

/// Whether `name` may be a Durable Object `class_name` of a blueprint (`$defs/class_name`:
/// PascalCase, at most 64 characters, not a reserved name).
pub fn is_valid_class_name(name: &str) -> bool {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let mut def = compiled().schema.get("$defs")?.get("class_name")?.clone();
        if let Value::Object(m) = &mut def {
            m.insert("$defs".into(), compiled().schema.get("$defs")?.clone());
        }
        jsonschema::draft202012::options().build(&def).ok()
    });
    validator
        .as_ref()
        .is_some_and(|v| v.is_valid(&Value::String(name.to_owned())))
}

/// Check a loaded blueprint; every error becomes a `Diagnostic` with rule "schema", severity Error.
pub fn check(file: &Arc<SourceFile>, root: &Node) -> Vec<Diagnostic> {
    let compiled = compiled();
    let cx = Cx {
        schema: &compiled.schema,
        root,
    };
    let mut findings = Vec::new();

    let instance = root.to_json();
    for error in compiled.validator.iter_errors(&instance) {
        cx.lower(&error, &Rebase::identity(), &mut findings);
    }
    cx.near_misses(&mut findings);
    cx.environment_overrides(&compiled.validator, &mut findings);

    finish(file, findings)
}

mod lower;
mod messages;
mod open;
mod wording;

use lower::*;
use messages::*;
use open::*;
use wording::*;

// ---------------------------------------------------------------------------------------------
// Findings: positioned, not yet deduplicated

/// One error, placed. `place` identifies what it is about, so duplicates can be reduced.
#[derive(Debug)]
struct Finding {
    place: (Place, String),
    rank: u8,
    span: Span,
    message: String,
    help: Option<String>,
    /// For an unknown key: the known key it most likely means (that key is then not also
    /// reported as missing).
    meant: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// The value at the path is wrong.
    Value,
    /// A key of the map at the path is wrong (unexpected, misspelt or badly named).
    Key(String),
    /// The map at the path misses keys (these findings are merged).
    Missing,
}

/// Where a map misses keys, and which (each with its advice).
type MissingKeys = (Span, Vec<(String, Option<String>)>);

/// Reduce to one finding per place (the most specific), merge missing keys, sort by position.
fn finish(file: &Arc<SourceFile>, findings: Vec<Finding>) -> Vec<Diagnostic> {
    let mut best: BTreeMap<(Place, String), Finding> = BTreeMap::new();
    let mut missing: BTreeMap<String, MissingKeys> = BTreeMap::new();
    // `provder: cloudflare` is one mistake: report the misspelt key, not also a missing `provider`.
    let meant: Vec<(String, String)> = findings
        .iter()
        .filter_map(|f| Some((f.place.1.clone(), f.meant.clone()?)))
        .collect();
    for f in findings {
        if f.place.0 == Place::Missing && meant.contains(&(f.place.1.clone(), f.message.clone())) {
            continue;
        }
        if f.place.0 == Place::Missing {
            let entry = missing
                .entry(f.place.1.clone())
                .or_insert_with(|| (f.span, Vec::new()));
            // For a missing key, `message` holds the key's name and `help` its advice.
            if !entry.1.iter().any(|(k, _)| *k == f.message) {
                entry.1.push((f.message, f.help));
            }
            continue;
        }
        match best.get(&f.place) {
            Some(old) if old.rank <= f.rank => {}
            _ => {
                best.insert(f.place.clone(), f);
            }
        }
    }

    let mut out: Vec<Diagnostic> = best
        .into_values()
        .map(|f| {
            let d = Diagnostic::error(RULE, f.message, Label::new(file, f.span));
            match f.help {
                Some(h) => d.with_help(h),
                None => d,
            }
        })
        .collect();
    for (path, (span, keys)) in missing {
        let names: Vec<String> = keys.iter().map(|(k, _)| format!("\"{k}\"")).collect();
        let message = if names.len() == 1 {
            format!(
                "{} is missing the required key {}",
                subject(&path),
                names[0]
            )
        } else {
            format!(
                "{} is missing the required keys {}",
                subject(&path),
                join_and(&names)
            )
        };
        let helps: Vec<String> = keys.into_iter().filter_map(|(_, h)| h).collect();
        let d = Diagnostic::error(RULE, message, Label::new(file, span));
        out.push(if helps.is_empty() {
            d
        } else {
            d.with_help(helps.join("; "))
        });
    }
    out.sort_by(|a, b| (a.primary.span.start, &a.message).cmp(&(b.primary.span.start, &b.message)));
    out
}

#[cfg(test)]
mod tests;
