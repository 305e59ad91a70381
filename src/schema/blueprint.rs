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
pub const SCHEMA: &str = include_str!("../../schemas/blueprint.schema.json");

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

// ---------------------------------------------------------------------------------------------
// Lowering validator errors

/// Maps an error's instance path to a path in the blueprint (identity, except for environment
/// overrides, which are validated as a synthetic document).
struct Rebase<'a> {
    from: &'a str,
    to: String,
}

impl Rebase<'_> {
    fn identity() -> Rebase<'static> {
        Rebase {
            from: "",
            to: String::new(),
        }
    }
    fn apply(&self, path: &str) -> Option<String> {
        if self.from.is_empty() {
            return Some(path.to_owned());
        }
        let rest = path.strip_prefix(self.from)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        Some(format!("{}{rest}", self.to))
    }
}

struct Cx<'a> {
    schema: &'a Value,
    root: &'a Node,
}

impl Cx<'_> {
    /// The node at a blueprint path and the span of its key (when it is a map value).
    fn locate(&self, path: &str) -> (Span, Option<Span>) {
        match self.root.pointer(path) {
            Some((node, key)) => (node.span, key),
            None => (self.root.span, None),
        }
    }

    /// The schema object at a (canonical) schema path.
    fn schema_at(&self, path: &str) -> Option<&Value> {
        self.schema.pointer(path)
    }

    fn lower(&self, error: &ValidationError<'_>, rebase: &Rebase<'_>, out: &mut Vec<Finding>) {
        let Some(path) = rebase.apply(error.instance_path().as_str()) else {
            return;
        };
        let schema_path = error.schema_path().as_str();
        let value: &Value = error.instance();
        let kind = error.kind();
        match kind {
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                let parent = schema_path
                    .rsplit_once('/')
                    .map(|(p, _)| p)
                    .unwrap_or_default();
                for key in unexpected {
                    self.unexpected_key(&path, parent, key, out);
                }
            }
            ValidationErrorKind::Required { property } => {
                let key = property.as_str().unwrap_or_default().to_owned();
                let (span, key_span) = self.locate(&path);
                let help = required_help(schema_path, &key);
                if rebase.from.is_empty() {
                    out.push(Finding {
                        place: (Place::Missing, path),
                        rank: 0,
                        meant: None,
                        span: key_span.unwrap_or(span),
                        message: key,
                        help,
                    });
                }
                // Environment overrides are partial: a key the base config has is not missing.
            }
            ValidationErrorKind::PropertyNames { error: inner } => {
                let name = inner.instance().as_str().unwrap_or_default().to_owned();
                let entry_path = format!("{path}/{}", escape(&name));
                let (span, key_span) = self.locate(&entry_path);
                let shown = format!("\"{name}\"");
                let (message, help) = known_message(inner.schema_path().as_str(), &name, &shown)
                    .unwrap_or_else(|| {
                        (
                            format!("\"{name}\" is not a valid key in {}", within(&path)),
                            None,
                        )
                    });
                out.push(Finding {
                    place: (Place::Key(name), path),
                    rank: 0,
                    meant: None,
                    span: key_span.unwrap_or(span),
                    message,
                    help,
                });
            }
            ValidationErrorKind::UniqueItems => {
                let (span, _) = self.locate(&path);
                let mut seen: Vec<&Value> = Vec::new();
                let mut found = None;
                if let Some(items) = value.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        if seen.contains(&item) {
                            found = Some((i, item));
                            break;
                        }
                        seen.push(item);
                    }
                }
                let (span, message) = match found {
                    Some((i, item)) => (
                        self.locate(&format!("{path}/{i}")).0,
                        format!("{} is listed twice in {}", preview(item), field(&path)),
                    ),
                    None => (span, format!("{} lists the same entry twice", field(&path))),
                };
                out.push(Finding {
                    place: (Place::Value, path),
                    rank: 4,
                    meant: None,
                    span,
                    message,
                    help: Some("remove the repeated entry".into()),
                });
            }
            _ => {
                let (message, help, forbidden_key) =
                    self.value_message(&path, schema_path, kind, value);
                let (span, key_span) = self.locate(&path);
                let span = if forbidden_key {
                    key_span.unwrap_or(span)
                } else {
                    span
                };
                out.push(Finding {
                    place: (Place::Value, path),
                    rank: rank(kind),
                    meant: None,
                    span,
                    message,
                    help,
                });
            }
        }
    }

    /// One finding for a key the schema does not allow at `path` (`parent` is the schema object
    /// whose `properties` list the allowed keys).
    fn unexpected_key(&self, path: &str, parent: &str, key: &str, out: &mut Vec<Finding>) {
        let key_path = format!("{path}/{}", escape(key));
        let (span, key_span) = self.locate(&key_path);
        let parent_schema = self.schema_at(parent);
        let candidates: Vec<&str> = parent_schema
            .map(|s| allowed_keys(self.schema, s))
            .unwrap_or_default();
        let meant = suggest(key, candidates.iter().copied());
        let help = special_key_help(parent, key)
            .or_else(|| meant.as_ref().map(|s| format!("did you mean \"{s}\"?")))
            .or_else(|| {
                if candidates.is_empty() {
                    parent_schema
                        .and_then(|s| s.get("description"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                } else if candidates.len() <= 16 {
                    Some(format!("valid keys here: {}", candidates.join(", ")))
                } else {
                    None
                }
            });
        out.push(Finding {
            place: (Place::Key(key.to_owned()), path.to_owned()),
            rank: 0,
            span: key_span.unwrap_or(span),
            message: format!("unknown key \"{key}\" {}", within(path)),
            help,
            meant,
        });
    }

    /// Message and help for an error about a value, and whether it is about a key that is not
    /// allowed at all (then the finding points at the key).
    fn value_message(
        &self,
        path: &str,
        schema_path: &str,
        kind: &ValidationErrorKind,
        value: &Value,
    ) -> (String, Option<String>, bool) {
        let forbidden_key = match kind {
            ValidationErrorKind::FalseSchema => true,
            ValidationErrorKind::Not { schema } => schema.as_object().is_some_and(|o| o.is_empty()),
            _ => false,
        };
        if let Some((m, h)) = known_message(
            schema_path,
            value.as_str().unwrap_or_default(),
            &preview(value),
        ) {
            return (m, h, forbidden_key);
        }
        let name = field(path);
        match kind {
            ValidationErrorKind::Type { .. } => {
                let expected = schema_path
                    .strip_suffix("/type")
                    .and_then(|p| self.schema_at(p))
                    .and_then(|s| s.get("type"))
                    .map(expected_types)
                    .unwrap_or_else(|| "another type".into());
                if path.is_empty() {
                    let message = if value.is_null() {
                        "the blueprint is empty".to_owned()
                    } else {
                        format!(
                            "a blueprint must be a map of keys, found {}",
                            describe(value)
                        )
                    };
                    let help =
                        "start with `project_name:`, `provider: cloudflare` and `resources:`";
                    return (message, Some(help.into()), false);
                }
                (
                    format!("{name} must be {expected}, found {}", describe(value)),
                    None,
                    false,
                )
            }
            ValidationErrorKind::Constant { expected_value } => (
                format!(
                    "{name} must be {}, found {}",
                    preview(expected_value),
                    preview(value)
                ),
                None,
                false,
            ),
            ValidationErrorKind::Enum { options } => {
                let opts: Vec<String> = options
                    .as_array()
                    .map(|a| a.iter().map(preview).collect())
                    .unwrap_or_default();
                let strs: Vec<&str> = options
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let help = value
                    .as_str()
                    .and_then(|v| suggest(v, strs.iter().copied()))
                    .map(|s| format!("did you mean \"{s}\"?"));
                (
                    format!(
                        "{name} {} is not one of {}",
                        preview(value),
                        opts.join(", ")
                    ),
                    help,
                    false,
                )
            }
            ValidationErrorKind::Pattern { pattern } => (
                format!(
                    "{name} {} does not have the expected form (pattern {pattern})",
                    preview(value)
                ),
                None,
                false,
            ),
            ValidationErrorKind::Not { schema }
                if schema.as_object().is_some_and(|o| o.is_empty()) =>
            {
                // `{ "not": {} }`: the key is not allowed here; the property's description says why.
                let why = schema_path
                    .strip_suffix("/not")
                    .and_then(|p| self.schema_at(p))
                    .and_then(|s| s.get("description"))
                    .and_then(Value::as_str)
                    .map(|d| d.trim_start_matches("Not here: ").to_owned());
                (
                    format!(
                        "\"{}\" is not allowed {}",
                        last_key(path),
                        within(parent_of(path))
                    ),
                    why,
                    true,
                )
            }
            ValidationErrorKind::FalseSchema => (
                format!(
                    "\"{}\" is not allowed {}",
                    last_key(path),
                    within(parent_of(path))
                ),
                None,
                true,
            ),
            ValidationErrorKind::MinLength { .. } => {
                (format!("{name} must not be empty"), None, false)
            }
            ValidationErrorKind::MaxLength { limit } => (
                format!(
                    "{name} {} is longer than {limit} characters",
                    preview(value)
                ),
                None,
                false,
            ),
            ValidationErrorKind::MinItems { limit } => (
                format!(
                    "{name} must have at least {limit} entr{}",
                    if *limit == 1 { "y" } else { "ies" }
                ),
                None,
                false,
            ),
            ValidationErrorKind::MaxItems { limit } => (
                format!("{name} must have at most {limit} entries"),
                None,
                false,
            ),
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit } => (
                format!("{name} must be at least {limit}, found {}", preview(value)),
                None,
                false,
            ),
            ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => (
                format!("{name} must be at most {limit}, found {}", preview(value)),
                None,
                false,
            ),
            _ => (format!("{name}: {}", plain_error(kind, value)), None, false),
        }
    }
}

/// How specific an error about a value is (lower wins when several hit one place).
fn rank(kind: &ValidationErrorKind) -> u8 {
    match kind {
        ValidationErrorKind::Type { .. } => 0,
        ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. } => 1,
        ValidationErrorKind::Pattern { .. } => 2,
        ValidationErrorKind::Not { .. } | ValidationErrorKind::FalseSchema => 3,
        _ => 4,
    }
}

/// The jsonschema crate's own wording, for the rare errors without a message of ours.
fn plain_error(kind: &ValidationErrorKind, value: &Value) -> String {
    format!("{} is not valid ({})", preview(value), kind.keyword())
}

// ---------------------------------------------------------------------------------------------
// Cloudflare-worded messages for the fields people get wrong, keyed by schema location

/// `(message, help)` for an error at a known schema location; `v` is the offending string.
fn known_message(schema_path: &str, v: &str, shown: &str) -> Option<(String, Option<String>)> {
    let m = |message: String, help: Option<String>| Some((message, help));
    match schema_path {
        "/properties/project_name/pattern" => m(
            format!("project name \"{v}\" is not a valid Worker name: use 1-63 lowercase letters, digits and \"-\", not starting or ending with \"-\""),
            example(&slug(v)),
        ),
        "/$defs/script_name/pattern" => m(
            format!("Worker name \"{v}\" is not a valid script name: use 1-63 lowercase letters, digits and \"-\", not starting or ending with \"-\""),
            example(&slug(v)),
        ),
        "/$defs/resource_id/pattern" => m(
            format!("resource id \"{v}\" is not valid: use lowercase letters, digits, \"-\" and \"_\", starting with a letter or digit"),
            example(&slug(v)),
        ),
        "/$defs/class_name/pattern" => m(
            format!("class name \"{v}\" is not a valid identifier: use PascalCase letters and digits, e.g. \"{}\"", pascal(v)),
            Some("class names become a Rust struct and a JavaScript class in generated code".into()),
        ),
        "/$defs/class_name/maxLength" => m(
            format!("class name \"{v}\" is longer than 64 characters"),
            None,
        ),
        "/$defs/class_name/not" if v == "Self" => m(
            "class name \"Self\" is a reserved word in Rust".into(),
            Some("pick another name, e.g. \"SelfDO\"".into()),
        ),
        "/$defs/class_name/not" => m(
            format!("class name \"{v}\" clashes with a name generated code already uses (a JavaScript global, a Workers runtime type or a Rust / workers-rs prelude name)"),
            Some(format!("pick a more specific name, e.g. \"{v}DO\"")),
        ),
        "/$defs/identifier/pattern" => m(
            format!("\"{v}\" is not a valid class identifier: use letters, digits and \"_\", not starting with a digit"),
            None,
        ),
        "/$defs/binding_name/pattern" => m(
            format!("binding name \"{v}\" is not valid: Workers read bindings as env.NAME, so use SCREAMING_SNAKE_CASE, e.g. \"{}\"", screaming(v)),
            None,
        ),
        "/$defs/secret_name/pattern" => m(
            format!("secret name \"{v}\" is not valid: use SCREAMING_SNAKE_CASE, e.g. \"{}\"", screaming(v)),
            None,
        ),
        "/$defs/var_name/pattern" => m(
            format!("variable name \"{v}\" is not a valid identifier: Workers read it as env.NAME"),
            Some(format!("e.g. \"{}\"", screaming(v))),
        ),
        "/$defs/env_name/pattern" => m(
            format!("environment name \"{v}\" is not valid: use lowercase letters, digits, \"-\" and \"_\""),
            example(&slug(v)),
        ),
        "/$defs/rule_name/pattern" => m(
            format!("lint rule name \"{v}\" is not valid: rule names are kebab-case, e.g. \"compat-date-stale\""),
            Some("`doforge explain` lists the rules".into()),
        ),
        "/$defs/date/pattern" => m(
            format!("compatibility date \"{v}\" is not a date: write YYYY-MM-DD, e.g. \"2025-10-08\""),
            None,
        ),
        "/$defs/duration/pattern" | "/$defs/duration/minimum" => m(
            format!("duration {} is not valid: write a whole number and a unit (ms, s, m, h, d), e.g. \"60s\", \"1h\", \"30d\", or a number of seconds", shown),
            None,
        ),
        "/$defs/instances/properties/route/pattern" => m(
            format!("instance route \"{v}\" must start with \"/\""),
            Some(format!("e.g. \"/{}\"", v.trim_start_matches('/'))),
        ),
        "/$defs/binding/properties/target/pattern" => m(
            format!("binding target \"{v}\" is neither a resource id (lowercase) nor a Durable Object class name (PascalCase)"),
            None,
        ),
        "/properties/provider/const" | "/$defs/res_worker/properties/provider/const" => m(
            format!("provider {} is not supported: doforge only knows \"cloudflare\"", shown),
            Some("use `provider: cloudflare`".into()),
        ),
        "/$defs/resource_type/enum" => m(
            format!("unknown resource type {}", shown),
            Some(match resource_types()
                .into_iter()
                .find(|t| v.len() >= 4 && t.starts_with(v))
                .map(str::to_owned)
                .or_else(|| suggest(v, resource_types()))
            {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("known types: {}", resource_types().join(", ")),
            }),
        ),
        "/$defs/durable_object/properties/deleted/const" => m(
            "`deleted` can only be true (a tombstone that plans the class's deletion)".into(),
            Some("remove `deleted` to keep the class".into()),
        ),
        "/$defs/singleton/then/const" | "/$defs/singleton/type" | "/$defs/singleton/else/type" => m(
            "`singleton` must be true or { reason: \"…\" }".into(),
            Some("remove `singleton` when each key gets its own instance".into()),
        ),
        "/$defs/binding/then/properties/name/not" => m(
            "a queue consumer binding has no `name`".into(),
            Some("remove `name`, or use `role: producer` to send messages under that name".into()),
        ),
        "/properties/resources/minItems" => m(
            "`resources` must list at least one resource".into(),
            Some("add a `type: cloudflare_worker` entry".into()),
        ),
        p if p.starts_with("/$defs/res_") && p.ends_with("/properties/provider/const") => m(
            format!("provider {} is not supported: doforge only knows \"cloudflare\"", shown),
            Some("use `provider: cloudflare`, or leave it out".into()),
        ),
        p if p.ends_with("/bucket_name/pattern") || p.ends_with("/preview_bucket_name/pattern") => m(
            format!("R2 bucket name \"{v}\" is not valid: use 3-63 lowercase letters, digits and \"-\""),
            example(&slug(v)),
        ),
        "/$defs/res_queue/properties/config/properties/queue/pattern" => m(
            format!("queue name \"{v}\" is not valid: use 1-63 lowercase letters, digits and \"-\""),
            example(&slug(v)),
        ),
        _ => None,
    }
}

/// The resource types the schema knows, for the "unknown resource type" help.
fn resource_types() -> Vec<&'static str> {
    compiled().schema["$defs"]["resource_type"]["enum"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn example(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| format!("e.g. \"{s}\""))
}

/// Advice for a missing key.
fn required_help(schema_path: &str, key: &str) -> Option<String> {
    if schema_path == "/$defs/binding/else/required" {
        return Some(
            "a binding needs a `name` (the env.NAME the Worker uses); only a queue consumer (`role: consumer`) has none".into(),
        );
    }
    Some(match key {
        "provider" => "add `provider: cloudflare`".into(),
        "project_name" => "add `project_name: my-app` (lowercase letters, digits and \"-\")".into(),
        "resources" => {
            "add a `resources:` list with at least one `type: cloudflare_worker` entry".into()
        }
        "id" => "add `id: <resource id>`; other sections refer to the resource by it".into(),
        "type" => format!("add `type:` with one of {}", resource_types().join(", ")),
        "class_name" => "add `class_name:` with the class's PascalCase name".into(),
        "target" => "add `target:` with a resource id or a Durable Object class name".into(),
        "reason" => "say why one instance for all traffic is fine".into(),
        _ => return None,
    })
}

/// Advice for an unexpected key that is a common mistake rather than a typo.
fn special_key_help(parent: &str, key: &str) -> Option<String> {
    let resource_config =
        parent.starts_with("/$defs/res_") && parent.ends_with("/properties/config");
    let resource = parent.starts_with("/$defs/res_") && !parent.contains("/properties/");
    match key {
        "binding" if resource_config => Some(
            "binding names are declared under top-level `bindings:`, e.g. `{ worker: main-worker, name: CACHE, target: <resource id> }`".into(),
        ),
        "name" if resource => Some(
            "a resource's Cloudflare name goes in its `config` (bucket_name, database_name, queue, dataset …); only a cloudflare_worker has `name`".into(),
        ),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Near-misses in open objects, and environment overrides

impl Cx<'_> {
    /// Unknown keys in open objects pass through to wrangler, unless they look like a misspelling
    /// of a key the schema knows there.
    fn near_misses(&self, out: &mut Vec<Finding>) {
        let worker_config = self.schema_at("/$defs/worker_config");
        let binding_config = self.schema_at("/$defs/binding_config");
        if let Some(resources) = self.root.get("resources").and_then(Node::as_seq) {
            for (i, r) in resources.iter().enumerate() {
                if r.get("type").and_then(Node::as_str) == Some("cloudflare_worker") {
                    if let (Some(config), Some(s)) = (r.get("config"), worker_config) {
                        self.walk_open(s, config, &format!("/resources/{i}/config"), out);
                    }
                }
            }
        }
        if let Some(bindings) = self.root.get("bindings").and_then(Node::as_seq) {
            for (i, b) in bindings.iter().enumerate() {
                if let (Some(config), Some(s)) = (b.get("config"), binding_config) {
                    self.walk_open(s, config, &format!("/bindings/{i}/config"), out);
                }
            }
        }
    }

    /// Walk `node` along `schema` (following `$ref`, `properties` and `items`), reporting
    /// near-miss keys in objects that allow unknown keys.
    fn walk_open(&self, schema: &Value, node: &Node, path: &str, out: &mut Vec<Finding>) {
        let schema = self.resolve(schema);
        match &node.kind {
            NodeKind::Map(entries) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
                for e in entries {
                    let child = format!("{path}/{}", escape(&e.key));
                    match props.and_then(|p| p.get(&e.key)) {
                        Some(s) => self.walk_open(s, &e.value, &child, out),
                        None if !closed => {
                            let known: Vec<&str> = allowed_keys(self.schema, schema);
                            if let Some(near) = close_match(&e.key, known.iter().copied()) {
                                out.push(Finding {
                                    place: (Place::Key(e.key.clone()), path.to_owned()),
                                    rank: 0,
                                    meant: None,
                                    span: e.key_span,
                                    message: format!("unknown key \"{}\" {}", e.key, within(path)),
                                    help: Some(format!(
                                        "did you mean \"{near}\"? (keys doforge does not know pass through to wrangler, but this one looks misspelt)"
                                    )),
                                });
                            }
                        }
                        None => {}
                    }
                }
            }
            NodeKind::Seq(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.walk_open(item_schema, item, &format!("{path}/{i}"), out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Follow a local `$ref` (`#/$defs/…`) chain.
    fn resolve<'s>(&'s self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..8 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| self.schema.pointer(p)) {
                    Some(target) => schema = target,
                    None => break,
                },
                None => break,
            }
        }
        schema
    }

    /// `environments.<env>.resources.<id>` is a partial `config` of the resource with that id:
    /// validate it as one, by placing it in a synthetic one-resource blueprint.
    fn environment_overrides(&self, validator: &jsonschema::Validator, out: &mut Vec<Finding>) {
        let Some(envs) = self.root.get("environments").and_then(Node::as_map) else {
            return;
        };
        let resources = self
            .root
            .get("resources")
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        for env in envs {
            let Some(overrides) = env.value.get("resources").and_then(Node::as_map) else {
                continue;
            };
            for o in overrides {
                let Some(base) = resources
                    .iter()
                    .find(|r| r.get("id").and_then(Node::as_str) == Some(o.key.as_str()))
                else {
                    continue; // an unknown id is a reference error, reported by the model
                };
                let Some(ty) = base.get("type").and_then(Node::as_str) else {
                    continue;
                };
                if o.value.as_map().is_none() {
                    continue; // the main pass reports a non-map override
                }
                let path = format!(
                    "/environments/{}/resources/{}",
                    escape(&env.key),
                    escape(&o.key)
                );
                let doc = serde_json::json!({
                    "project_name": "x",
                    "provider": "cloudflare",
                    "resources": [{ "id": o.key, "type": ty, "config": o.value.to_json() }],
                });
                let rebase = Rebase {
                    from: "/resources/0/config",
                    to: path.clone(),
                };
                for error in validator.iter_errors(&doc) {
                    self.lower(&error, &rebase, out);
                }
                if ty == "cloudflare_worker" {
                    if let Some(s) = self.schema_at("/$defs/worker_config") {
                        self.walk_open(s, &o.value, &path, out);
                    }
                }
            }
        }
    }
}

/// The keys a schema object allows (its `properties`, after `$ref`), excluding forbidden ones.
fn allowed_keys<'s>(root: &'s Value, schema: &'s Value) -> Vec<&'s str> {
    let mut schema = schema;
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| root.pointer(p))
    {
        schema = target;
    }
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .filter(|(_, s)| s.get("not") != Some(&serde_json::json!({})))
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// String similarity
//
// `suggest` (shared with the wrangler key check) proposes a key for help text; `close_match` is
// stricter, because it turns a key that would pass through into an error.

/// A candidate so close that the key is almost certainly a misspelling of it (stricter than
/// [`suggest`], because it turns a pass-through key into an error).
fn close_match<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let k = normalize(key);
    let len = k.chars().count();
    let limit = match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == key {
            return None;
        }
        let n = normalize(c);
        let d = if n == k {
            0
        } else {
            strsim::damerau_levenshtein(&k, &n)
        };
        if (d == 0 || (limit > 0 && d <= limit)) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

fn normalize(s: &str) -> String {
    s.to_ascii_lowercase().replace('-', "_")
}

// ---------------------------------------------------------------------------------------------
// Wording helpers

/// A JSON Pointer segment, escaped.
fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn segments(path: &str) -> Vec<String> {
    path.strip_prefix('/')
        .map(|p| {
            p.split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect()
        })
        .unwrap_or_default()
}

/// `/resources/0/config` → `resources[0].config`.
fn dotted(path: &str) -> String {
    let mut s = String::new();
    for seg in segments(path) {
        if seg.parse::<usize>().is_ok() {
            s.push_str(&format!("[{seg}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(&seg);
        }
    }
    s
}

/// "at the top level of the blueprint" or "in resources[0].config".
fn within(path: &str) -> String {
    if path.is_empty() {
        "at the top level of the blueprint".into()
    } else {
        format!("in {}", dotted(path))
    }
}

/// "the blueprint" or "resources[4]" (the subject of a sentence).
fn subject(path: &str) -> String {
    if path.is_empty() {
        "the blueprint".into()
    } else {
        dotted(path)
    }
}

/// The field an error is about: its key, with any trailing list indices (`resources[3]`).
fn field(path: &str) -> String {
    let segs = segments(path);
    let mut out = String::new();
    for seg in segs.iter().rev() {
        if seg.parse::<usize>().is_ok() {
            out = format!("[{seg}]{out}");
        } else {
            return format!("`{seg}{out}`");
        }
    }
    if out.is_empty() {
        "the blueprint".into()
    } else {
        out
    }
}

fn last_key(path: &str) -> String {
    segments(path).pop().unwrap_or_default()
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

/// A short rendering of a value for a message.
fn preview(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 48 {
        let cut: String = s.chars().take(45).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// "a string (\"x\")", "a list", "a map" …
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (an empty value)".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) if n.is_i64() || n.is_u64() => format!("the integer {n}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(_) => format!("the string {}", preview(v)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a map".into(),
    }
}

/// The schema's `type` in words.
fn expected_types(t: &Value) -> String {
    let word = |t: &str| match t {
        "object" => "a map",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "null" => "empty",
        _ => "a value",
    };
    match t {
        Value::String(s) => word(s).into(),
        Value::Array(a) => {
            let words: Vec<&str> = a.iter().filter_map(Value::as_str).map(word).collect();
            join_or(&words)
        }
        _ => "another type".into(),
    }
}

fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn join_and(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `Chat Room` → `ChatRoom`, `../evil` → `Evil`, `chat_room` → `ChatRoom`.
fn pascal(v: &str) -> String {
    let mut out = String::new();
    for part in v.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    let out = out
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .to_owned();
    if out.is_empty() {
        "MyClass".into()
    } else {
        out
    }
}

/// `chatRoom` / `chat-room` → `CHAT_ROOM`.
fn screaming(v: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in v.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_uppercase());
        } else {
            if !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out
        .trim_start_matches(|c: char| c == '_' || c.is_ascii_digit())
        .trim_end_matches('_')
        .to_owned();
    if out.is_empty() {
        "MY_BINDING".into()
    } else {
        out
    }
}

/// `Bad_Name` → `bad-name` (a valid Worker / resource name, when one can be made).
fn slug(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    out.truncate(63);
    out.trim_end_matches('-').to_owned()
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_follow_the_schema() {
        assert!(is_valid_class_name("ChatRoom"));
        assert!(!is_valid_class_name("chat_room"));
        assert!(!is_valid_class_name("Response"));
        assert!(!is_valid_class_name(&"A".repeat(65)));
    }
    use crate::source::{Entry, Format};

    /// Build a Node tree from JSON with fake but distinct spans (one byte each, in document
    /// order), so tests can check *which* node a diagnostic points at.
    fn node(v: &Value, next: &mut usize) -> Node {
        let start = *next;
        *next += 1;
        let kind = match v {
            Value::Null => NodeKind::Null,
            Value::Bool(b) => NodeKind::Bool(*b),
            Value::Number(n) if n.is_i64() => NodeKind::Int(n.as_i64().unwrap()),
            Value::Number(n) => NodeKind::Float(n.as_f64().unwrap()),
            Value::String(s) => NodeKind::Str(s.clone()),
            Value::Array(a) => NodeKind::Seq(a.iter().map(|x| node(x, next)).collect()),
            Value::Object(o) => NodeKind::Map(
                o.iter()
                    .map(|(k, x)| {
                        let key_span = Span::new(*next, *next + 1);
                        *next += 1;
                        Entry {
                            key: k.clone(),
                            key_span,
                            value: node(x, next),
                        }
                    })
                    .collect(),
            ),
        };
        Node::new(kind, Span::new(start, start + 1))
    }

    fn run_json(v: Value) -> (Node, Vec<Diagnostic>) {
        let mut next = 0;
        let root = node(&v, &mut next);
        let file = SourceFile::new("blueprint.yaml", Format::Blueprint, " ".repeat(next + 1));
        let diags = check(&file, &root);
        (root, diags)
    }

    fn run_yaml(text: &str) -> (Arc<SourceFile>, Vec<Diagnostic>) {
        let file = SourceFile::new("blueprint.yaml", Format::Blueprint, text.to_owned());
        let root = crate::source::parse(&file, &crate::source::Limits::default())
            .expect("test blueprint loads");
        let diags = check(&file, &root);
        (file, diags)
    }

    fn span_of(root: &Node, path: &str) -> Span {
        root.pointer(path).unwrap().0.span
    }
    fn key_span_of(root: &Node, path: &str) -> Span {
        root.pointer(path).unwrap().1.unwrap()
    }

    fn minimal() -> Value {
        serde_json::json!({
            "project_name": "realtime-app",
            "provider": "cloudflare",
            "resources": [{ "id": "main-worker", "type": "cloudflare_worker" }],
        })
    }

    fn with(mut base: Value, key: &str, v: Value) -> Value {
        base[key] = v;
        base
    }

    const SEED_002: &str = include_str!("../../examples/00-seed-002-verbatim/blueprint.yaml");

    #[test]
    fn schema_compiles_and_is_2020_12() {
        let c = compiled();
        assert_eq!(
            c.schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }

    /// Every property we define carries a description and examples (editors show them). The
    /// conditions of `if` and the refinements in `then` (a bare `$ref` to a kind-specific shape)
    /// are not properties of their own.
    #[test]
    fn every_property_is_documented() {
        fn walk(v: &Value, path: &str, missing: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::Object(props)) = o.get("properties") {
                        for (k, s) in props {
                            let forbidden = s.get("not") == Some(&serde_json::json!({}));
                            let refinement = path.contains("/then") && s.get("$ref").is_some();
                            if refinement {
                                continue;
                            }
                            if s.get("description").is_none() {
                                missing.push(format!("{path}/properties/{k}: description"));
                            }
                            if !forbidden && s.get("examples").is_none() {
                                missing.push(format!("{path}/properties/{k}: examples"));
                            }
                        }
                    }
                    for (k, x) in o {
                        if k != "if" {
                            walk(x, &format!("{path}/{k}"), missing);
                        }
                    }
                }
                Value::Array(a) => {
                    for (i, x) in a.iter().enumerate() {
                        walk(x, &format!("{path}/{i}"), missing);
                    }
                }
                _ => {}
            }
        }
        let mut missing = Vec::new();
        walk(&compiled().schema, "", &mut missing);
        assert!(missing.is_empty(), "undocumented properties: {missing:#?}");
    }

    /// Objects we define are closed, except the open maps listed here on purpose.
    #[test]
    fn objects_are_closed_except_intended_open_maps() {
        const OPEN: &[&str] = &[
            "/$defs/resource", // closed by the branch of its `type`
            "/$defs/worker_config",
            "/$defs/binding_config",
            "/$defs/observability",
            "/$defs/worker_config/properties/assets",
            "/$defs/worker_config/properties/limits",
            "/$defs/worker_config/properties/placement",
            "/$defs/worker_config/properties/build",
        ];
        let schema = &compiled().schema;
        let defs = schema["$defs"].as_object().unwrap();
        let mut open = Vec::new();
        let mut check_obj = |path: String, s: &Value| {
            if s.get("properties").is_some()
                && s.get("additionalProperties").is_none()
                && !OPEN.contains(&path.as_str())
            {
                open.push(path);
            }
        };
        check_obj(String::new(), schema);
        for (name, s) in defs {
            check_obj(format!("/$defs/{name}"), s);
            if let Some(Value::Object(props)) = s.get("properties") {
                for (k, p) in props {
                    check_obj(format!("/$defs/{name}/properties/{k}"), p);
                }
            }
        }
        // The Durable Object `options` base is open; kind-specific branches close it.
        open.retain(|p| p != "/$defs/durable_object/properties/options");
        assert!(
            open.is_empty(),
            "objects without additionalProperties: {open:#?}"
        );
    }

    #[test]
    fn minimal_blueprint_is_valid() {
        let (_, diags) = run_json(minimal());
        assert!(diags.is_empty(), "{diags:#?}");
    }

    #[test]
    fn seed_002_example_is_valid() {
        // Parsed through a JSON copy, so this test does not depend on the YAML loader.
        let v = serde_json::json!({
            "project_name": "realtime-app",
            "provider": "cloudflare",
            "architecture_type": "workers_durable",
            "resources": [{
                "id": "main-worker",
                "type": "cloudflare_worker",
                "name": "realtime-app",
                "provider": "cloudflare",
                "config": {
                    "main": "src/index.ts",
                    "compatibility_date": "2024-01-01",
                    "durable_objects": [
                        { "name": "CHAT_ROOM", "class_name": "ChatRoom" },
                        { "name": "RATE_LIMITER", "class_name": "RateLimiter" },
                        { "name": "COUNTER", "class_name": "Counter" }
                    ]
                }
            }]
        });
        let (_, diags) = run_json(v);
        assert!(diags.is_empty(), "{diags:#?}");
    }

    #[test]
    fn misspelt_top_level_key_points_at_the_key() {
        let v = with(minimal(), "durable_object", serde_json::json!([]));
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        let d = &diags[0];
        assert_eq!(d.rule, "schema");
        assert_eq!(d.primary.span, key_span_of(&root, "/durable_object"));
        assert!(d.message.contains("\"durable_object\""), "{}", d.message);
        assert!(
            d.help.as_deref().unwrap().contains("durable_objects"),
            "{d:?}"
        );
    }

    #[test]
    fn bad_class_names_point_at_the_value() {
        for (name, expect) in [
            ("../evil", "\"Evil\""),
            ("Chat Room", "\"ChatRoom\""),
            ("Response", "clashes"),
            ("Self", "reserved word in Rust"),
        ] {
            let v = with(
                minimal(),
                "durable_objects",
                serde_json::json!([{ "class_name": name }]),
            );
            let (root, diags) = run_json(v);
            assert_eq!(diags.len(), 1, "{name}: {diags:#?}");
            assert_eq!(
                diags[0].primary.span,
                span_of(&root, "/durable_objects/0/class_name")
            );
            assert!(diags[0].message.contains(expect), "{}", diags[0].message);
        }
    }

    #[test]
    fn chat_room_message_reads_well() {
        let v = with(
            minimal(),
            "durable_objects",
            serde_json::json!([{ "class_name": "Chat Room" }]),
        );
        let (_, diags) = run_json(v);
        assert_eq!(
            diags[0].message,
            "class name \"Chat Room\" is not a valid identifier: use PascalCase letters and digits, e.g. \"ChatRoom\""
        );
    }

    #[test]
    fn class_name_in_worker_config_shorthand_is_checked() {
        let mut v = minimal();
        v["resources"][0]["config"] = serde_json::json!({ "durable_objects": [{ "name": "CHAT", "class_name": "chat-room" }] });
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            span_of(&root, "/resources/0/config/durable_objects/0/class_name")
        );
    }

    #[test]
    fn missing_provider_is_reported_at_the_root() {
        let mut v = minimal();
        v.as_object_mut().unwrap().remove("provider");
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].primary.span, root.span);
        assert!(
            diags[0].message.contains("\"provider\""),
            "{}",
            diags[0].message
        );
        assert_eq!(diags[0].help.as_deref(), Some("add `provider: cloudflare`"));
    }

    #[test]
    fn a_misspelt_required_key_is_one_error() {
        let mut v = minimal();
        let provider = v.as_object_mut().unwrap().remove("provider").unwrap();
        v["provder"] = provider;
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].primary.span, key_span_of(&root, "/provder"));
        assert_eq!(diags[0].help.as_deref(), Some("did you mean \"provider\"?"));
    }

    #[test]
    fn missing_keys_are_merged_into_one_finding() {
        let (_, diags) = run_json(
            serde_json::json!({ "resources": [{ "id": "w", "type": "cloudflare_worker" }] }),
        );
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert!(
            diags[0]
                .message
                .contains("\"project_name\" and \"provider\""),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn missing_key_in_a_mapping_value_points_at_its_key() {
        let mut v = minimal();
        v["durable_objects"] =
            serde_json::json!([{ "class_name": "A", "transferred_from": { "worker": "old" } }]);
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            key_span_of(&root, "/durable_objects/0/transferred_from")
        );
        assert!(diags[0].message.contains("\"class\""));
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let v = with(minimal(), "resources", serde_json::json!("x"));
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].primary.span, span_of(&root, "/resources"));
        assert_eq!(
            diags[0].message,
            "`resources` must be a list, found the string \"x\""
        );
    }

    #[test]
    fn a_non_map_document_is_one_error() {
        let (_, diags) = run_json(serde_json::json!(["a"]));
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert!(diags[0].message.contains("must be a map"));
        let (_, diags) = run_json(Value::Null);
        assert_eq!(diags[0].message, "the blueprint is empty");
    }

    #[test]
    fn one_error_per_bad_resource_not_a_branch_flood() {
        let mut v = minimal();
        v["resources"] = serde_json::json!([
            { "id": "main-worker", "type": "cloudflare_worker" },
            { "id": "cache", "type": "cloudflare_kv", "config": { "id": "x" } },
            { "id": "docs", "type": "cloudflare_r2_bucket", "config": { "bucket_nme": "docs" } },
            { "type": "cloudflare_queue" },
        ]);
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 3, "{diags:#?}");
        assert_eq!(diags[0].primary.span, span_of(&root, "/resources/1/type"));
        assert_eq!(
            diags[0].help.as_deref(),
            Some("did you mean \"cloudflare_kv_namespace\"?")
        );
        assert_eq!(
            diags[1].primary.span,
            key_span_of(&root, "/resources/2/config/bucket_nme")
        );
        assert_eq!(
            diags[1].help.as_deref(),
            Some("did you mean \"bucket_name\"?")
        );
        assert_eq!(diags[2].primary.span, span_of(&root, "/resources/3"));
        assert!(diags[2].message.contains("\"id\""));
    }

    #[test]
    fn one_diagnostic_per_unexpected_key() {
        let mut v = minimal();
        v["resources"][0]["nme"] = serde_json::json!("x");
        v["resources"][0]["confg"] = serde_json::json!({});
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 2, "{diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            key_span_of(&root, "/resources/0/nme")
        );
        assert_eq!(diags[0].help.as_deref(), Some("did you mean \"name\"?"));
        assert_eq!(
            diags[1].primary.span,
            key_span_of(&root, "/resources/0/confg")
        );
        assert_eq!(diags[1].help.as_deref(), Some("did you mean \"config\"?"));
    }

    #[test]
    fn worker_config_passes_unknown_keys_but_catches_near_misses() {
        let mut v = minimal();
        v["resources"][0]["config"] = serde_json::json!({
            "compatiblity_date": "2025-01-01",
            "some_future_wrangler_key": { "x": 1 },
            "unsafe": {},
        });
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            key_span_of(&root, "/resources/0/config/compatiblity_date")
        );
        assert!(diags[0]
            .help
            .as_deref()
            .unwrap()
            .contains("\"compatibility_date\""));
    }

    #[test]
    fn forbidden_worker_config_keys_point_at_the_key() {
        let mut v = minimal();
        v["resources"][0]["config"] = serde_json::json!({ "migrations": [] });
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            key_span_of(&root, "/resources/0/config/migrations")
        );
        assert!(diags[0]
            .help
            .as_deref()
            .unwrap()
            .contains("top-level `migrations`"));
    }

    #[test]
    fn bindings_need_a_name_unless_consumer() {
        let mut v = minimal();
        v["bindings"] = serde_json::json!([
            { "target": "cache" },
            { "target": "q", "role": "consumer" },
            { "target": "q", "role": "consumer", "name": "Q" },
            { "target": "q", "name": "bad-name" },
        ]);
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 3, "{diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            span_of(&root, "/bindings/0"),
            "{diags:#?}"
        );
        assert!(diags[0].message.contains("\"name\""));
        assert_eq!(
            diags[1].primary.span,
            key_span_of(&root, "/bindings/2/name")
        );
        assert!(diags[1].message.contains("consumer"));
        assert_eq!(diags[2].primary.span, span_of(&root, "/bindings/3/name"));
        assert!(
            diags[2].message.contains("\"BAD_NAME\""),
            "{}",
            diags[2].message
        );
    }

    #[test]
    fn kind_specific_options() {
        let mut v = minimal();
        v["durable_objects"] = serde_json::json!([
            { "class_name": "Limiter", "kind": "rate_limiter", "options": { "requests": 10, "window": "1m" } },
            { "class_name": "Limiter2", "kind": "rate_limiter", "options": { "reqests": 10, "window": "60 sec" } },
            { "class_name": "Log", "kind": "audit_log", "options": { "retention": "30d" } },
            { "class_name": "Other", "kind": "custom", "options": { "anything": [1, 2] } },
            { "class_name": "Count", "kind": "counter", "options": { "start": 1 } },
        ]);
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 3, "{diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            key_span_of(&root, "/durable_objects/1/options/reqests")
        );
        assert_eq!(diags[0].help.as_deref(), Some("did you mean \"requests\"?"));
        assert_eq!(
            diags[1].primary.span,
            span_of(&root, "/durable_objects/1/options/window")
        );
        assert!(
            diags[1].message.starts_with("duration \"60 sec\""),
            "{}",
            diags[1].message
        );
        assert_eq!(
            diags[2].help.as_deref(),
            Some("A counter takes no options.")
        );
    }

    #[test]
    fn environment_names_and_overrides() {
        let mut v = minimal();
        v["resources"] = serde_json::json!([
            { "id": "main-worker", "type": "cloudflare_worker" },
            { "id": "docs", "type": "cloudflare_r2_bucket", "config": { "bucket_name": "docs" } },
        ]);
        v["environments"] = serde_json::json!({
            "Staging": {},
            "production": { "resources": {
                "docs": { "bucket_nam": "docs-prod" },
                "main-worker": { "routs": [] },
                "unknown-id": { "whatever": 1 },
            } },
        });
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 3, "{diags:#?}");
        assert_eq!(
            diags[0].primary.span,
            key_span_of(&root, "/environments/Staging")
        );
        assert!(diags[0].message.starts_with("environment name \"Staging\""));
        assert_eq!(
            diags[1].primary.span,
            key_span_of(&root, "/environments/production/resources/docs/bucket_nam")
        );
        assert_eq!(
            diags[2].primary.span,
            key_span_of(
                &root,
                "/environments/production/resources/main-worker/routs"
            )
        );
    }

    #[test]
    fn duplicate_secret_points_at_the_repeat() {
        let v = with(minimal(), "secrets", serde_json::json!(["A", "B", "A"]));
        let (root, diags) = run_json(v);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].primary.span, span_of(&root, "/secrets/2"));
    }

    #[test]
    fn word_helpers() {
        assert_eq!(pascal("Chat Room"), "ChatRoom");
        assert_eq!(pascal("../evil"), "Evil");
        assert_eq!(pascal("chat_room"), "ChatRoom");
        assert_eq!(screaming("chatRoom"), "CHAT_ROOM");
        assert_eq!(screaming("bad-name"), "BAD_NAME");
        assert_eq!(slug("Bad_Name"), "bad-name");
        assert_eq!(dotted("/resources/0/config"), "resources[0].config");
        assert_eq!(field("/resources/3"), "`resources[3]`");
        assert_eq!(
            close_match("compatiblity_date", ["compatibility_date"]),
            Some("compatibility_date".into())
        );
        assert_eq!(close_match("unsafe", ["assets", "main"]), None);
        assert_eq!(
            suggest("durable_object", ["durable_objects", "resources"]),
            Some("durable_objects".into())
        );
    }

    // ---- Through the real YAML loader (line/column). These need `crate::source::parse`.

    #[test]
    fn yaml_seed_002_example_is_valid() {
        let (_, diags) = run_yaml(SEED_002);
        assert!(diags.is_empty(), "{diags:#?}");
    }

    #[test]
    fn yaml_fixtures_have_the_expected_outcome() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blueprints");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".yaml") {
                continue;
            }
            seen += 1;
            let (_, diags) = run_yaml(&std::fs::read_to_string(&path).unwrap());
            if name.starts_with("valid") {
                assert!(diags.is_empty(), "{name}: {diags:#?}");
            } else {
                assert_eq!(diags.len(), 1, "{name}: {diags:#?}");
            }
            if std::env::var_os("DOFORGE_PRINT_SCHEMA_FIXTURES").is_some() {
                for d in &diags {
                    let (l, c) = d.primary.start();
                    eprintln!("{name}:{l}:{c}: {} [help: {:?}]", d.message, d.help);
                }
            }
        }
        assert!(seen >= 6);
        let v1 = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/00-seed-002-verbatim/blueprint.yaml"),
        )
        .unwrap();
        assert!(run_yaml(&v1).1.is_empty());
    }

    #[test]
    fn yaml_misspelt_key_line_and_column() {
        let text = "project_name: realtime-app\nprovider: cloudflare\ndurable_object:\n  - class_name: ChatRoom\nresources:\n  - id: main-worker\n    type: cloudflare_worker\n";
        let (file, diags) = run_yaml(text);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(file.line_col(diags[0].primary.span.start), (3, 1));
        assert!(diags[0]
            .help
            .as_deref()
            .unwrap()
            .contains("durable_objects"));
    }

    #[test]
    fn yaml_bad_class_names_line_and_column() {
        for (name, col) in [("../evil", 17), ("\"Chat Room\"", 17)] {
            let text = format!(
                "project_name: realtime-app\nprovider: cloudflare\nresources:\n  - id: main-worker\n    type: cloudflare_worker\ndurable_objects:\n  - class_name: {name}\n"
            );
            let (file, diags) = run_yaml(&text);
            assert_eq!(diags.len(), 1, "{diags:#?}");
            assert_eq!(
                file.line_col(diags[0].primary.span.start),
                (7, col),
                "{name}"
            );
        }
    }

    #[test]
    fn yaml_missing_provider_at_root() {
        let text = "project_name: realtime-app\nresources:\n  - id: main-worker\n    type: cloudflare_worker\n";
        let (file, diags) = run_yaml(text);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(file.line_col(diags[0].primary.span.start), (1, 1));
    }
}
