//! `resource-id-invalid`: a resource id or queue name that cannot be what it claims to be (a KV
//! namespace id that is not 32 hex digits, a D1 database id that is not a UUID, …).

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{BindingKind, ProjectKind, Sp};
use crate::source::{Node, Span};

use super::placeholder_id::{is_placeholder_id, is_placeholder_name};

pub static RULE: Rule = Rule {
    name: "resource-id-invalid",
    category: Category::Bindings,
    default_severity: Severity::Error,
    summary: "A resource id or queue name in a form Cloudflare never issues or accepts (KV, Hyperdrive and account ids are 32 hex digits, D1 ids are UUIDs), in any environment",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Checks the form of every value that names an existing Cloudflare resource, at the top level and
in every environment:

| value | form |
|---|---|
| KV `id`, `preview_id` | 32 hexadecimal digits |
| D1 `database_id`, `preview_database_id` | a UUID (`8-4-4-4-12` hexadecimal digits) |
| Hyperdrive `id` | 32 hexadecimal digits |
| `account_id`, route `zone_id` | 32 hexadecimal digits |
| queue names (producers, consumers, `dead_letter_queue`) | 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit |

An omitted id is legal (wrangler creates the resource on deploy and remembers it) and is never
reported; neither are template variables meant to be substituted before deploy (`${KV_ID}`,
`{{ KV_ID }}`). Placeholders (`xxxx…`, `<your-id>`, `TODO`) are `placeholder-id`'s; R2 bucket
names are `r2-bucket-name-invalid`'s. In blueprints the ids of KV, D1 and queue resources are
checked, and so are Hyperdrive ids and a Worker's `account_id` (all with environment overrides
applied).

## Why it matters
`wrangler deploy --dry-run` and `wrangler dev` accept any string here — `id = "DEV_KV"`,
`database_id = "test"` — so the mistake passes CI. Only the real deploy sends the value to the
API, which rejects it (for a queue: "Invalid queue name … Must match
^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ [code: 11003]"): the release fails at the last step. A D1 id pasted into a KV binding (or the other way round) fails the same way.

## Example
```toml
[[kv_namespaces]]
binding = "CACHE"
id = "DEV_KV"

[[d1_databases]]
binding = "DB"
database_name = "app"
database_id = "test"

[[queues.producers]]
binding = "JOBS"
queue = "Jobs_Queue"
```

## Use instead
```toml
[[kv_namespaces]]
binding = "CACHE" # no id: wrangler creates the namespace on the first deploy

[[d1_databases]]
binding = "DB"
database_name = "app"
database_id = "4f4d2c1a-8b3e-4c5d-9e6f-7a8b9c0d1e2f" # from `wrangler d1 create app`

[[queues.producers]]
binding = "JOBS"
queue = "jobs-queue"
```
A test-only config (under `tests/`, `fixtures/`, `e2e/`, or named `wrangler.test.*`) is not
checked by default: see the `test-paths` setting.

## References
- https://developers.cloudflare.com/workers/wrangler/configuration/#kv-namespaces
- https://developers.cloudflare.com/workers/wrangler/configuration/#d1-databases
- https://developers.cloudflare.com/workers/wrangler/configuration/#automatic-provisioning
- https://developers.cloudflare.com/queues/configuration/configure-queues/
- https://github.com/cloudflare/workers-sdk/issues/2522 (code 11003: the queue name pattern)
"#;

/// The form a value must have.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Hex32,
    Uuid,
    QueueName,
}

impl Form {
    fn accepts(self, v: &str) -> bool {
        match self {
            Form::Hex32 => v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()),
            Form::Uuid => {
                let groups: Vec<&str> = v.split('-').collect();
                groups.len() == 5
                    && groups
                        .iter()
                        .zip([8, 4, 4, 4, 12])
                        .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
            }
            Form::QueueName => {
                let b = v.as_bytes();
                (1..=63).contains(&b.len())
                    && b.iter()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                    && b[0] != b'-'
                    && b[b.len() - 1] != b'-'
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Form::Hex32 => "32 hexadecimal digits",
            Form::Uuid => "a UUID (8-4-4-4-12 hexadecimal digits)",
            Form::QueueName => {
                "1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit"
            }
        }
    }
}

/// Why the value has the wrong form, when a likely reason is visible.
fn hint(form: Form, v: &str) -> Option<&'static str> {
    match form {
        Form::Hex32 if Form::Uuid.accepts(v) => {
            Some("it is a UUID, the form of a D1 database id, not of this id")
        }
        Form::Uuid if Form::Hex32.accepts(v) => {
            Some("it is 32 hex digits, the form of a KV or Hyperdrive id, not of a D1 database id")
        }
        Form::QueueName if v.contains('_') || v.bytes().any(|b| b.is_ascii_uppercase()) => {
            Some("queue names take no upper-case letters or `_`")
        }
        _ => None,
    }
}

/// A value to judge.
struct Value<'a> {
    value: &'a str,
    /// The binding the value belongs to (an id equal to it is a placeholder).
    binding: Option<&'a str>,
    span: Span,
    form: Form,
    /// "`id` of KV binding `CACHE`"
    what: String,
    help: String,
    env: Option<&'a str>,
}

fn value<'a>(
    env: Option<&'a str>,
    sp: &'a Option<Sp<String>>,
    form: Form,
    what: String,
    help: &str,
) -> Option<Value<'a>> {
    let sp = sp.as_ref()?;
    Some(Value {
        value: sp.as_str(),
        binding: None,
        span: sp.span,
        form,
        what,
        help: help.to_owned(),
        env,
    })
}

fn raw<'a>(
    env: Option<&'a str>,
    n: &'a Node,
    form: Form,
    what: String,
    help: &str,
) -> Option<Value<'a>> {
    Some(Value {
        value: n.as_str()?,
        binding: None,
        span: n.span,
        form,
        what,
        help: help.to_owned(),
        env,
    })
}

const KV_HELP: &str = "set the namespace's id (`wrangler kv namespace list` shows it), or remove the key to let wrangler create the namespace on deploy";
const D1_HELP: &str = "set the database's id (`wrangler d1 list` shows it), or remove the key to let wrangler create the database on deploy";
const QUEUE_HELP: &str = "rename the queue (create it with `wrangler queues create NAME`); the binding name may stay upper-case";
const HYPERDRIVE_HELP: &str =
    "set the id of the Hyperdrive configuration (`wrangler hyperdrive list` shows it)";
const ACCOUNT_HELP: &str = "set the account id (`wrangler whoami` shows it), or remove `account_id` to use the logged-in account or `CLOUDFLARE_ACCOUNT_ID`";
const ZONE_HELP: &str =
    "set the zone's id (the zone's overview page in the dashboard), or use `zone_name` instead";

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    // (value, binding name) pairs judged as placeholders use the binding name too.
    let mut values: Vec<Value> = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let e = env.name_str();
            for b in &env.bindings {
                let name = b.name.as_str();
                let from = values.len();
                match &b.kind {
                    BindingKind::KvNamespace { id, preview_id } => {
                        values.extend(value(
                            e,
                            id,
                            Form::Hex32,
                            format!("`id` of KV binding `{name}`"),
                            KV_HELP,
                        ));
                        values.extend(value(
                            e,
                            preview_id,
                            Form::Hex32,
                            format!("`preview_id` of KV binding `{name}`"),
                            KV_HELP,
                        ));
                    }
                    BindingKind::D1Database {
                        database_id,
                        preview_database_id,
                        ..
                    } => {
                        values.extend(value(
                            e,
                            database_id,
                            Form::Uuid,
                            format!("`database_id` of D1 binding `{name}`"),
                            D1_HELP,
                        ));
                        values.extend(value(
                            e,
                            preview_database_id,
                            Form::Uuid,
                            format!("`preview_database_id` of D1 binding `{name}`"),
                            D1_HELP,
                        ));
                    }
                    BindingKind::QueueProducer { queue } => {
                        values.extend(value(
                            e,
                            queue,
                            Form::QueueName,
                            format!(
                                "queue `{}` of producer binding `{name}`",
                                queue.as_ref().map_or("", |q| q.as_str())
                            ),
                            QUEUE_HELP,
                        ));
                    }
                    // A blueprint's Hyperdrive id reaches the binding as an untyped key of the
                    // resource's effective config (wrangler configs are judged on the raw tree below).
                    BindingKind::Other { key } if key == "hyperdrive" => {
                        if let Some((_, n)) = b.extra.iter().find(|(k, _)| k == "id") {
                            values.extend(raw(
                                e,
                                n,
                                Form::Hex32,
                                format!("`id` of Hyperdrive binding `{name}`"),
                                HYPERDRIVE_HELP,
                            ));
                        }
                    }
                    _ => {}
                }
                for v in &mut values[from..] {
                    v.binding = Some(name);
                }
            }
            for c in &env.queue_consumers {
                values.extend(value(
                    e,
                    &c.queue,
                    Form::QueueName,
                    format!(
                        "consumed queue `{}`",
                        c.queue.as_ref().map_or("", |q| q.as_str())
                    ),
                    QUEUE_HELP,
                ));
                if let Some(dlq) = c.settings.as_ref().and_then(|s| s.get("dead_letter_queue")) {
                    values.extend(raw(
                        e,
                        dlq,
                        Form::QueueName,
                        format!("dead letter queue `{}`", dlq.as_str().unwrap_or_default()),
                        QUEUE_HELP,
                    ));
                }
            }
            // A blueprint Worker's `config.account_id`, as effective in this env (empty for
            // wrangler configs: their `account_id` is judged on the raw tree below).
            if let Some((_, n)) = env.settings.iter().find(|(k, _)| k == "account_id") {
                values.extend(raw(
                    e,
                    n,
                    Form::Hex32,
                    "`account_id`".to_owned(),
                    ACCOUNT_HELP,
                ));
            }
            for r in &env.routes {
                values.extend(value(
                    e,
                    &r.zone_id,
                    Form::Hex32,
                    format!("`zone_id` of route `{}`", r.pattern.value),
                    ZONE_HELP,
                ));
            }
        }
    }
    if cx.project.kind == ProjectKind::Wrangler {
        let envs = cx
            .root
            .get("env")
            .and_then(Node::as_map)
            .unwrap_or_default();
        let tables = std::iter::once((None, cx.root))
            .chain(envs.iter().map(|e| (Some(e.key.as_str()), &e.value)));
        for (env, t) in tables {
            if let Some(n) = t.get("account_id") {
                values.extend(raw(
                    env,
                    n,
                    Form::Hex32,
                    "`account_id`".to_owned(),
                    ACCOUNT_HELP,
                ));
            }
            for h in t
                .get("hyperdrive")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                if let Some(n) = h.get("id") {
                    let b = h.get("binding").and_then(Node::as_str).unwrap_or("?");
                    values.extend(raw(
                        env,
                        n,
                        Form::Hex32,
                        format!("`id` of Hyperdrive binding `{b}`"),
                        HYPERDRIVE_HELP,
                    ));
                }
            }
        }
    }
    let mut out = Vec::new();
    for v in values {
        let t = v.value.trim();
        if t.is_empty() || templated(t) || v.form.accepts(t) {
            continue;
        }
        let placeholder = match v.form {
            Form::QueueName => is_placeholder_name(t),
            _ => is_placeholder_id(t, v.binding),
        };
        if placeholder {
            continue;
        }
        let mut message = format!(
            "{} is not a valid {}: `{}` should be {}",
            v.what,
            match v.form {
                Form::QueueName => "queue name",
                _ => "id",
            },
            shown(t),
            v.form.describe()
        );
        if let Some(h) = hint(v.form, t) {
            message.push_str(&format!(" ({h})"));
        }
        out.push(
            cx.diag(v.span, message)
                .with_help(format!(
                    "{}. `wrangler deploy --dry-run` accepts it; the real deploy is refused",
                    v.help
                ))
                .with_env(v.env),
        );
    }
    out
}

/// `${KV_ID}` / `{{ KV_ID }}`: substituted before deploy.
fn templated(v: &str) -> bool {
    v.contains("${") || v.contains("{{")
}

fn shown(v: &str) -> String {
    if v.chars().count() > 48 {
        format!("{}…", v.chars().take(48).collect::<String>())
    } else {
        v.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(Form::Hex32.accepts("0f2ac7d1e3b94c55a1b2c3d4e5f60718"));
        assert!(Form::Hex32.accepts("0F2AC7D1E3B94C55A1B2C3D4E5F60718"));
        assert!(!Form::Hex32.accepts("DEV_KV"));
        assert!(!Form::Hex32.accepts("0f2ac7d1e3b94c55a1b2c3d4e5f6071"));
        assert!(Form::Uuid.accepts("4f4d2c1a-8b3e-4c5d-9e6f-7a8b9c0d1e2f"));
        assert!(!Form::Uuid.accepts("test"));
        assert!(!Form::Uuid.accepts("000000000-0000-0000-0000-000000000000"));
        for q in ["jobs", "a", "tldraw-multiplayer-queue-dev", "q1"] {
            assert!(Form::QueueName.accepts(q), "{q}");
        }
        for q in ["Jobs", "my_queue", "-jobs", "jobs-", "", &"a".repeat(64)] {
            assert!(!Form::QueueName.accepts(q), "{q}");
        }
        assert!(hint(Form::Hex32, "4f4d2c1a-8b3e-4c5d-9e6f-7a8b9c0d1e2f").is_some());
        assert!(templated("${KV_ID}") && templated("{{ KV_ID }}"));
    }
}
