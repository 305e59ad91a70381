//! The format-neutral config tree → a `wrangler.toml` document (`toml_edit`).

use serde_json::{Map, Value};
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Table};

use super::super::jsonc_writer::{self, Item, Object};

/// Convert the tree to a TOML document: sections (the top level, each env) become tables; a
/// list of entries becomes an array of tables (`[[kv_namespaces]]`), except `routes`, which stays
/// an inline list as in wrangler's docs; an object under a section becomes a table
/// (`[observability]`), deeper objects inline tables. Comments become `#` lines before the key or
/// table; `null` (which TOML cannot say) is left out.
pub(super) fn to_toml(tree: &Object, header: &str) -> String {
    let mut doc = DocumentMut::new();
    fill_section(doc.as_table_mut(), tree);
    let mut prefix = String::new();
    for line in jsonc_writer::comment_lines(header) {
        prefix.push_str(&comment_line(&line));
    }
    doc.decor_mut().set_prefix(prefix);
    doc.to_string()
}

fn comment_line(line: &str) -> String {
    if line.is_empty() {
        "#\n".to_owned()
    } else {
        format!("# {line}\n")
    }
}

fn comment_prefix(comments: &[String]) -> String {
    let mut s = String::from("\n");
    for line in comments {
        s.push_str(&comment_line(line));
    }
    s
}

fn fill_section(table: &mut Table, obj: &Object) {
    for m in obj.members() {
        match &m.value {
            Item::Object(envs) => {
                // `env`: an implicit table holding one explicit table per env.
                let mut outer = Table::new();
                outer.set_implicit(true);
                for (i, e) in envs.members().iter().enumerate() {
                    let mut t = Table::new();
                    if let Item::Object(o) = &e.value {
                        fill_section(&mut t, o);
                    }
                    if i == 0 && !m.comments.is_empty() {
                        t.decor_mut().set_prefix(comment_prefix(&m.comments));
                    }
                    outer.insert(&e.key, toml_edit::Item::Table(t));
                }
                table.insert(&m.key, toml_edit::Item::Table(outer));
            }
            Item::Value(v) => insert_section_value(table, &m.key, v, &m.comments),
        }
    }
}

/// A non-empty list of objects only.
fn objects(v: &Value) -> Option<Vec<&Map<String, Value>>> {
    let items = v.as_array().filter(|a| !a.is_empty())?;
    items.iter().map(Value::as_object).collect()
}

fn insert_section_value(table: &mut Table, key: &str, v: &Value, comments: &[String]) {
    if let Some(items) = objects(v).filter(|_| key != "routes") {
        let mut aot = ArrayOfTables::new();
        for (i, item) in items.into_iter().enumerate() {
            let mut t = record_table(item);
            if i == 0 && !comments.is_empty() {
                t.decor_mut().set_prefix(comment_prefix(comments));
            }
            aot.push(t);
        }
        table.insert(key, toml_edit::Item::ArrayOfTables(aot));
        return;
    }
    if let Value::Object(map) = v {
        let mut sub = Table::new();
        let mut first_nested: Option<String> = None;
        for (k, child) in map {
            if let Some(items) = objects(child) {
                let mut aot = ArrayOfTables::new();
                for item in items {
                    aot.push(record_table(item));
                }
                sub.insert(k, toml_edit::Item::ArrayOfTables(aot));
                first_nested.get_or_insert_with(|| k.clone());
            } else if let Some(value) = toml_value(child) {
                sub.insert(k, toml_edit::Item::Value(value));
            }
        }
        let has_values = sub.iter().any(|(_, i)| i.is_value());
        if !has_values && first_nested.is_some() {
            // `durable_objects`, `queues`: only `[[durable_objects.bindings]]` headers.
            sub.set_implicit(true);
            if !comments.is_empty() {
                if let Some(first) = first_nested
                    .as_deref()
                    .and_then(|k| sub.get_mut(k))
                    .and_then(|i| i.as_array_of_tables_mut())
                    .and_then(|a| a.get_mut(0))
                {
                    first.decor_mut().set_prefix(comment_prefix(comments));
                }
            }
        } else if !comments.is_empty() {
            sub.decor_mut().set_prefix(comment_prefix(comments));
        }
        table.insert(key, toml_edit::Item::Table(sub));
        return;
    }
    let Some(value) = toml_value(v) else { return };
    table.insert(key, toml_edit::Item::Value(value));
    if !comments.is_empty() {
        if let Some(mut k) = table.key_mut(key) {
            k.leaf_decor_mut().set_prefix(comment_prefix(comments));
        }
    }
}

/// One `[[list]]` entry: every child a value (objects as inline tables).
fn record_table(map: &Map<String, Value>) -> Table {
    let mut t = Table::new();
    for (k, child) in map {
        if let Some(value) = toml_value(child) {
            t.insert(k, toml_edit::Item::Value(value));
        }
    }
    t
}

/// A JSON value as a TOML value (`None` for null; nulls inside lists and tables are dropped).
fn toml_value(v: &Value) -> Option<toml_edit::Value> {
    toml_value_in(v, false)
}

/// `in_inline`: inside an inline table, where TOML 1.0 allows no line breaks.
fn toml_value_in(v: &Value, in_inline: bool) -> Option<toml_edit::Value> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => toml_edit::Value::from(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml_edit::Value::from(i),
            None => toml_edit::Value::from(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => toml_edit::Value::from(s.as_str()),
        Value::Array(items) => {
            let mut a = Array::new();
            for item in items {
                if let Some(value) = toml_value_in(item, in_inline) {
                    a.push(value);
                }
            }
            // A long list gets one item per line (not inside an inline table).
            if !in_inline && a.to_string().len() > 80 {
                for value in a.iter_mut() {
                    value.decor_mut().set_prefix("\n  ");
                }
                a.set_trailing_comma(true);
                a.set_trailing("\n");
            }
            toml_edit::Value::Array(a)
        }
        Value::Object(map) => {
            let mut t = InlineTable::new();
            for (k, child) in map {
                if let Some(value) = toml_value_in(child, true) {
                    t.insert(k, value);
                }
            }
            toml_edit::Value::InlineTable(t)
        }
    })
}
