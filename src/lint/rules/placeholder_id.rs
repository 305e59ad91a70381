//! `placeholder-id`: resource ids, resource names and var values left as template placeholders
//! (`xxxx…`, `<your-id>`, `YOUR_…`, `TODO`, `changeme`, all zeros, …).

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{BindingKind, ProjectKind, Sp, VarValue};
use crate::source::{Node, Span};

pub static RULE: Rule = Rule {
    name: "placeholder-id",
    category: Category::Bindings,
    default_severity: Severity::Warning,
    summary: "A resource id, resource name or var value left as a template placeholder (`xxxx…`, `<your-id>`, `YOUR_…`, `TODO`, all zeros, …)",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Looks at the values that name real Cloudflare resources — KV `id` / `preview_id`, D1
`database_id` / `preview_database_id`, Hyperdrive `id`, R2 `bucket_name` / `preview_bucket_name`,
queue names (producers and consumers), `account_id`, route `zone_id`, route patterns and
`zone_name` — and at every `vars` value, in every environment, and flags the ones that are
template placeholders:

- a run of `x` (optionally with dashes) as the whole value: `xxxxxxxxxxxxxxxxxxxxx`,
  `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (in var values also a run of four or more `x` between
  separators: `https://xxxx.example.com`);
- `<…>` as the whole value (`<your-namespace-id>`), or in a var value an angle-bracket word such as
  `<ACCOUNT_ID>` or `<your-subdomain>`;
- `YOUR_…` / `your-…` at the start of the value or of a word (`https://your-team.cloudflareaccess.com`),
  and `…_HERE` (`PUT_ID_HERE`);
- `TODO`, `changeme` / `CHANGE_ME`, `REPLACE_ME` / `REPLACE_WITH_…`, `PLACEHOLDER`, an ellipsis
  (`...`, `…`) as the whole value;
- for ids only: an empty value, all zeros (`00000000-0000-0000-0000-000000000000`), or the binding
  name itself (`id = "CACHE"` for binding `CACHE`).

- for routes and zones: a documentation domain (`example.com`, `example.net`, `example.org` and
  their subdomains, reserved by RFC 2606 and never a zone on anyone's account) or a template's
  `yourdomain.com`, `your-domain.…`, `mydomain.…`.

Names are compared carefully: a bucket named `todo-list` or `cache-xx` and a lower-case var value
`todo` are not placeholders (only upper-case `TODO` is, outside ids), and a real 32-hex KV id
never is. Template variables meant to be substituted before deploy (`${KV_ID}`, `{{KV_ID}}`) are
left alone. Var values are never printed in the message (they may be secrets).

## Why it matters
Wrangler only rejects an *empty* KV id ("bindings should have a string "id" field"); any other
placeholder passes `wrangler deploy --dry-run` silently, and the real deploy fails when the API
finds no namespace, database, queue, zone or account by that id — or, for a var, the Worker
deploys and breaks at runtime. An **omitted** KV, D1 or R2 id is legal: wrangler creates
the resource on deploy and remembers it (automatic provisioning), so the fix is to remove the
placeholder or set the real value.

## Example
```toml
[[kv_namespaces]]
binding = "CACHE"
id = "xxxxxxxxxxxxxxxxxxxxx"

[vars]
CALLS_APP_ID = "YOUR_CALLS_SFU_APP_ID_HERE"
```

## Use instead
```toml
[[kv_namespaces]]
binding = "CACHE" # no id: wrangler creates the namespace on the first deploy

[vars]
CALLS_APP_ID = "5e2b0d1c9a8f47e3b6c1d2e3f4a5b6c7"
```

## References
- https://developers.cloudflare.com/workers/wrangler/configuration/#kv-namespaces
- https://developers.cloudflare.com/workers/wrangler/configuration/#automatic-provisioning
- https://developers.cloudflare.com/workers/wrangler/commands/#kv-namespace-create
- https://developers.cloudflare.com/workers/wrangler/commands/#d1-create
- https://developers.cloudflare.com/workers/configuration/environment-variables/
"#;

/// What kind of value is being judged: each has its own false-positive guards.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field<'a> {
    /// An opaque Cloudflare id (hex or UUID); `binding` is the binding's name, when it has one.
    Id { binding: Option<&'a str> },
    /// A resource name chosen by the user (R2 bucket, queue).
    Name,
    /// A `vars` value.
    Var,
    /// A route pattern or zone name (a host, maybe with a path and wildcards).
    Domain,
}

/// Why a route pattern or zone name is a placeholder: a documentation domain (RFC 2606's
/// `example.com|net|org` and their subdomains) or a template's `yourdomain.com` / `your-domain`.
fn placeholder_domain(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let v = v.split_once("://").map_or(v, |(_, rest)| rest);
    let host = v
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .trim_start_matches("*.")
        .trim_start_matches('*')
        .to_ascii_lowercase();
    let reserved = ["example.com", "example.net", "example.org"];
    if reserved
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    {
        return Some("is a documentation domain (example.com, .net and .org are reserved)");
    }
    let labels: Vec<&str> = host.split('.').collect();
    let templated = labels.iter().any(|l| {
        matches!(
            *l,
            "yourdomain" | "your-domain" | "your_domain" | "mydomain" | "my-domain"
        ) || l.starts_with("your-")
            || l.starts_with("your_")
    });
    if templated || host.contains('<') {
        return Some("is a template's placeholder domain");
    }
    None
}

/// Why `value` is a placeholder, when it is one.
fn placeholder(value: &str, field: Field) -> Option<&'static str> {
    if field == Field::Domain {
        return placeholder_domain(value);
    }
    let v = value.trim();
    let is_id = matches!(field, Field::Id { .. });
    if v.is_empty() {
        return is_id.then_some("is empty");
    }
    if v.chars().all(|c| matches!(c, '.' | '…')) {
        return Some("is only an ellipsis");
    }
    let xs = v.chars().filter(|c| matches!(c, 'x' | 'X')).count();
    if xs >= 3 && v.chars().all(|c| matches!(c, 'x' | 'X' | '-')) {
        return Some("is a run of x's");
    }
    if field == Field::Var
        && v.split(|c: char| !c.is_alphanumeric())
            .any(|w| w.len() >= 4 && w.chars().all(|c| matches!(c, 'x' | 'X')))
    {
        return Some("contains a run of x's");
    }
    if v.len() > 2 && v.starts_with('<') && v.ends_with('>') {
        let inner = &v[1..v.len() - 1];
        // `<b>` / `<b>bold</b>`-like markup in a var is not a placeholder.
        if field != Field::Var || angle_word(inner, true) {
            return Some("is an angle-bracket placeholder");
        }
    }
    if field == Field::Var && has_angle_word(v) {
        return Some("contains an angle-bracket placeholder");
    }
    if has_your_word(v) {
        return Some("starts a word with `your`");
    }
    let upper_word = |w: &str| {
        v.strip_prefix(w)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| !c.is_alphanumeric()))
    };
    let todo = if is_id {
        v.len() >= 4
            && v.is_char_boundary(4)
            && v[..4].eq_ignore_ascii_case("todo")
            && v[4..].chars().next().is_none_or(|c| !c.is_alphanumeric())
    } else {
        upper_word("TODO")
    };
    if todo {
        return Some("is a TODO marker");
    }
    let squashed: String = v
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if squashed.starts_with("changeme")
        || squashed.starts_with("replaceme")
        || squashed.starts_with("replacewith")
    {
        return Some("asks to be replaced");
    }
    let placeholder_word = if is_id {
        squashed.starts_with("placeholder")
    } else {
        upper_word("PLACEHOLDER")
    };
    if placeholder_word {
        return Some("says PLACEHOLDER");
    }
    if v.ends_with("_HERE")
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return Some("ends in `_HERE`");
    }
    if let Field::Id { binding } = field {
        let zeros = v.chars().filter(|&c| c == '0').count();
        if zeros >= 8 && v.chars().all(|c| matches!(c, '0' | '-')) {
            return Some("is all zeros");
        }
        if binding.is_some_and(|b| b.eq_ignore_ascii_case(v)) {
            return Some("is the binding name");
        }
    }
    None
}

/// Whether an opaque id is a placeholder (other rules leave those to this one).
pub(crate) fn is_placeholder_id(value: &str, binding: Option<&str>) -> bool {
    placeholder(value, Field::Id { binding }).is_some()
}

/// Whether a resource name (bucket, queue) is a placeholder (other rules leave those to this one).
pub(crate) fn is_placeholder_name(value: &str) -> bool {
    placeholder(value, Field::Name).is_some()
}

/// Whether a `vars` value is a placeholder (`env-binding-not-inherited` does not ask environments
/// to copy a stand-in).
pub(crate) fn is_placeholder_var(value: &str) -> bool {
    placeholder(value, Field::Var).is_some()
}

/// `your-…` / `YOUR_…` at the start of the value or right after a separator.
fn has_your_word(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    lower.match_indices("your").any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + 4..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && matches!(after, Some('-' | '_'))
    })
}

/// `<ACCOUNT_ID>` / `<your-subdomain>` inside a longer var value (not `<b>`-style markup).
fn has_angle_word(v: &str) -> bool {
    let mut rest = v;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            return false;
        };
        if angle_word(&after[..close], false) {
            return true;
        }
        rest = &after[close + 1..];
    }
    false
}

/// The inside of `<…>` reads as a placeholder word (`ACCOUNT_ID`, `your-subdomain`, and with
/// `spaces`, `your api key`), not as markup (`b`, `br`, `div class="x"`).
fn angle_word(inner: &str, spaces: bool) -> bool {
    let wordy = !inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || (spaces && c == ' '));
    let marked = inner.contains(['_', '-'])
        || (spaces && inner.contains(' '))
        || (inner.len() >= 2 && inner.chars().all(|c| !c.is_ascii_lowercase()));
    wordy && marked
}

/// A value to judge, with everything the message and help need.
struct Candidate<'a> {
    value: &'a str,
    span: Span,
    field: Field<'a>,
    /// "`id` of KV binding `CACHE`"
    what: String,
    help: String,
    env: Option<&'a str>,
}

fn cand<'a>(
    env: Option<&'a str>,
    sp: &'a Option<Sp<String>>,
    field: Field<'a>,
    what: String,
    help: String,
) -> Option<Candidate<'a>> {
    let sp = sp.as_ref()?;
    Some(Candidate {
        value: sp.as_str(),
        span: sp.span,
        field,
        what,
        help,
        env,
    })
}

fn shown(value: &str) -> String {
    let v = value.trim();
    if v.chars().count() > 40 {
        format!("{}…", v.chars().take(40).collect::<String>())
    } else {
        v.to_owned()
    }
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut cands: Vec<Candidate> = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let e = env.name_str();
            for b in &env.bindings {
                let name = b.name.as_str();
                let id = Field::Id {
                    binding: Some(name),
                };
                match &b.kind {
                    BindingKind::KvNamespace { id: i, preview_id } => {
                        cands.extend(cand(e, i, id, format!("`id` of KV binding `{name}`"), format!("remove `id` to let wrangler create the namespace on deploy (automatic provisioning), or set the real id from `wrangler kv namespace create {name}`")));
                        cands.extend(cand(e, preview_id, id, format!("`preview_id` of KV binding `{name}`"), format!("remove `preview_id` (wrangler then uses `id`), or set the id of a development namespace from `wrangler kv namespace create {name} --preview`")));
                    }
                    BindingKind::D1Database {
                        database_name,
                        database_id,
                        preview_database_id,
                        ..
                    } => {
                        let db = database_name.as_ref().map_or("<name>", |n| n.as_str());
                        cands.extend(cand(e, database_id, id, format!("`database_id` of D1 binding `{name}`"), format!("remove `database_id` to let wrangler create the database on deploy (automatic provisioning), or set the real id from `wrangler d1 create {db}`")));
                        cands.extend(cand(e, preview_database_id, id, format!("`preview_database_id` of D1 binding `{name}`"), "remove `preview_database_id` (wrangler then uses `database_id`), or set the id of a development database".to_owned()));
                    }
                    BindingKind::R2Bucket {
                        bucket_name,
                        preview_bucket_name,
                        ..
                    } => {
                        cands.extend(cand(e, bucket_name, Field::Name, format!("`bucket_name` of R2 binding `{name}`"), "remove `bucket_name` to let wrangler create a bucket on deploy (automatic provisioning), or set the real name (`wrangler r2 bucket list`)".to_owned()));
                        cands.extend(cand(e, preview_bucket_name, Field::Name, format!("`preview_bucket_name` of R2 binding `{name}`"), "remove `preview_bucket_name` (wrangler then uses `bucket_name`), or set the name of a development bucket".to_owned()));
                    }
                    BindingKind::QueueProducer { queue } => {
                        cands.extend(cand(e, queue, Field::Name, format!("`queue` of producer binding `{name}`"), "set the real queue name (`wrangler queues list`, or create it with `wrangler queues create NAME`)".to_owned()));
                    }
                    _ => {}
                }
            }
            for c in &env.queue_consumers {
                cands.extend(cand(e, &c.queue, Field::Name, "`queue` of a consumer".to_owned(), "set the real queue name (`wrangler queues list`, or create it with `wrangler queues create NAME`)".to_owned()));
            }
            for r in &env.routes {
                cands.extend(cand(e, &r.zone_id, Field::Id { binding: None }, format!("`zone_id` of route `{}`", r.pattern.value), "set the zone's real id (the zone's overview page in the dashboard), or use `zone_name` instead".to_owned()));
                let route_help = "set the domain the Worker serves (a zone on your account); for a template, `workers_dev = true` serves it on workers.dev until a domain is chosen".to_owned();
                cands.push(Candidate {
                    value: r.pattern.as_str(),
                    span: r.pattern.span,
                    field: Field::Domain,
                    what: format!("route `{}`", r.pattern.value),
                    help: route_help.clone(),
                    env: e,
                });
                // One finding per route: its zone only when the pattern itself is real.
                if placeholder_domain(&r.pattern.value).is_none() {
                    cands.extend(cand(
                        e,
                        &r.zone_name,
                        Field::Domain,
                        format!("`zone_name` of route `{}`", r.pattern.value),
                        route_help,
                    ));
                }
            }
            for v in &env.vars {
                if let VarValue::Text(t) = &v.value {
                    cands.push(Candidate {
                        value: t,
                        span: v.span,
                        field: Field::Var,
                        what: format!("var `{}`", v.name.value),
                        help: format!("set the real value; if it is a secret, remove it from `vars` and run `wrangler secret put {}`", v.name.value),
                        env: e,
                    });
                }
            }
        }
    }
    raw_candidates(cx, &mut cands);

    let mut out = Vec::new();
    for c in cands {
        let Some(why) = placeholder(c.value, c.field) else {
            continue;
        };
        let message = if c.field == Field::Domain {
            format!("{} is a placeholder: `{}` {why}", c.what, shown(c.value))
        } else if c.value.trim().is_empty() {
            format!("{} is empty, not an id", c.what)
        } else if c.field == Field::Var {
            format!(
                "{} holds a placeholder (its value {why}), not a real value",
                c.what
            )
        } else {
            format!("{} is a placeholder: `{}` {why}", c.what, shown(c.value))
        };
        out.push(cx.diag(c.span, message).with_help(c.help).with_env(c.env));
    }
    out
}

/// Ids the model does not carry (Hyperdrive ids, `account_id`), read as written.
fn raw_candidates<'a>(cx: &Ctx<'a>, cands: &mut Vec<Candidate<'a>>) {
    let account = |n: &'a Node, worker: Option<&str>, env: Option<&'a str>| {
        Candidate {
        value: n.as_str().unwrap_or_default(),
        span: n.span,
        field: Field::Id { binding: None },
        what: match worker {
            Some(w) => format!("`account_id` of worker `{w}`"),
            None => "`account_id`".to_owned(),
        },
        help: "set the real account id (`wrangler whoami` shows it), or remove `account_id` to use the logged-in account or `CLOUDFLARE_ACCOUNT_ID`".to_owned(),
        env,
    }
    };
    let hyperdrive = |n: &'a Node,
                      binding: Option<&'a str>,
                      resource: Option<&str>,
                      env: Option<&'a str>| {
        Candidate {
        value: n.as_str().unwrap_or_default(),
        span: n.span,
        field: Field::Id { binding },
        what: match (binding, resource) {
            (Some(b), _) => format!("`id` of Hyperdrive binding `{b}`"),
            (None, Some(r)) => format!("`id` of Hyperdrive resource `{r}`"),
            (None, None) => "Hyperdrive `id`".to_owned(),
        },
        help: "set the id of the Hyperdrive configuration (`wrangler hyperdrive list`, or create one with `wrangler hyperdrive create NAME --connection-string=…`)".to_owned(),
        env,
    }
    };
    let root = cx.root;
    let str_at = |n: &'a Node, k: &str| n.get(k).filter(|v| v.as_str().is_some());
    if cx.project.kind == ProjectKind::Wrangler {
        let envs = root.get("env").and_then(Node::as_map).unwrap_or_default();
        let tables = std::iter::once((None, root))
            .chain(envs.iter().map(|e| (Some(e.key.as_str()), &e.value)));
        for (env, t) in tables {
            if let Some(n) = str_at(t, "account_id") {
                cands.push(account(n, None, env));
            }
            for h in t
                .get("hyperdrive")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                if let Some(n) = str_at(h, "id") {
                    let b = h.get("binding").and_then(Node::as_str);
                    cands.push(hyperdrive(n, b, None, env));
                }
            }
        }
        return;
    }
    // Blueprints: resource configs, and their per-environment overrides.
    let resources = root
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    let types: HashMap<&str, &str> = resources
        .iter()
        .rev() // the first of duplicate ids wins, as in the model
        .filter_map(|r| Some((r.get("id")?.as_str()?, r.get("type")?.as_str()?)))
        .collect();
    let type_of = |id: &str| types.get(id).copied();
    let mut judge = |id: &str, config: &'a Node, env: Option<&'a str>| match type_of(id) {
        Some("cloudflare_worker") => {
            if let Some(n) = str_at(config, "account_id") {
                cands.push(account(n, Some(id), env));
            }
        }
        Some("cloudflare_hyperdrive") => {
            if let Some(n) = str_at(config, "id") {
                cands.push(hyperdrive(n, None, Some(id), env));
            }
        }
        _ => {}
    };
    for r in resources {
        if let (Some(id), Some(config)) = (r.get("id").and_then(Node::as_str), r.get("config")) {
            judge(id, config, None);
        }
    }
    for e in root
        .get("environments")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        for o in e
            .value
            .get("resources")
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            judge(&o.key, &o.value, Some(e.key.as_str()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: Field = Field::Id {
        binding: Some("CACHE"),
    };

    #[test]
    fn placeholders() {
        for v in [
            "xxxxxxxxxxxxxxxxxxxxx",
            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
            "XXXX",
            "<your-kv-id>",
            "YOUR_KV_ID",
            "your-namespace-id",
            "TODO",
            "todo",
            "changeme",
            "CHANGE_ME",
            "REPLACE_ME",
            "...",
            "…",
            "00000000-0000-0000-0000-000000000000",
            "00000000000000000000000000000000",
            "cache",
            "",
            "PLACEHOLDER",
            "PUT_YOUR_ID_HERE",
        ] {
            assert!(placeholder(v, ID).is_some(), "{v:?}");
        }
        for v in [
            "0f2ac7d1e3b94c55a1b2c3d4e5f60718",
            "4f4d2c1a-8b3e-4c5d-9e6f-7a8b9c0d1e2f",
            "${KV_ID}",
            "{{ KV_ID }}",
        ] {
            assert!(placeholder(v, ID).is_none(), "{v:?}");
        }
        for v in [
            "todo-list",
            "cache-xx",
            "todo",
            "placeholder-images",
            "x",
            "yours-truly",
        ] {
            assert!(placeholder(v, Field::Name).is_none(), "{v:?}");
        }
        assert!(placeholder("your-bucket", Field::Name).is_some());
        for v in [
            "example.com/*",
            "api.example.org/v1/*",
            "*.example.net/*",
            "yourdomain.com",
            "app.your-domain.dev/*",
            "https://example.com/",
        ] {
            assert!(placeholder(v, Field::Domain).is_some(), "{v:?}");
        }
        for v in [
            "tldraw.com",
            "www.tldraw.com/api/*",
            "examples.com/*",
            "shop.example/*",
        ] {
            assert!(placeholder(v, Field::Domain).is_none(), "{v:?}");
        }
        for v in [
            "https://your-team.cloudflareaccess.com",
            "https://<your-subdomain>.workers.dev",
            "Bearer <API_TOKEN>",
            "https://xxxx.example.com",
            "YOUR_CALLS_SFU_APP_ID_HERE",
            "TODO: set me",
        ] {
            assert!(placeholder(v, Field::Var).is_some(), "{v:?}");
        }
        for v in [
            "",
            "todo",
            "info",
            "<b>bold</b>",
            "<br>",
            "placeholder",
            "cache-xx",
            "https://example.com/yourself",
            "0",
            "00000000",
        ] {
            assert!(placeholder(v, Field::Var).is_none(), "{v:?}");
        }
    }
}
