//! `kv-backed-durable-object`: a Durable Object class created with the legacy key-value storage
//! backend.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{DoClass, Sp, Storage};
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "kv-backed-durable-object",
    category: Category::Lifecycle,
    default_severity: Severity::Info,
    summary:
        "A Durable Object class created with the legacy key-value storage backend instead of SQLite",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Flags each Durable Object class that the lifecycle creates with the key-value storage backend
and that still exists at the end of the history:

* a `new_classes` entry of `migrations` (followed through later renames);
* a live `exports` entry with `storage = "legacy-kv"`;
* a blueprint class with `storage: kv` (when doforge plans the history).

## Why it matters
Cloudflare recommends the SQLite storage backend for every new Durable Object class: it adds the
SQL API, point-in-time recovery and synchronous key-value calls, and the key-value backend remains
only for backwards compatibility. On the Workers Free plan SQLite is the only backend, and the deploy
fails with `In order to use Durable Objects with a free plan, you must create a namespace using a
new_sqlite_classes migration. [code: 10097]`. Containers also need SQLite-backed classes.

The backend is fixed when the class is created: a class that is already deployed cannot be
switched by editing its migration or creating it again (that is `migration-class-conflict`).
So this is information, for classes that are not deployed yet.

## Example
```toml
[[migrations]]
tag = "v1"
new_classes = ["Counter"]
```

## Use instead
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
```
For a class already deployed with key-value storage, keep its step as it is; to move to SQLite,
create a new SQLite class and migrate the data in code.

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-object-class-migrations-legacy/
- https://developers.cloudflare.com/durable-objects/api/storage-api/
- https://developers.cloudflare.com/durable-objects/platform/limits/
- https://github.com/cloudflare/workers-sdk/issues/9909
"#;

const HELP: &str = "if this class is not deployed yet, create it with `new_sqlite_classes` instead: SQLite storage is recommended for new classes and is the only backend on the Free plan (error 10097). A deployed class keeps its backend; leave its step unchanged";

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let lc = &env.lifecycle;
            let own_list = !lc.migrations_inherited();
            // An inherited list is the top level's: reported there, once.
            if own_list {
                let history = lc.history();
                let mut live: Vec<(&String, &Sp<String>)> = history
                    .classes
                    .iter()
                    .filter(|(_, rec)| rec.live && rec.storage == Some(Storage::Kv))
                    .filter_map(|(name, rec)| Some((name, rec.storage_origin.as_ref()?)))
                    .collect();
                live.sort_by_key(|(_, origin)| origin.span);
                for (name, origin) in live {
                    let message = if *name == origin.value {
                        format!(
                            "Durable Object class `{name}` is created with `new_classes`, the legacy key-value storage backend"
                        )
                    } else {
                        format!(
                            "Durable Object class `{name}` (created as `{}`) uses `new_classes`, the legacy key-value storage backend",
                            origin.value
                        )
                    };
                    out.push(
                        cx.diag(origin.span, message)
                            .with_help(HELP)
                            .with_env(env.name_str())
                            .with_fix(to_sqlite(cx, lc, origin.span)),
                    );
                }
            }
            let own_exports = !lc.exports_inherited();
            if own_exports {
                for e in &lc.exports {
                    let Some(storage) = &e.storage else { continue };
                    if e.is_durable_object() && e.is_live() && storage.value == "legacy-kv" {
                        out.push(
                            cx.diag(
                                storage.span,
                                format!(
                                    "Durable Object class `{}` uses `storage = \"legacy-kv\"`, the legacy key-value storage backend",
                                    e.name.value
                                ),
                            )
                            .with_help(
                                "if this class is not deployed yet, use `storage = \"sqlite\"`: SQLite storage is recommended for new classes and is the only backend on the Free plan (error 10097). A deployed class keeps its backend",
                            )
                            .with_env(env.name_str()),
                        );
                    }
                }
            }
            // A blueprint whose history doforge plans: the class's own `storage: kv`.
            if env.is_top() && lc.planned {
                let hosted = |c: &&DoClass| {
                    c.worker.as_ref().map(|w| w.value.as_str())
                        == worker.id.as_ref().map(|w| w.value.as_str())
                };
                for c in cx.project.classes.iter().filter(hosted) {
                    if c.storage == Storage::Kv && !c.deleted {
                        out.push(
                            cx.diag(
                                storage_span(cx, c),
                                format!(
                                    "Durable Object class `{}` uses `storage: kv`, the legacy key-value storage backend",
                                    c.class_name.value
                                ),
                            )
                            .with_help(
                                "if this class is not deployed yet, use `storage: sqlite` (the default): SQLite storage is recommended for new classes and is the only backend on the Free plan (error 10097). A deployed class keeps its backend",
                            ),
                        );
                    }
                }
            }
        }
    }
    out
}

/// The span of a blueprint class's `storage` value, else its `class_name`.
fn storage_span(cx: &Ctx, class: &DoClass) -> Span {
    cx.root
        .get("durable_objects")
        .and_then(|d| d.as_seq())
        .and_then(|items| items.iter().find(|n| n.span == class.span))
        .and_then(|n| n.get("storage"))
        .map_or(class.class_name.span, |n| n.span)
}

/// `new_classes` → `new_sqlite_classes`, only when that step is the whole migration history (no
/// deployed history can hold the class yet). Unsafe: doforge cannot see whether it was applied.
fn to_sqlite(
    cx: &Ctx,
    lc: &crate::model::Lifecycle,
    class: crate::source::Span,
) -> Option<crate::diagnostics::Fix> {
    if lc.migrations.len() != 1 || cx.project.kind != crate::model::ProjectKind::Wrangler {
        return None;
    }
    let entry = crate::fix::edit::find_list_entry(cx.root, class)?;
    (entry.key == "new_classes").then(|| {
        crate::diagnostics::Fix::unsafe_(
            "rename `new_classes` to `new_sqlite_classes` (only for a Worker never deployed)",
            vec![crate::fix::edit::rename_key(
                cx.file(),
                entry.key_span,
                "new_sqlite_classes",
            )],
        )
    })
}
