//! `queue-multiple-consumers`: one queue consumed by two different deployed scripts — in a
//! monorepo, or by two environments of one worker that share a queue name.

use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::workspace::{EdgeSource, GraphEdge, GraphNode, WorkerRef};
use crate::model::{Project, QueueConsumer};
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "queue-multiple-consumers",
    category: Category::Usage,
    default_severity: Severity::Error,
    summary: "A queue consumed by more than one Worker (two configs, or two environments of one worker sharing the queue name); Cloudflare allows one Worker consumer per queue",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Collects every queue consumer (`queues.consumers`, a blueprint `role: consumer` binding) of every
worker and environment in the run and flags a queue whose consumers belong to more than one
deployed script. A script is a worker in one environment: `api` at the top level and
`api-production` in `env.production` are two scripts, so two environments that consume the same
queue name are a conflict too — the common way to hit this rule. Consumers of one queue by the same
script (two environments that deploy under one `name`) are not reported.

## Why it matters
A queue has at most one Worker consumer (HTTP pull consumers aside). wrangler accepts the config,
and the first deploy attaches its consumer; deploying the second script then fails when wrangler
asks the Queues API to add another consumer — typically on the first production deploy after
staging worked. Sharing one queue across environments also mixes staging and production messages.

## Example
```toml
name = "jobs"

[[queues.consumers]]
queue = "exports"

[env.production]
[[env.production.queues.consumers]]
queue = "exports"
```

## Use instead
Give every environment its own queue, on both sides (producers and consumers):
```toml
name = "jobs"

[[queues.consumers]]
queue = "exports-dev"

[env.production]
[[env.production.queues.consumers]]
queue = "exports"
```

## References
- https://developers.cloudflare.com/queues/configuration/configure-queues/
- https://developers.cloudflare.com/queues/reference/how-queues-works/
- https://developers.cloudflare.com/workers/wrangler/environments/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let ws = cx.workspace;
    let Some(me) = ws.index_of(cx.project) else {
        return Vec::new();
    };
    let g = ws.graph();
    let mut out = Vec::new();
    for queue in g.graph.node_indices() {
        let GraphNode::Queue(name) = &g.graph[queue] else {
            continue;
        };
        // Each consumer edge leads to one script; its sources are the consumer entries.
        let consumers: Vec<_> = g
            .graph
            .edges_directed(queue, Direction::Outgoing)
            .filter(|e| *e.weight() == GraphEdge::ConsumedBy)
            .collect();
        if consumers.len() < 2 {
            continue;
        }
        let script = |e: &petgraph::graph::EdgeReference<GraphEdge>| match &g.graph[e.target()] {
            GraphNode::Worker(s) => s.clone(),
            _ => String::new(),
        };
        for edge in &consumers {
            for source in g.sources(edge.id()) {
                if source.at.project != me {
                    continue;
                }
                let env = &cx.project.workers[source.at.worker].envs[source.at.env];
                let Some(consumer) = consumer_at(cx.project, source) else {
                    continue;
                };
                let others: Vec<(String, WorkerRef, Span)> = consumers
                    .iter()
                    .filter(|o| o.id() != edge.id())
                    .filter_map(|o| {
                        let first = g.sources(o.id()).first()?;
                        let c = consumer_at(ws.projects[first.at.project], first)?;
                        Some((
                            script(o),
                            first.at,
                            c.queue.as_ref().map_or(c.span, |q| q.span),
                        ))
                    })
                    .collect();
                // Only the top level and an environment of the same worker: the top level is
                // often never deployed on its own, so this is an info, not an error.
                let top_level_only = others.iter().all(|(_, at, _)| {
                    at.project == me
                        && at.worker == source.at.worker
                        && (at.env == 0) != (source.at.env == 0)
                });
                // Reported once, on the environment's side.
                if top_level_only && source.at.env == 0 {
                    continue;
                }
                let names: Vec<String> = others.iter().map(|(s, _, _)| format!("`{s}`")).collect();
                let span = consumer.queue.as_ref().map_or(consumer.span, |q| q.span);
                let (message, help) = if top_level_only {
                    (
                        format!(
                            "queue `{name}` is consumed by script `{}` here and by {} of the same worker; if both are deployed, the second deploy fails (one Worker consumer per queue)",
                            script(edge),
                            names.join(", ")
                        ),
                        "fine when the top level is never deployed on its own (only `--env …`); otherwise give the top level its own queue",
                    )
                } else {
                    (
                        format!(
                            "queue `{name}` is consumed by script `{}` here and also by {}; Cloudflare allows one Worker consumer per queue, so deploying the second one fails",
                            script(edge),
                            names.join(", ")
                        ),
                        "give each environment (and each consuming worker) its own queue, and point that environment's producers at it; or consume the queue from one worker only",
                    )
                };
                let mut d = cx
                    .diag(span, message)
                    .with_help(help)
                    .with_env(env.name_str());
                if top_level_only {
                    d.severity = Severity::Info;
                }
                for (other, at, other_span) in &others {
                    // A blueprint's environments share the queue resource's span: no label.
                    if at.project == me && *other_span == span {
                        continue;
                    }
                    d = d.with_secondary(
                        Label::new(&ws.projects[at.project].file, *other_span)
                            .with_message(format!("consumed by `{other}` here")),
                    );
                }
                out.push(d);
            }
        }
    }
    out
}

fn consumer_at<'p>(project: &'p Project, source: &EdgeSource) -> Option<&'p QueueConsumer> {
    project
        .workers
        .get(source.at.worker)?
        .envs
        .get(source.at.env)?
        .queue_consumers
        .get(source.index)
}
