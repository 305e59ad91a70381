//! Staging isolation: a non-production environment never binds production's stateful resources
//! unless the blueprint says the resource is `shared`.
//!
//! wrangler does not inherit bindings into an environment, and a binding names a resource, not an
//! environment: a `staging` that repeats production's KV id or bucket name reads and writes
//! production's data. So the resolver gives every non-production environment its own resource,
//! in the shape wrangler provisions on `wrangler deploy --env <env>`:
//!
//! | Resource | In a non-production env |
//! |---|---|
//! | KV namespace | no `id`, no `preview_id` (wrangler creates a namespace for the env) |
//! | D1 database | `database_name: <name>-<env>`, no `database_id` / `preview_database_id` |
//! | R2 bucket | `bucket_name: <name>-<env>`, no `preview_bucket_name` |
//! | Queue | `queue: <name>-<env>` (producers and consumers alike) |
//! | Hyperdrive | kept: a configuration needs a connection string, so the env gives its own `id` |
//!
//! An environment that names its own resource (`environments.<env>.resources.<id>` sets its id or
//! name) keeps exactly what it says.
//! Production is decided as `production-shares-state` decides it, so that rule stays silent on
//! what is generated: an env named `production`, `prod`, `prd` or `live` (also as a part of a
//! longer name), or the names in that rule's `production_envs` option.

use super::*;
use crate::lint::environments::is_production_name;

/// The rule whose options say which envs are production and which resources are shared.
const RULE: &str = "production-shares-state";

/// The blueprint's production env names (`lint.options.production-shares-state.production_envs`),
/// lowercased; None: the default names.
pub(super) fn production_names(root: &Node) -> Option<Vec<String>> {
    let items = root
        .get("lint")?
        .get("options")?
        .get(RULE)?
        .get("production_envs")?
        .as_seq()?;
    items
        .iter()
        .map(|n| n.as_str().map(str::to_ascii_lowercase))
        .collect()
}

/// The resource's `shared:` as written (the schema has checked its shape).
pub(super) fn shared_of(node: &Node) -> Shared {
    match node.get("shared").map(|n| &n.kind) {
        Some(NodeKind::Bool(true)) => Shared::All,
        Some(NodeKind::Seq(items)) => Shared::Envs(
            items
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => Shared::No,
    }
}

/// How the bindings of one env to one resource are resolved.
pub(super) enum Scope {
    /// The top level or a production env: the resource as configured.
    Production,
    /// A non-production env that shares the resource: production's, on purpose.
    Shared,
    /// A non-production env with its own resource; `suffix` is appended to names.
    Isolated { suffix: String },
}

/// The scope of `res` in `env` (None: the top level).
pub(super) fn scope(
    res: &Resource,
    env: Option<&Entry>,
    production_names: Option<&[String]>,
) -> Scope {
    let Some(env) = env else {
        return Scope::Production;
    };
    if is_production_name(&env.key, production_names) {
        Scope::Production
    } else if res.shared.with(&env.key) {
        Scope::Shared
    } else {
        // Env names are `[a-z0-9_-]`; bucket and queue names take no `_`.
        Scope::Isolated {
            suffix: format!("-{}", env.key.replace('_', "-")),
        }
    }
}

/// Does `environments.<env>.resources.<id>` set `key` itself?
pub(super) fn env_sets(res: &Resource, env: Option<&Entry>, key: &str) -> bool {
    env.and_then(|e| e.value.get("resources"))
        .and_then(|r| r.get(&res.id.value))
        .and_then(|o| o.get(key))
        .is_some()
}

/// Give a binding of an isolated env its own resource (see the module docs). `sets(key)`: the env
/// sets that key itself. An env that names its own resource (sets an identity key: a KV `id`, a D1
/// `database_id` or `database_name`, a `bucket_name`, a `queue`) has said which resource it
/// uses, so nothing of it is changed; nor is a preview key it sets.
pub(super) fn isolate(kind: &mut BindingKind, suffix: &str, sets: impl Fn(&str) -> bool) {
    let rename = |v: &mut Option<Sp<String>>| {
        if let Some(n) = v.as_mut() {
            n.value.push_str(suffix);
        }
    };
    let drop = |v: &mut Option<Sp<String>>, key: &str| {
        if !sets(key) {
            *v = None;
        }
    };
    match kind {
        BindingKind::KvNamespace { id, preview_id } if !sets("id") => {
            *id = None;
            drop(preview_id, "preview_id");
        }
        BindingKind::D1Database {
            database_name,
            database_id,
            preview_database_id,
            ..
        } if !sets("database_id") && !sets("database_name") => {
            rename(database_name);
            *database_id = None;
            drop(preview_database_id, "preview_database_id");
        }
        BindingKind::R2Bucket {
            bucket_name,
            preview_bucket_name,
            ..
        } if !sets("bucket_name") => {
            rename(bucket_name);
            drop(preview_bucket_name, "preview_bucket_name");
        }
        BindingKind::QueueProducer { queue } if !sets("queue") => rename(queue),
        _ => {}
    }
}

/// The names a shared binding is known by to `production-shares-state` (its `shared` option
/// matches ids and names).
pub(super) fn identities(kind: &BindingKind, extra: &[(String, Node)]) -> Vec<String> {
    let v = |o: &Option<Sp<String>>| o.as_ref().map(|s| s.value.clone());
    match kind {
        BindingKind::KvNamespace { id, .. } => v(id).into_iter().collect(),
        BindingKind::D1Database {
            database_id,
            database_name,
            ..
        } => [v(database_id), v(database_name)]
            .into_iter()
            .flatten()
            .collect(),
        BindingKind::R2Bucket { bucket_name, .. } => v(bucket_name).into_iter().collect(),
        BindingKind::QueueProducer { queue } => v(queue).into_iter().collect(),
        BindingKind::Other { key } if key == "hyperdrive" => extra
            .iter()
            .filter(|(k, _)| k == "id")
            .filter_map(|(_, n)| n.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Add the shared resources' identities to `production-shares-state`'s `shared` option, so that
/// the rule stays silent on what the blueprint shares on purpose (and still reports the rest).
pub(super) fn declare_shared(lint: &mut LintSettings, shared: Vec<String>, span: Span) {
    if shared.is_empty() {
        return;
    }
    let string = |s: String| Node::new(NodeKind::Str(s), span);
    let options = lint
        .options
        .entry(RULE.to_owned())
        .or_insert_with(|| Node::new(NodeKind::Map(Vec::new()), span));
    // A malformed option is the settings' to report; it is left as written.
    let NodeKind::Map(entries) = &mut options.kind else {
        return;
    };
    let list = match entries.iter_mut().find(|e| e.key == "shared") {
        Some(e) => &mut e.value,
        None => {
            entries.push(Entry {
                key: "shared".to_owned(),
                key_span: span,
                value: Node::new(NodeKind::Seq(Vec::new()), span),
            });
            &mut entries.last_mut().expect("just pushed").value
        }
    };
    if let NodeKind::Seq(items) = &mut list.kind {
        for s in shared {
            if !items.iter().any(|n| n.as_str() == Some(s.as_str())) {
                items.push(string(s));
            }
        }
    }
}
