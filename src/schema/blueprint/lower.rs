//! Lowering validator errors: each jsonschema error becomes a positioned finding.

use super::*;

/// Maps an error's instance path to a path in the blueprint (identity, except for environment
/// overrides, which are validated as a synthetic document).
pub(super) struct Rebase<'a> {
    pub(super) from: &'a str,
    pub(super) to: String,
}

impl Rebase<'_> {
    pub(super) fn identity() -> Rebase<'static> {
        Rebase {
            from: "",
            to: String::new(),
        }
    }
    pub(super) fn apply(&self, path: &str) -> Option<String> {
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

pub(super) struct Cx<'a> {
    pub(super) schema: &'a Value,
    pub(super) root: &'a Node,
}

impl Cx<'_> {
    /// The node at a blueprint path and the span of its key (when it is a map value).
    pub(super) fn locate(&self, path: &str) -> (Span, Option<Span>) {
        match self.root.pointer(path) {
            Some((node, key)) => (node.span, key),
            None => (self.root.span, None),
        }
    }

    /// Where to report a key missing from the map at `path`: the map's own key when it has one
    /// (`config:`); else (the document, a list item) its first key, the nearest key to where
    /// the missing one goes — never the whole map, which for the document is the whole file;
    /// else (an empty map) its first character.
    pub(super) fn missing_key_span(&self, path: &str) -> Span {
        let (span, key_span) = self.locate(path);
        if let Some(k) = key_span {
            return k;
        }
        let first_key = self
            .root
            .pointer(path)
            .and_then(|(node, _)| node.as_map()?.first().map(|e| e.key_span));
        first_key.unwrap_or(Span::new(span.start, span.start))
    }

    /// The schema object at a (canonical) schema path.
    pub(super) fn schema_at(&self, path: &str) -> Option<&Value> {
        self.schema.pointer(path)
    }

    pub(super) fn lower(
        &self,
        error: &ValidationError<'_>,
        rebase: &Rebase<'_>,
        out: &mut Vec<Finding>,
    ) {
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
                let help = required_help(schema_path, &key);
                if rebase.from.is_empty() {
                    out.push(Finding {
                        span: self.missing_key_span(&path),
                        place: (Place::Missing, path),
                        rank: 0,
                        meant: None,
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
    pub(super) fn unexpected_key(
        &self,
        path: &str,
        parent: &str,
        key: &str,
        out: &mut Vec<Finding>,
    ) {
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
    pub(super) fn value_message(
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
pub(super) fn rank(kind: &ValidationErrorKind) -> u8 {
    match kind {
        ValidationErrorKind::Type { .. } => 0,
        ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. } => 1,
        ValidationErrorKind::Pattern { .. } => 2,
        ValidationErrorKind::Not { .. } | ValidationErrorKind::FalseSchema => 3,
        _ => 4,
    }
}

/// The jsonschema crate's own wording, for the rare errors without a message of ours.
pub(super) fn plain_error(kind: &ValidationErrorKind, value: &Value) -> String {
    format!("{} is not valid ({})", preview(value), kind.keyword())
}
