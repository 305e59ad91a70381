//! `docs/blueprint-reference.md`, generated from the descriptions and examples of
//! `schemas/blueprint.schema.json` (so the reference cannot drift from the schema;
//! `tests/blueprint_reference.rs` fails when the committed page is stale).

use std::fmt::Write as _;

use serde_json::Value;

use super::blueprint::SCHEMA;

/// The whole reference page.
pub fn markdown() -> String {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap_or(Value::Null);
    let mut out = String::new();
    out.push_str(
        "<!-- Generated from schemas/blueprint.schema.json by `DOFORGE_UPDATE_DOCS=1 cargo test \
         --test blueprint_reference`; do not edit. -->\n",
    );
    out.push_str("# Blueprint reference\n\n");
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        let _ = writeln!(out, "{}\n", one_line(d));
    }
    out.push_str(
        "Every key of the blueprint format, from the JSON Schema's descriptions and examples. \
         The guide with the reasoning behind each decision is [blueprint.md](blueprint.md). A \
         type in `code` links to its definition below.\n\n",
    );
    out.push_str("## Top level\n\n");
    table(&mut out, &schema);
    let defs = schema.get("$defs").and_then(Value::as_object);
    let Some(defs) = defs else {
        return out;
    };
    let mut values = Vec::new();
    for (name, def) in defs {
        if def.get("properties").is_some() {
            let _ = writeln!(out, "## `{name}`\n");
            if let Some(d) = def.get("description").and_then(Value::as_str) {
                let _ = writeln!(out, "{}\n", one_line(d));
            }
            table(&mut out, def);
            // Nested objects with their own keys (a resource's `config`, …).
            for (key, prop) in def
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if prop.get("properties").is_some() {
                    let _ = writeln!(out, "### `{name}.{key}`\n");
                    table(&mut out, prop);
                }
            }
        } else {
            values.push((name, def));
        }
    }
    out.push_str("## Value types\n\n| Type | Accepts | Meaning | Example |\n|---|---|---|---|\n");
    for (name, def) in values {
        let _ = writeln!(
            out,
            "| <a id=\"{name}\"></a>`{name}` | {} | {} | {} |",
            cell(&type_of(def)),
            cell(
                &def.get("description")
                    .and_then(Value::as_str)
                    .map(one_line)
                    .unwrap_or_default()
            ),
            cell(&example(def)),
        );
    }
    out
}

fn table(out: &mut String, object: &Value) {
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str("| Key | Type | Meaning | Example |\n|---|---|---|---|\n");
    for (key, prop) in object
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut ty = type_of(prop);
        if required.contains(&key.as_str()) {
            ty.push_str(", **required**");
        }
        let _ = writeln!(
            out,
            "| `{key}` | {} | {} | {} |",
            cell(&ty),
            cell(
                &prop
                    .get("description")
                    .and_then(Value::as_str)
                    .map(one_line)
                    .unwrap_or_default()
            ),
            cell(&example(prop)),
        );
    }
    out.push('\n');
}

/// A short type summary: a `$ref` links to its definition.
fn type_of(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("[`{name}`](#{})", anchor(name));
    }
    if let Some(c) = v.get("const") {
        return format!("`{c}`");
    }
    if let Some(e) = v.get("enum").and_then(Value::as_array) {
        let items: Vec<String> = e.iter().take(8).map(|x| format!("`{x}`")).collect();
        let more = if e.len() > 8 { " …" } else { "" };
        return format!("one of {}{more}", items.join(", "));
    }
    for combo in ["oneOf", "anyOf"] {
        if let Some(alts) = v.get(combo).and_then(Value::as_array) {
            let parts: Vec<String> = alts.iter().map(type_of).collect();
            return parts.join(" or ");
        }
    }
    let base = match v.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => String::new(),
    };
    let mut s = match (base.as_str(), v.get("items")) {
        ("array", Some(items)) => format!("list of {}", type_of(items)),
        _ => base,
    };
    if let Some(p) = v.get("pattern").and_then(Value::as_str) {
        let _ = write!(s, " matching `{p}`");
    }
    if s.is_empty() {
        "any".to_owned()
    } else {
        s
    }
}

/// The GitHub anchor of a `## \`name\`` heading (or of a value type's own anchor).
fn anchor(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn example(v: &Value) -> String {
    match v
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        Some(e) => format!("`{}`", e),
        None => String::new(),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
