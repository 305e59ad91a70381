//! `external-class-hosted-here`: a Durable Object binding whose `script_name` points at another
//! Worker for a class this Worker's own migrations (or `exports`) create.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "external-class-hosted-here",
    category: Category::Lifecycle,
    default_severity: Severity::Warning,
    summary: "A Durable Object binding with `script_name` to another Worker for a class this Worker's own migrations or `exports` create",
    docs: DOCS,
    applies_to: Input::WRANGLER,
    check,
};

const DOCS: &str = r#"## What it does
For every environment, flags a Durable Object binding that names another Worker in `script_name`
(the class lives there) while the same environment's migrations — or live `exports` entries —
create a class of that name in *this* Worker. A binding with an `environment` field is judged
the same way. A `script_name` naming another deployment of this same Worker — its own name, its
top-level name or `<name>-<env>` — is left to `self-script-name` and `dangling-script-name`, which
say which deployment was meant. A class this Worker handed over with a transfer is not reported
when the receiving Worker is checked in the same run: its `transferred_classes` step takes the
class `from` this Worker (`from_script`), so this Worker's history still creates it and binding it
where it now lives is what the transfer asks for. Checked alone, such a config is reported (check
both Workers together).

## Why it matters
The two say opposite things, and one of them is wrong:

- if the class lives in the other Worker, this Worker's migration creates an empty, unused class
  of the same name here — and once deployed, that migration is history that can only be undone
  with a `deleted_classes` step;
- if the class lives here (the usual case: the binding was copied from another Worker's config, or
  the class was moved in without updating the binding), the binding talks to the *other* Worker's
  objects, so this Worker's own objects are never reached and their data is not where the code
  expects it. Deploying the other Worker without the class fails with code 10061.

## Example
```toml
name = "api"

[[durable_objects.bindings]]
name = "CART"
class_name = "Cart"
script_name = "carts"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Cart"]
```

## Use instead
Either the class is this Worker's (drop `script_name`):
```toml
[[durable_objects.bindings]]
name = "CART"
class_name = "Cart"
```
or it is the other Worker's (drop the migration before it is deployed; once deployed, delete the
class with a new `deleted_classes` migration).

## References
- https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/
- https://developers.cloudflare.com/workers/wrangler/configuration/#durable-objects
"#;

/// The target Worker (checked in this run) takes `class` over from `own` with a
/// `transferred_classes` step: this Worker's history still creates the class, and binding it
/// where it now lives is exactly what a transfer asks for.
fn transferred_out(
    cx: &Ctx,
    script: &str,
    environment: Option<&crate::model::Sp<String>>,
    class: &str,
    own: &str,
) -> bool {
    let env = environment.map(|e| e.value.as_str());
    cx.workspace.resolve(script, env).into_iter().any(|r| {
        cx.workspace
            .env(r)
            .lifecycle
            .migrations
            .iter()
            .flat_map(|m| &m.transferred_classes)
            .any(|t| {
                t.from.as_ref().is_some_and(|f| f.value == class)
                    && t.from_script.as_ref().is_some_and(|f| f.value == own)
            })
    })
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let own = env.script_name.as_ref().map(|s| s.as_str());
            let history = env.lifecycle.history();
            for (b, d) in env.durable_objects() {
                let Some(script) = &d.script_name else {
                    continue;
                };
                if d.environment.is_none() && Some(script.as_str()) == own {
                    continue;
                }
                // Another deployment of this same Worker (its top-level name, or `<name>-…`
                // in another env): `dangling-script-name` says which one was meant.
                if let Some(top) = worker.name().map(|n| n.as_str()) {
                    let other_env = script
                        .value
                        .strip_prefix(top)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'));
                    if other_env {
                        continue;
                    }
                }
                let class = d.class_name.as_str();
                let created: Option<(Span, &str)> = history
                    .get(class)
                    .filter(|r| r.live)
                    .map(|r| (r.created, "this Worker's migration creates it here"))
                    .or_else(|| {
                        env.lifecycle
                            .exports
                            .iter()
                            .find(|e| e.is_durable_object() && e.is_live() && e.name.value == class)
                            .map(|e| (e.name.span, "this Worker's `exports` declares it here"))
                    });
                let Some((span, label)) = created else {
                    continue;
                };
                if own.is_some_and(|own| {
                    transferred_out(cx, &script.value, d.environment.as_ref(), class, own)
                }) {
                    continue;
                }
                let target = match &d.environment {
                    Some(e) => format!("`{}` (environment `{}`)", script.value, e.value),
                    None => format!("`{}`", script.value),
                };
                out.push(
                    cx.diag(
                        script.span,
                        format!(
                            "binding `{}` uses class `{class}` of Worker {target}, but this Worker creates a class `{class}` of its own",
                            b.name.value
                        ),
                    )
                    .with_secondary(cx.label(span, label))
                    .with_help(format!(
                        "one of the two is wrong: if `{class}` is this Worker's, remove `script_name` from the binding; if it lives in {target}, remove it from this Worker's migrations before they are deployed (after, delete it with a new `deleted_classes` migration)"
                    ))
                    .with_env(env.name_str()),
                );
            }
        }
    }
    out
}
