//! Fixes that take more than one edit builder: built here so that rule files only call them
//! (`crate::fix::catalog` says what each does and why it is safe or unsafe).

use crate::diagnostics::{Edit, Fix};
use crate::lint::rule::Ctx;
use crate::schema::wrangler_keys::{unknown_keys, wrangler_config};
use crate::source::Format;

use super::edit;

/// `compat-date-missing` in a wrangler config: rename a misspelled top-level key, else add
/// today's date at the top level.
pub fn compat_date(cx: &Ctx) -> Option<Fix> {
    let file = cx.file();
    let misspelled = unknown_keys(cx.root, wrangler_config())
        .into_iter()
        .find(|u| u.path.is_empty() && u.suggestion.as_deref() == Some("compatibility_date"));
    if let Some(u) = misspelled {
        return Some(Fix::safe(
            format!("rename `{}` to `compatibility_date`", u.key),
            vec![edit::rename_key(file, u.key_span, "compatibility_date")],
        ));
    }
    let value = edit::json_string(cx.today);
    let add = match file.format {
        Format::WranglerToml => {
            edit::insert_toml_top_level(file, cx.root, &format!("compatibility_date = {value}"))?
        }
        Format::WranglerJson => {
            edit::append_json_property(file, cx.root, "compatibility_date", &value)?
        }
        Format::Blueprint | Format::Source => return None,
    };
    Some(Fix::safe(
        format!("add `compatibility_date = {value}` (today)"),
        vec![add],
    ))
}

/// Keep an edit list only when every builder produced its edit.
pub fn all(edits: Vec<Option<Edit>>) -> Option<Vec<Edit>> {
    edits.into_iter().collect()
}

/// `do-missing-migration` in a wrangler config: append a step creating `class` with SQLite
/// storage to the migration list `env` uses, or (`exports_style`) add its `exports` entry.
pub fn missing_migration(
    cx: &Ctx,
    env: &crate::model::Env,
    class: &str,
    exports_style: bool,
) -> Option<Fix> {
    use crate::model::Origin;
    let file = cx.file();
    let text = file.text.as_str();
    let lc = &env.lifecycle;
    let toml = file.format == Format::WranglerToml;
    // The table the list lives in, as a TOML header prefix (`env.staging.`).
    let own = |o: Option<crate::model::KeyOrigin>| o.is_some_and(|o| o.origin == Origin::Own);
    let prefix = |own_list: bool| match env.name_str() {
        Some(name) if own_list && !env.is_top() => format!("env.{}.", edit::toml_key(name)),
        _ => String::new(),
    };
    let q = edit::json_string;
    if exports_style {
        let at = lc.exports_origin.and_then(|o| o.key_span)?;
        let entry = edit::find_entry_by_key(cx.root, at)?;
        let e = if toml {
            let header = format!(
                "{}exports.{}",
                prefix(own(lc.exports_origin)),
                edit::toml_key(class)
            );
            edit::append_to_file(
                file,
                &format!("[{header}]\ntype = \"durable-object\"\nstorage = \"sqlite\"\n"),
            )
        } else {
            edit::append_json_property(
                file,
                &entry.value,
                class,
                r#"{ "type": "durable-object", "storage": "sqlite" }"#,
            )?
        };
        return Some(Fix::safe(
            format!("declare `{class}` in `exports` with SQLite storage"),
            vec![e],
        ));
    }
    let tag = q(&lc.next_tag());
    let classes = format!("[{}]", q(class));
    let list = lc
        .migrations_origin
        .and_then(|o| o.key_span)
        .and_then(|at| edit::find_entry_by_key(cx.root, at));
    let e = match (list, toml) {
        (Some(entry), true) if edit::is_toml_inline(text, entry.key_span) => {
            edit::append_inline_item(
                file,
                &entry.value,
                &format!("{{ tag = {tag}, new_sqlite_classes = {classes} }}"),
            )?
        }
        (Some(_), true) | (None, true) => {
            let header = format!("{}migrations", prefix(own(lc.migrations_origin)));
            edit::append_to_file(
                file,
                &format!("[[{header}]]\ntag = {tag}\nnew_sqlite_classes = {classes}\n"),
            )
        }
        (Some(entry), false) => edit::append_inline_item(
            file,
            &entry.value,
            &format!("{{ \"tag\": {tag}, \"new_sqlite_classes\": {classes} }}"),
        )?,
        (None, false) => edit::append_json_property(
            file,
            cx.root,
            "migrations",
            &format!("[{{ \"tag\": {tag}, \"new_sqlite_classes\": {classes} }}]"),
        )?,
    };
    Some(Fix::safe(
        format!("append migration {tag} creating `{class}` with SQLite storage"),
        vec![e],
    ))
}

/// `env-binding-not-inherited`: copy the top-level `key` (written at `top_key`) into `env.<name>`.
/// Unsafe: the copy shares the top level's resources.
pub fn copy_into_env(
    cx: &Ctx,
    env_name: &str,
    key: &str,
    top_key: crate::source::Span,
) -> Option<Fix> {
    let file = cx.file();
    let text = file.text.as_str();
    let top = cx.root.as_map()?.iter().find(|e| e.key_span == top_key)?;
    let env_entry = cx.root.entry("env")?.value.entry(env_name)?;
    let e = match file.format {
        Format::WranglerToml => {
            let line = format!(
                "{} = {}",
                edit::toml_key(key),
                toml_inline(text, &without_identity(key, &top.value))?
            );
            if edit::is_toml_table_header(text, env_entry.key_span) {
                edit::insert_after_line(file, env_entry.key_span.end, &line)
            } else if env_entry.value.as_map().is_some_and(|m| m.is_empty())
                || !edit::is_toml_inline(text, env_entry.key_span)
            {
                let header = format!("env.{}", edit::toml_key(env_name));
                edit::append_to_file(file, &format!("[{header}]\n{line}\n"))
            } else {
                return None;
            }
        }
        Format::WranglerJson => {
            let from = edit::indent_of(text, top.key_span.start);
            let last = env_entry.value.as_map()?.last().map(|e| e.key_span.start);
            let to = last.map_or_else(
                || format!("{from}{from}"),
                |at| edit::indent_of(text, at).to_owned(),
            );
            let extra = to.strip_prefix(from).unwrap_or("");
            let nl = edit::newline(text);
            let value = match identity_keys(key) {
                // The resource's own id or name is dropped, so the copy is a binding of a new
                // resource (wrangler provisions it on deploy), written item by item.
                Some(_) => json_items(text, &without_identity(key, &top.value), &to, from, nl)?,
                None => text[top.value.span.start..top.value.span.end]
                    .replace(nl, &format!("{nl}{extra}")),
            };
            edit::append_json_property(file, &env_entry.value, key, &value)?
        }
        Format::Blueprint | Format::Source => return None,
    };
    Some(Fix::unsafe_(
        match identity_keys(key) {
            Some(_) => format!("copy `{key}` from the top level into `env.{env_name}` without the resource ids and names, so wrangler creates the environment its own resources on deploy (set them if it should bind existing ones)"),
            None => format!("copy `{key}` from the top level into `env.{env_name}` (it then uses the same resources as the top level: change the ids if the environment needs its own)"),
        },
        vec![e],
    ))
}

/// The keys that name a binding's resource, for the kinds whose resource wrangler creates when
/// they are omitted. Copying them into a non-production env would share production's data
/// (`production-shares-state`), so the copy leaves them out.
fn identity_keys(key: &str) -> Option<&'static [&'static str]> {
    match key {
        "kv_namespaces" => Some(&["id", "preview_id"]),
        "d1_databases" => Some(&["database_id", "preview_database_id", "database_name"]),
        "r2_buckets" => Some(&["bucket_name", "preview_bucket_name"]),
        _ => None,
    }
}

/// `node` (a list of binding tables) without the identity keys of `key`'s kind.
fn without_identity(key: &str, node: &crate::source::Node) -> crate::source::Node {
    use crate::source::NodeKind;
    let (Some(drop), NodeKind::Seq(items)) = (identity_keys(key), &node.kind) else {
        return node.clone();
    };
    let items = items
        .iter()
        .map(|item| match &item.kind {
            NodeKind::Map(entries) => crate::source::Node {
                kind: NodeKind::Map(
                    entries
                        .iter()
                        .filter(|e| !drop.contains(&e.key.as_str()))
                        .cloned()
                        .collect(),
                ),
                ..item.clone()
            },
            _ => item.clone(),
        })
        .collect();
    crate::source::Node {
        kind: NodeKind::Seq(items),
        ..node.clone()
    }
}

/// A JSON list of binding objects, one per line at `indent` + `unit`, each object inline from
/// the source text of its keys and scalars. `None` when an item is not a flat object.
fn json_items(
    text: &str,
    node: &crate::source::Node,
    indent: &str,
    unit: &str,
    nl: &str,
) -> Option<String> {
    use crate::source::NodeKind;
    let NodeKind::Seq(items) = &node.kind else {
        return None;
    };
    let unit = if unit.is_empty() { "  " } else { unit };
    let mut lines = Vec::with_capacity(items.len());
    for item in items {
        let NodeKind::Map(entries) = &item.kind else {
            return None;
        };
        let mut parts = Vec::with_capacity(entries.len());
        for e in entries {
            if matches!(e.value.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
                return None;
            }
            let key = text.get(e.key_span.start..e.key_span.end)?;
            let value = text.get(e.value.span.start..e.value.span.end)?;
            if value.contains('\n') {
                return None;
            }
            parts.push(format!("{key}: {value}"));
        }
        lines.push(format!("{indent}{unit}{{ {} }}", parts.join(", ")));
    }
    Some(format!(
        "[{nl}{}{nl}{indent}]",
        lines.join(&format!(",{nl}"))
    ))
}

/// A TOML value as one inline expression, built from the source text of its scalars (so
/// quoting and number formats stay as written). `None` for multi-line scalars.
fn toml_inline(text: &str, node: &crate::source::Node) -> Option<String> {
    use crate::source::NodeKind;
    Some(match &node.kind {
        NodeKind::Map(entries) => {
            let mut parts = Vec::with_capacity(entries.len());
            for e in entries {
                let key = &text[e.key_span.start..e.key_span.end];
                parts.push(format!("{key} = {}", toml_inline(text, &e.value)?));
            }
            if parts.is_empty() {
                "{}".to_owned()
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
        NodeKind::Seq(items) => {
            let parts: Option<Vec<String>> = items.iter().map(|i| toml_inline(text, i)).collect();
            format!("[{}]", parts?.join(", "))
        }
        _ => {
            let s = text.get(node.span.start..node.span.end)?;
            if s.contains('\n') || s.is_empty() {
                return None;
            }
            s.to_owned()
        }
    })
}

/// `secret-in-vars` in a wrangler config: drop the var (name and value) and list the name in
/// `secrets.required` of the same environment (unless it is declared a secret already).
/// Unsafe: deploys then need the secret set.
pub fn var_to_secret(
    cx: &Ctx,
    env: &crate::model::Env,
    var_key: crate::source::Span,
    already_secret: bool,
) -> Option<Fix> {
    let file = cx.file();
    if !file.format.is_wrangler() {
        return None;
    }
    let (vars, index) = edit::find_map_entry(cx.root, var_key)?;
    let name = vars.as_map()?[index].key.clone();
    let mut edits = edit::remove_map_entry(file, vars, index)?;
    if !already_secret {
        let table = match env.name_str() {
            Some(n) if !env.is_top() => cx.root.get("env")?.entry(n)?,
            _ => return var_to_secret_top(cx, name, edits, already_secret),
        };
        edits.push(add_required(cx, Some(table), &name)?);
    }
    Some(secret_fix(name, edits))
}

fn var_to_secret_top(
    cx: &Ctx,
    name: String,
    mut edits: Vec<Edit>,
    already_secret: bool,
) -> Option<Fix> {
    if !already_secret {
        edits.push(add_required(cx, None, &name)?);
    }
    Some(secret_fix(name, edits))
}

fn secret_fix(name: String, edits: Vec<Edit>) -> Fix {
    Fix::unsafe_(
        format!(
            "remove var `{name}` and list it in `secrets.required` (then `wrangler secret put {name}`, and rotate the value: it is in your history)"
        ),
        edits,
    )
}

/// Add `name` to `secrets.required` of an env table (`None`: the top level).
fn add_required(cx: &Ctx, env: Option<&crate::source::Entry>, name: &str) -> Option<Edit> {
    let file = cx.file();
    let text = file.text.as_str();
    let table = env.map_or(cx.root, |e| &e.value);
    let q = edit::json_string(name);
    if let Some(secrets) = table.entry("secrets") {
        let required = secrets.value.get("required")?;
        return edit::append_inline_item(file, required, &q);
    }
    match file.format {
        Format::WranglerToml => {
            let line = format!("secrets = {{ required = [{q}] }}");
            match env {
                None => edit::insert_toml_top_level(file, cx.root, &line),
                Some(e) if edit::is_toml_table_header(text, e.key_span) => {
                    Some(edit::insert_after_line(file, e.key_span.end, &line))
                }
                Some(e) if !edit::is_toml_inline(text, e.key_span) => {
                    let header = format!("env.{}", edit::toml_key(&e.key));
                    Some(edit::append_to_file(file, &format!("[{header}]\n{line}\n")))
                }
                Some(_) => None,
            }
        }
        _ => edit::append_json_property(
            file,
            table,
            "secrets",
            &format!("{{ \"required\": [{q}] }}"),
        ),
    }
}
