//! `dangling-script-name`: a Durable Object binding whose `script_name` (and `environment`) names a
//! worker of this run that does not host the class, another environment's worker, or an
//! environment the target does not define.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::workspace::{WorkerRef, Workspace};
use crate::model::{Binding, DurableObjectBinding, Env, ProjectKind, Sp, Worker};
use crate::schema::wrangler_keys::suggest;

pub static RULE: Rule = Rule {
    name: "dangling-script-name",
    category: Category::Usage,
    default_severity: Severity::Warning,
    summary: "A Durable Object binding's `script_name` names a worker of this run that does not host the class, belongs to another environment, or lacks the named `environment`",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Follows every Durable Object binding that has a `script_name` (a class hosted by another worker)
to that worker, when the worker is part of the same `doforge check` run (the other
`wrangler.toml`/`wrangler.jsonc` files of a monorepo, or the other workers of a blueprint), in
every environment, and flags:

- a target worker that does not host the class: no migration or live `exports` entry creates it,
  and (blueprints) no `durable_objects` entry puts it on that worker;
- a binding that crosses environments: `env.staging` binds `script_name = "api"`, the top-level
  (production) worker, although the `api` worker has a `staging` environment deployed as
  `api-staging` — or the top level binds `api-staging`;
- `environment = "…"` naming an environment the target worker does not define;
- a `script_name` that looks like `<worker of this run>-<env>` for an environment that worker does
  not have (`wix-gamma-integration-prod` when the worker deploys `production` as
  `wix-gamma-integration-production`).

When the binding crosses to another deployment of **its own** Worker — `script_name = "<name>"`
inside `env.production`, which deploys as `<name>-production` — the finding is an error: the
class is this Worker's, so the upload fails with code 10061 wherever that other deployment does
not exist (often the top level is never deployed), and where it does, the environments share
one set of objects.

A `script_name` the run knows nothing about is left alone — that worker may be deployed from
another repository — except in a blueprint, which describes every worker of the project: there an
unknown script is reported too.

## Why it matters
Cloudflare resolves `script_name` at deploy time. A target that does not export the class fails
the upload ("Cannot create binding for class … [code: 10061]"), usually on the first deploy of a
new environment. Worse, a binding that crosses environments deploys fine: each environment is
its own worker with its own Durable Object storage, so `staging` silently reads and writes
production's objects. Wrangler checks none of this: with `script_name` set it skips even its own
"class is not exported" check.

## Example
`api/wrangler.toml`:
```toml
name = "api"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Cart"]

[env.staging]
```
`web/wrangler.toml`:
```toml
name = "web"

[[durable_objects.bindings]]
name = "CART"
class_name = "Cart"
script_name = "api"

[env.staging]
durable_objects.bindings = [
  { name = "CART", class_name = "Cart", script_name = "api" },
]
```

## Use instead
```toml
[env.staging]
durable_objects.bindings = [
  { name = "CART", class_name = "Cart", script_name = "api-staging" },
]
```
In a blueprint, bind the class by name (`{ worker: web, name: CART, target: Cart }`) and let
doforge fill in the host's script for every environment instead of writing `script_name`.

## References
- https://developers.cloudflare.com/durable-objects/reference/environments/
- https://developers.cloudflare.com/workers/wrangler/configuration/#durable-objects
- https://developers.cloudflare.com/workers/wrangler/environments/
- https://github.com/huilang-me/CF-Server-Monitor/pull/55 (code 10061 from a wrong `script_name`)
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let mut run = Run {
        cx,
        ws: cx.workspace,
        hosted: HashMap::new(),
        out: Vec::new(),
    };
    for worker in &cx.project.workers {
        for env in &worker.envs {
            for (b, d) in env.durable_objects() {
                let Some(script) = &d.script_name else {
                    continue;
                };
                // `script_name` = this worker is not dangling: it is hosted here, which
                // `self-script-name` and `do-missing-migration` cover.
                let own = env
                    .script_name
                    .as_ref()
                    .is_some_and(|n| n.value == script.value);
                if !own || d.environment.is_some() {
                    run.binding(worker, env, b, d, script);
                }
            }
        }
    }
    run.out
}

struct Run<'c, 'a> {
    cx: &'c Ctx<'a>,
    ws: &'a Workspace<'a>,
    /// Classes hosted per target, computed once per target.
    hosted: HashMap<WorkerRef, Vec<String>>,
    out: Vec<Diagnostic>,
}

impl Run<'_, '_> {
    fn binding(
        &mut self,
        worker: &Worker,
        env: &Env,
        b: &Binding,
        d: &DurableObjectBinding,
        script: &Sp<String>,
    ) {
        let ws = self.ws;
        if let Some(environment) = &d.environment {
            let tops = ws.top_level_named(&script.value);
            let Some(&top) = tops.first() else {
                self.unknown(env, b, script);
                return;
            };
            let targets = ws.resolve(&script.value, Some(&environment.value));
            if targets.is_empty() {
                self.undefined_environment(env, b, script, environment, top);
            } else {
                self.hosts(env, b, d, &targets);
            }
            return;
        }
        let targets = ws.scripts_named(&script.value);
        if targets.is_empty() {
            self.unknown(env, b, script);
            return;
        }
        if !self.crosses_environments(worker, env, b, script, targets) {
            self.hosts(env, b, d, targets);
        }
    }

    fn label(&self, r: WorkerRef, message: String) -> Label {
        let (file, span) = self.ws.defined_at(r);
        Label::new(file, span).with_message(message)
    }

    /// Report when no target hosts the class.
    fn hosts(&mut self, env: &Env, b: &Binding, d: &DurableObjectBinding, targets: &[WorkerRef]) {
        let class = d.class_name.as_str();
        let ws = self.ws;
        for t in targets {
            let hosted = self
                .hosted
                .entry(*t)
                .or_insert_with(|| ws.hosted_classes_of(*t));
            if hosted.binary_search_by(|c| c.as_str().cmp(class)).is_ok() {
                return;
            }
        }
        let t = targets[0];
        let script = script_of(ws, t);
        let hosted = self.hosted[&t].clone();
        let hosts = if hosted.is_empty() {
            format!("`{script}` hosts no Durable Object classes")
        } else {
            format!("`{script}` hosts {}", list(&hosted))
        };
        let mut help = match suggest(class, hosted.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`? {hosts}; "),
            None => format!("{hosts}; "),
        };
        if let Some(host) = self.host_elsewhere(class, env.name_str()) {
            help.push_str(&format!(
                "`{class}` is hosted by `{host}`: point the binding there, or "
            ));
        }
        help.push_str(&match &ws.worker(t).id {
            Some(id) => format!(
                "declare `{class}` under `durable_objects` with `worker: {}`",
                id.value
            ),
            None => format!("declare `{class}` in `{script}` (a migration or an `exports` entry)"),
        });
        help.push_str(". Until then Cloudflare rejects the deploy (code 10061)");
        let d = self
            .cx
            .diag(
                d.class_name.span,
                format!(
                    "binding `{}` uses class `{class}` of worker `{script}`, which does not host it",
                    b.name.value
                ),
            )
            .with_secondary(self.label(t, format!("`{script}` is defined here")))
            .with_help(help)
            .with_env(env.name_str());
        self.out.push(d);
    }

    /// A worker of the run, in an environment named like `env`, that hosts `class`.
    fn host_elsewhere(&mut self, class: &str, env: Option<&str>) -> Option<String> {
        let ws = self.ws;
        for (p, project) in ws.projects.iter().enumerate() {
            for (w, worker) in project.workers.iter().enumerate() {
                let Some(e) = worker.envs.iter().position(|e| e.name_str() == env) else {
                    continue;
                };
                let r = WorkerRef {
                    project: p,
                    worker: w,
                    env: e,
                };
                let hosted = self
                    .hosted
                    .entry(r)
                    .or_insert_with(|| ws.hosted_classes_of(r));
                if hosted.binary_search_by(|c| c.as_str().cmp(class)).is_ok() {
                    return Some(script_of(ws, r));
                }
            }
        }
        None
    }

    /// `script` is deployed by the run, but only in other environments than the binding's, and
    /// the target worker has the binding's environment too. Returns whether it reported.
    fn crosses_environments(
        &mut self,
        worker: &Worker,
        env: &Env,
        b: &Binding,
        script: &Sp<String>,
        targets: &[WorkerRef],
    ) -> bool {
        let ws = self.ws;
        let here = env.name_str();
        if targets.iter().any(|t| ws.env(*t).name_str() == here) {
            return false;
        }
        let Some((t, counterpart)) = targets.iter().find_map(|t| {
            let e = ws
                .worker(*t)
                .envs
                .iter()
                .position(|e| e.name_str() == here)?;
            Some((*t, WorkerRef { env: e, ..*t }))
        }) else {
            return false;
        };
        let Some(right) = ws.env(counterpart).script_name.as_ref() else {
            return false;
        };
        if right.value == script.value {
            return false;
        }
        let there = ws.env(t).name_str();
        let fix = match (&ws.worker(t).id, self.cx.project.kind) {
            (Some(host), ProjectKind::Blueprint) => format!(
                "bind the class by name instead (a `bindings` entry with `target: {}`, the class declared under `durable_objects` with `worker: {}`): doforge then binds `{}` in {}",
                d_class(b),
                host.value,
                right.value,
                env_desc(here)
            ),
            _ => format!("use `script_name = \"{}\"`", right.value),
        };
        // The binding names another deployment of its own Worker (`script_name = "<name>"` in
        // `env.production`, which deploys as `<name>-production`): the class is this Worker's,
        // and the deploy fails (code 10061) wherever that other deployment does not exist.
        let own_worker = std::ptr::eq(ws.worker(t), worker);
        let mut d = self
            .cx
            .diag(
                script.span,
                format!(
                    "binding `{}` {} uses the Durable Objects of `{}` ({}), not those of `{}` ({}){}",
                    b.name.value,
                    where_(here),
                    script.value,
                    env_desc(there),
                    right.value,
                    env_desc(here),
                    if own_worker {
                        ": this Worker's other deployment"
                    } else {
                        ""
                    }
                ),
            )
            .with_secondary(self.label(
                counterpart,
                format!("`{}` is defined here", right.value),
            ))
            .with_help(format!(
                "every environment deploys as its own worker with its own Durable Object storage, so this binding reads and writes the objects of {}. To fix, {fix}; if sharing them is intended, suppress this finding",
                env_desc(there)
            ))
            .with_env(here);
        if own_worker {
            d.severity = Severity::Error;
            d.help = d.help.map(|h| format!(
                "{h}. The class is this Worker's own: the upload fails with code 10061 (\"Cannot create binding for class … in script …\") wherever `{}` is not deployed, and where it is, the environments share objects",
                script.value
            ));
        }
        self.out.push(d);
        true
    }

    fn undefined_environment(
        &mut self,
        env: &Env,
        b: &Binding,
        script: &Sp<String>,
        environment: &Sp<String>,
        top: WorkerRef,
    ) {
        let names: Vec<String> = self
            .ws
            .worker(top)
            .envs
            .iter()
            .filter_map(|e| e.name.as_ref().map(|n| n.value.clone()))
            .collect();
        let help = match names.iter().find(|n| env_like(&environment.value, n)) {
            Some(n) => format!(
                "did you mean `environment = \"{n}\"`? `{}` defines {}",
                script.value,
                list(&names)
            ),
            None if names.is_empty() => format!(
                "`{}` defines no environments: remove `environment` to bind its top-level worker",
                script.value
            ),
            None => format!("`{}` defines {}", script.value, list(&names)),
        };
        let d = self
            .cx
            .diag(
                environment.span,
                format!(
                    "binding `{}` names environment `{}` of worker `{}`, which defines no such environment",
                    b.name.value, environment.value, script.value
                ),
            )
            .with_secondary(self.label(top, format!("`{}` is defined here", script.value)))
            .with_help(help)
            .with_env(env.name_str());
        self.out.push(d);
    }

    /// `script` is not deployed by any project of the run.
    fn unknown(&mut self, env: &Env, b: &Binding, script: &Sp<String>) {
        let ws = self.ws;
        // `<worker of this run>-<env>` for an environment that worker does not have.
        for (i, _) in script.value.match_indices('-') {
            let (base, suffix) = (&script.value[..i], &script.value[i + 1..]);
            for top in ws.top_level_named(base) {
                let close = ws.worker(top).envs.iter().skip(1).find(|e| {
                    e.name_str().is_some_and(|n| env_like(suffix, n)) && e.script_name.is_some()
                });
                let Some(close) = close else { continue };
                let (name, right) = (
                    close.name_str().unwrap_or_default(),
                    close.script_name.as_ref().map_or("", |s| s.as_str()),
                );
                let counterpart = WorkerRef {
                    env: ws
                        .worker(top)
                        .envs
                        .iter()
                        .position(|e| std::ptr::eq(e, close))
                        .unwrap_or(0),
                    ..top
                };
                let d = self
                    .cx
                    .diag(
                        script.span,
                        format!(
                            "binding `{}` uses worker `{}`, which nothing in this run deploys: worker `{base}` deploys its environment `{name}` as `{right}`",
                            b.name.value, script.value
                        ),
                    )
                    .with_secondary(self.label(counterpart, format!("`{right}` is defined here")))
                    .with_help(format!(
                        "did you mean `{right}`? Each environment deploys as `<name>-<env>` unless it sets its own `name`"
                    ))
                    .with_env(env.name_str());
                self.out.push(d);
                return;
            }
        }
        if self.cx.project.kind != ProjectKind::Blueprint {
            return;
        }
        let known: Vec<&str> = self
            .cx
            .project
            .workers
            .iter()
            .filter_map(|w| w.env(env.name_str()).and_then(|e| e.script_name.as_ref()))
            .map(|s| s.as_str())
            .collect();
        let help = match suggest(&script.value, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? Better: drop `script_name` and declare the class under `durable_objects` with `worker: <id>`, so doforge binds the right script in every environment"),
            None => "a blueprint describes every worker of the project: declare the class under `durable_objects` with `worker: <id>` and bind it by class name, or add the hosting worker as a `cloudflare_worker` resource".to_owned(),
        };
        let d = self
            .cx
            .diag(
                script.span,
                format!(
                    "binding `{}` uses worker `{}`, which this blueprint does not define",
                    b.name.value, script.value
                ),
            )
            .with_help(help)
            .with_env(env.name_str());
        self.out.push(d);
    }
}

/// The class a Durable Object binding binds.
fn d_class(b: &Binding) -> &str {
    match &b.kind {
        crate::model::BindingKind::DurableObject(d) => d.class_name.as_str(),
        _ => "",
    }
}

fn script_of(ws: &Workspace, r: WorkerRef) -> String {
    ws.env(r)
        .script_name
        .as_ref()
        .map_or_else(String::new, |s| s.value.clone())
}

/// "in env `staging`" / "at the top level".
fn where_(env: Option<&str>) -> String {
    match env {
        Some(e) => format!("in env `{e}`"),
        None => "at the top level".to_owned(),
    }
}

/// "env `staging`" / "the top level".
fn env_desc(env: Option<&str>) -> String {
    match env {
        Some(e) => format!("env `{e}`"),
        None => "the top level".to_owned(),
    }
}

/// "`a`, `b` and `c`" (at most eight, then "…").
fn list(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(8).map(|s| format!("`{s}`")).collect();
    let more = items.len().saturating_sub(8);
    match (shown.as_slice(), more) {
        ([], _) => "nothing".to_owned(),
        ([only], 0) => only.clone(),
        ([init @ .., last], 0) => format!("{} and {last}", init.join(", ")),
        (all, n) => format!("{} and {n} more", all.join(", ")),
    }
}

/// Is `written` plausibly a spelling of the environment `name` (`prod` for `production`)?
fn env_like(written: &str, name: &str) -> bool {
    const ABBREVIATIONS: &[(&str, &str)] = &[
        ("prod", "production"),
        ("prd", "production"),
        ("stg", "staging"),
        ("stage", "staging"),
        ("dev", "development"),
        ("develop", "development"),
    ];
    written == name
        || (written.len() >= 3 && name.starts_with(written))
        || (name.len() >= 3 && written.starts_with(name))
        || ABBREVIATIONS.contains(&(written, name))
        || suggest(written, [name]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_spellings() {
        assert!(env_like("prod", "production"));
        assert!(env_like("stage", "staging"));
        assert!(env_like("stagin", "staging"));
        assert!(!env_like("gateway", "production"));
        assert!(!env_like("v2", "staging"));
    }

    #[test]
    fn lists_read_naturally() {
        let v = |n: usize| (0..n).map(|i| format!("C{i}")).collect::<Vec<_>>();
        assert_eq!(list(&v(1)), "`C0`");
        assert_eq!(list(&v(3)), "`C0`, `C1` and `C2`");
        assert!(list(&v(10)).ends_with("and 2 more"));
    }
}
