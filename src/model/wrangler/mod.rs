//! A wrangler config (`wrangler.toml` / `wrangler.json(c)`) → [`Project`] with one worker whose
//! environments are resolved the way wrangler resolves them.

mod bindings;
mod lifecycle;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::keys::{self, OTHER_BINDING_LISTS, OTHER_BINDING_TABLES};
use super::read::{join, Reader};
use super::*;
use crate::diagnostics::{Diagnostic, Label};
use crate::source::{Node, NodeKind, SourceFile};

use bindings::{read_assets, read_bindings, read_containers};
use lifecycle::read_lifecycle;
pub(super) use lifecycle::read_migration_node;

/// Resolve a loaded wrangler config. Type mismatches become `schema` diagnostics; the model is
/// still built from whatever is readable so other checks can run.
pub fn resolve(file: &Arc<SourceFile>, root: &Node) -> (Option<Project>, Vec<Diagnostic>) {
    let mut r = Reader::new(file);
    if file.text.trim().is_empty() {
        let d = Diagnostic::error(
            "schema",
            "the wrangler config is empty",
            Label::new(file, root.span),
        )
        .with_help("start from `name`, `main` and `compatibility_date` at the top level");
        return (None, vec![d]);
    }
    if root.as_map().is_none() {
        let d = Diagnostic::error(
            "schema",
            format!(
                "a wrangler config must be a table/object at the top, but this file holds {}",
                root.type_name()
            ),
            Label::new(file, root.span),
        )
        .with_help("start from `name`, `main` and `compatibility_date` at the top level");
        return (None, vec![d]);
    }
    let mut envs = vec![read_env(&mut r, root, None, None, root.span)];
    if let Some(env_node) = root.get("env") {
        if let Some(table) = r.map(env_node, "env") {
            for entry in table.as_map().unwrap_or_default() {
                let name = Sp::new(entry.key.clone(), entry.key_span);
                let path = format!("env.{}", entry.key);
                if let Some(own) = r.map(&entry.value, &path) {
                    r.env = Some(entry.key.clone());
                    let env = read_env(&mut r, own, Some(root), Some(name), own.span);
                    envs.push(env);
                    r.env = None;
                }
            }
        }
    }
    let worker = Worker {
        id: None,
        span: root.span,
        envs,
        upstream: None,
    };
    let project = Project {
        file: Arc::clone(file),
        kind: ProjectKind::Wrangler,
        workers: vec![worker],
        classes: Vec::new(),
        resources: Vec::new(),
        lint: LintSettings::default(),
        project_name: None,
        lifecycle_mode: LifecycleMode::Migrations,
    };
    (Some(project), r.diagnostics)
}

/// The table a key's effective value is read from, and how it got there.
struct Source<'n> {
    own: &'n Node,
    top: Option<&'n Node>,
    prefix: String,
}

impl<'n> Source<'n> {
    /// The effective value of `key`: the env's own, else (inheritable keys only) the top level's.
    fn pick(&self, key: &str) -> Option<(&'n Node, KeyOrigin)> {
        if let Some(e) = self.own.entry(key) {
            return Some((
                &e.value,
                KeyOrigin {
                    origin: Origin::Own,
                    key_span: Some(e.key_span),
                },
            ));
        }
        let top = self.top?;
        if keys::is_non_inheritable(key) || keys::is_top_level_only(key) {
            return None;
        }
        top.entry(key).map(|e| {
            (
                &e.value,
                KeyOrigin {
                    origin: Origin::Inherited,
                    key_span: Some(e.key_span),
                },
            )
        })
    }

    /// The parent table to read `key` from, with quietness set for inherited values.
    fn parent(&self, r: &mut Reader, key: &str) -> Option<&'n Node> {
        let (_, origin) = self.pick(key)?;
        let inherited = origin.origin == Origin::Inherited;
        r.quiet = inherited;
        Some(if inherited { self.top? } else { self.own })
    }

    /// Path for messages: the key as written where its value came from.
    fn path(&self, r: &Reader, key: &str) -> String {
        if r.quiet || self.prefix.is_empty() {
            key.to_owned()
        } else {
            join(&self.prefix, key)
        }
    }
}

fn read_env(
    r: &mut Reader,
    own: &Node,
    top: Option<&Node>,
    name: Option<Sp<String>>,
    span: Span,
) -> Env {
    let prefix = name
        .as_ref()
        .map(|n| format!("env.{}", n.value))
        .unwrap_or_default();
    let src = Source { own, top, prefix };
    let mut origins = BTreeMap::new();
    for e in own.as_map().unwrap_or_default() {
        origins.insert(
            e.key.clone(),
            KeyOrigin {
                origin: Origin::Own,
                key_span: Some(e.key_span),
            },
        );
    }
    let mut missing = Vec::new();
    if let Some(top) = top {
        for e in top.as_map().unwrap_or_default() {
            if origins.contains_key(&e.key) {
                continue;
            }
            if keys::is_non_inheritable(&e.key) {
                missing.push(MissingKey {
                    key: e.key.clone(),
                    top_key_span: e.key_span,
                });
            } else if !keys::is_top_level_only(&e.key) {
                origins.insert(
                    e.key.clone(),
                    KeyOrigin {
                        origin: Origin::Inherited,
                        key_span: Some(e.key_span),
                    },
                );
            }
        }
    }

    let script_name = read_name(r, &src, name.as_ref(), &mut origins);
    let main = read_string(r, &src, "main");
    let compatibility_date = read_string(r, &src, "compatibility_date");
    let compatibility_flags = match src.parent(r, "compatibility_flags") {
        Some(p) => {
            let path = src.path(r, "");
            r.strings(p, path.trim_end_matches('.'), "compatibility_flags")
        }
        None => Vec::new(),
    };
    let workers_dev = src
        .parent(r, "workers_dev")
        .and_then(|p| r.bool(p, "", "workers_dev"));
    let routes = read_routes(r, &src);
    let crons = match src.parent(r, "triggers") {
        Some(p) => {
            let path = src.path(r, "triggers");
            match p.get("triggers").and_then(|t| r.map(t, &path)) {
                Some(t) => r.strings(t, &path, "crons"),
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    let mut bindings = Vec::new();
    let mut queue_consumers = Vec::new();
    read_bindings(r, &src, &mut bindings, &mut queue_consumers);
    let assets = read_assets(r, &src, &mut bindings);
    let containers = read_containers(r, &src);
    let vars = read_vars(r, &src);
    let secrets = match src.parent(r, "secrets") {
        Some(p) => {
            let path = src.path(r, "secrets");
            match p.get("secrets").and_then(|t| r.map(t, &path)) {
                Some(t) => r.strings(t, &path, "required"),
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    let lifecycle = read_lifecycle(r, &src);
    r.quiet = false;
    Env {
        name,
        span,
        script_name,
        main,
        compatibility_date,
        compatibility_flags,
        routes,
        workers_dev,
        crons,
        bindings,
        queue_consumers,
        vars,
        secrets,
        assets,
        containers,
        lifecycle,
        settings: Vec::new(),
        origins,
        missing_non_inheritable: missing,
    }
}

fn read_string(r: &mut Reader, src: &Source, key: &str) -> Option<Sp<String>> {
    let p = src.parent(r, key)?;
    let path = src.path(r, key);
    r.str_value(&path, p.get(key)?)
}

/// `name`, or wrangler's default `<top name>-<env>` for an env that does not set one.
fn read_name(
    r: &mut Reader,
    src: &Source,
    env: Option<&Sp<String>>,
    origins: &mut BTreeMap<String, KeyOrigin>,
) -> Option<Sp<String>> {
    if let Some(e) = src.own.entry("name") {
        r.quiet = false;
        return r.str_value(&src.path(r, "name"), &e.value);
    }
    let (env, top) = (env?, src.top?);
    let top_name = top.get("name")?.as_str()?;
    let span = top.get("name")?.span;
    origins.insert(
        "name".into(),
        KeyOrigin {
            origin: Origin::Default,
            key_span: None,
        },
    );
    Some(Sp::new(format!("{top_name}-{}", env.value), span))
}

fn read_routes(r: &mut Reader, src: &Source) -> Vec<Route> {
    let mut out = Vec::new();
    // `routes` wins over `route` when both are set (wrangler refuses both; the key check says so).
    if let Some(p) = src.parent(r, "routes") {
        let path = src.path(r, "routes");
        if let Some(items) = p.get("routes").and_then(|v| r.list(v, &path)) {
            for (i, item) in items.iter().enumerate() {
                if let Some(route) = read_route(r, &format!("{path}[{i}]"), item) {
                    out.push(route);
                }
            }
        }
    } else if let Some(p) = src.parent(r, "route") {
        let path = src.path(r, "route");
        if let Some(route) = p.get("route").and_then(|v| read_route(r, &path, v)) {
            out.push(route);
        }
    }
    out
}

fn read_route(r: &mut Reader, path: &str, node: &Node) -> Option<Route> {
    match &node.kind {
        NodeKind::Str(s) => Some(Route {
            pattern: Sp::new(s.clone(), node.span),
            zone_name: None,
            zone_id: None,
            custom_domain: None,
            span: node.span,
        }),
        NodeKind::Map(_) => {
            let pattern = r.string(node, path, "pattern");
            if pattern.is_none() && node.get("pattern").is_none() {
                r.missing(
                    path,
                    "pattern",
                    node,
                    "a route needs a `pattern` such as \"example.com/*\"",
                );
            }
            Some(Route {
                pattern: pattern?,
                zone_name: r.string(node, path, "zone_name"),
                zone_id: r.string(node, path, "zone_id"),
                custom_domain: r.bool(node, path, "custom_domain").map(|b| b.value),
                span: node.span,
            })
        }
        _ => {
            r.type_error(
                path,
                node,
                "a route pattern string or a {pattern, zone_name} table",
            );
            None
        }
    }
}

/// Read the entries of a list-of-tables binding key (`kv_namespaces`, …) or of a nested list.
fn entries<'n>(r: &mut Reader, parent: &'n Node, path: &str, key: &str) -> Vec<(String, &'n Node)> {
    let Some(v) = parent.get(key) else {
        return Vec::new();
    };
    let path = join(path, key);
    let Some(items) = r.list(v, &path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        if r.map(item, &item_path).is_some() {
            out.push((item_path, item));
        }
    }
    out
}

fn read_vars(r: &mut Reader, src: &Source) -> Vec<Var> {
    r.quiet = false;
    let path = join(&src.prefix, "vars");
    let Some(vars) = src.own.get("vars") else {
        return Vec::new();
    };
    let Some(vars) = r.map(vars, &path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in vars.as_map().unwrap_or_default() {
        let value = match &e.value.kind {
            NodeKind::Str(s) => VarValue::Text(s.clone()),
            NodeKind::Datetime(_) => {
                let d = Diagnostic::error(
                    "schema",
                    format!(
                        "`{path}.{}` is a TOML date, which wrangler does not support",
                        e.key
                    ),
                    Label::new(r.file, e.value.span),
                )
                .with_help("quote the date to make it a string")
                .with_env(r.env.as_deref());
                r.diagnostics.push(d);
                continue;
            }
            _ => VarValue::Json(e.value.to_json()),
        };
        out.push(Var {
            name: Sp::new(e.key.clone(), e.key_span),
            value,
            span: e.value.span,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{self, Format, Limits};

    fn resolve_text(name: &str, format: Format, text: &str) -> (Option<Project>, Vec<Diagnostic>) {
        let file = SourceFile::new(name, format, text.to_owned());
        let root = source::parse(&file, &Limits::default()).unwrap();
        resolve(&file, &root)
    }

    const TOML: &str = r#"
name = "app"
main = "src/index.ts"
compatibility_date = "2025-01-01"
routes = [{ pattern = "a.example.com/*", zone_name = "example.com" }]

[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[[kv_namespaces]]
binding = "CACHE"
id = "abc"

[vars]
LEVEL = "info"
N = 3

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[env.staging]
vars = { LEVEL = "debug" }

[env.production]
name = "app-prod"
routes = []
[[env.production.durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
"#;

    #[test]
    fn environments_follow_wrangler_inheritance() {
        let (p, d) = resolve_text("wrangler.toml", Format::WranglerToml, TOML);
        assert!(d.is_empty(), "{d:?}");
        let w = &p.unwrap().workers[0];
        assert_eq!(w.envs.len(), 3);
        let top = w.top();
        assert_eq!(top.bindings.len(), 2);
        assert_eq!(top.vars.len(), 2);
        assert_eq!(top.lifecycle.migrations.len(), 1);

        let staging = w.env(Some("staging")).unwrap();
        assert_eq!(staging.script_name.as_ref().unwrap().value, "app-staging");
        assert_eq!(staging.origins["name"].origin, Origin::Default);
        assert!(staging.bindings.is_empty(), "bindings are not inherited");
        assert_eq!(staging.vars.len(), 1);
        assert_eq!(staging.routes.len(), 1, "routes are inherited");
        assert_eq!(
            staging.lifecycle.migrations.len(),
            1,
            "migrations are inherited"
        );
        let missing: Vec<_> = staging
            .missing_non_inheritable
            .iter()
            .map(|m| m.key.as_str())
            .collect();
        assert_eq!(missing, ["durable_objects", "kv_namespaces"]);

        let prod = w.env(Some("production")).unwrap();
        assert_eq!(prod.script_name.as_ref().unwrap().value, "app-prod");
        assert!(
            prod.routes.is_empty(),
            "an env's own value replaces the top level's"
        );
        let missing: Vec<_> = prod
            .missing_non_inheritable
            .iter()
            .map(|m| m.key.as_str())
            .collect();
        assert_eq!(missing, ["kv_namespaces", "vars"]);
    }

    #[test]
    fn same_config_as_jsonc_gives_the_same_model() {
        let jsonc = r#"{
  "name": "app", "main": "src/index.ts", "compatibility_date": "2025-01-01",
  "routes": [{"pattern": "a.example.com/*", "zone_name": "example.com"}],
  "durable_objects": {"bindings": [{"name": "ROOM", "class_name": "Room"}]},
  "kv_namespaces": [{"binding": "CACHE", "id": "abc"}],
  "vars": {"LEVEL": "info", "N": 3},
  "migrations": [{"tag": "v1", "new_sqlite_classes": ["Room"]}],
  "env": {
    "staging": {"vars": {"LEVEL": "debug"}},
    "production": {"name": "app-prod", "routes": [],
      "durable_objects": {"bindings": [{"name": "ROOM", "class_name": "Room"}]}},
  },
}"#;
        let (a, _) = resolve_text("wrangler.toml", Format::WranglerToml, TOML);
        let (b, _) = resolve_text("wrangler.jsonc", Format::WranglerJson, jsonc);
        let names = |p: &Project| -> Vec<(Option<String>, usize, usize, Vec<String>)> {
            p.workers[0]
                .envs
                .iter()
                .map(|e| {
                    (
                        e.name_str().map(str::to_owned),
                        e.bindings.len(),
                        e.vars.len(),
                        e.missing_non_inheritable
                            .iter()
                            .map(|m| m.key.clone())
                            .collect(),
                    )
                })
                .collect()
        };
        assert_eq!(names(&a.unwrap()), names(&b.unwrap()));
    }

    #[test]
    fn wrong_types_are_reported_once_at_the_value() {
        let text = "name = \"app\"\ndurable_objects = [\"x\"]\nkv_namespaces = { binding = \"A\" }\n[vars]\nD = 2024-01-01\n[env.staging]\n";
        let (p, d) = resolve_text("wrangler.toml", Format::WranglerToml, text);
        assert!(p.is_some());
        let msgs: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("`durable_objects` should be a table/object"));
        assert!(msgs[1].contains("`kv_namespaces` should be a list"));
        assert!(msgs[2].contains("TOML date"));
    }

    #[test]
    fn inherited_type_errors_are_not_repeated_per_env() {
        let text = "name = \"app\"\nmigrations = \"v1\"\n[env.a]\n[env.b]\n";
        let (_, d) = resolve_text("wrangler.toml", Format::WranglerToml, text);
        assert_eq!(d.len(), 1, "{d:?}");
    }
}
