//! `self-script-name`: a Durable Object binding whose `script_name` is the Worker's own name in
//! that environment.

use std::collections::HashSet;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{Origin, ProjectKind};

pub static RULE: Rule = Rule {
    name: "self-script-name",
    category: Category::Bindings,
    default_severity: Severity::Info,
    summary: "A Durable Object binding whose `script_name` is this Worker's own name, which hides wrangler's export and migration checks",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
For every environment, compares each Durable Object binding's `script_name` with the name the
Worker deploys under in that environment — `name`, the environment's own `name`, or wrangler's
default `<name>-<env>` — and flags a binding that points at its own Worker. Bindings with an
`environment` field (legacy service environments) are left alone.

## Why it matters
`script_name` is for classes "external to this Worker". Pointing it at the Worker itself is
redundant, and it changes what wrangler does: a binding with `script_name` is treated as external,
so wrangler skips its check that the class is exported by the entry module and its warning that
no migration creates the class, and local `wrangler dev` treats the class as remote. Mistakes that
would otherwise be reported stay hidden until the upload fails. It also ties the binding to one
script name: once the Worker deploys under another name (an environment's `<name>-<env>`, a
rename), the binding points at a Worker that does not have the class ("Cannot create binding for
class … in script … that does not exist", code 10061).

In a blueprint, a `config.durable_objects` entry with `script_name` does not declare its class,
so unless top-level `durable_objects` declares it, doforge plans no migration for it either.

## Example
```jsonc
{
  "name": "tickets",
  "durable_objects": {
    "bindings": [
      { "name": "TICKET_MANAGER", "class_name": "TicketManager", "script_name": "tickets" }
    ]
  }
}
```

## Use instead
```jsonc
{
  "name": "tickets",
  "durable_objects": {
    "bindings": [{ "name": "TICKET_MANAGER", "class_name": "TicketManager" }]
  }
}
```

## References
- https://developers.cloudflare.com/workers/wrangler/configuration/#durable-objects
- https://developers.cloudflare.com/durable-objects/reference/environments/
- https://github.com/cloudflare/cloudflare-docs/issues/12815
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let blueprint = cx.project.kind == ProjectKind::Blueprint;
    let declared: HashSet<&str> = cx
        .project
        .classes
        .iter()
        .map(|c| c.class_name.as_str())
        .collect();
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let Some(own) = &env.script_name else {
                continue;
            };
            for (b, d) in env.durable_objects() {
                let Some(script) = &d.script_name else {
                    continue;
                };
                if d.environment.is_some() || script.value != own.value {
                    continue;
                }
                let defaulted = env
                    .origins
                    .get("name")
                    .is_some_and(|o| o.origin == Origin::Default);
                let named_here = if defaulted {
                    format!(
                        "this environment deploys as `{}` (`name` plus `-{}`)",
                        own.value,
                        env.name_str().unwrap_or_default()
                    )
                } else {
                    format!("this Worker is named `{}` here", own.value)
                };
                let mut message = format!(
                    "Durable Object binding `{}` sets `script_name` to this Worker's own name `{}`, so wrangler treats class `{}` as external and skips its export and migration checks",
                    b.name.value, script.value, d.class_name.value
                );
                let declared = declared.contains(d.class_name.as_str());
                if blueprint && !declared {
                    message.push_str("; doforge plans no migration for it either");
                }
                let d = cx
                    .diag(script.span, message)
                    .with_secondary(cx.label(own.span, named_here))
                    .with_help("remove `script_name`: a class defined in this Worker needs none")
                    .with_env(env.name_str());
                out.push(d);
            }
        }
    }
    out
}
