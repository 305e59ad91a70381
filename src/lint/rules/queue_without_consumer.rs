//! `queue-without-consumer`: a queue that workers of the run send to but none consumes (warning),
//! and, as an info, a consumer of a queue none of them sends to.

use petgraph::Direction;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::workspace::{GraphEdge, GraphNode, Workspace};
use crate::model::{BindingKind, ProjectKind, Sp};
use crate::schema::wrangler_keys::suggest;
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "queue-without-consumer",
    category: Category::Usage,
    default_severity: Severity::Warning,
    summary: "A queue that workers send to but no worker of the run consumes (and, as an info, a consumer of a queue nobody sends to)",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Matches every queue producer binding (`queues.producers`, a blueprint `role: producer` binding)
with the queue consumers (`queues.consumers`, `role: consumer`) of every worker and environment in
the run, by queue name, and flags a queue that is produced to but never consumed. The reverse — a
consumer of a queue nothing in the run produces to — is reported at **info** level: messages may
legitimately come from elsewhere (R2 event notifications, the Queues HTTP API, another
repository).

When it runs:
- **Blueprints**: always. A blueprint describes every worker of the project.
- **Wrangler configs**: only when the run checks more than one file (`doforge check .` in a
  monorepo). A single `wrangler.toml` is usually one worker of a larger system whose consumer lives
  in another config, so judging it alone would mostly produce noise. If the run holds configs of
  unrelated systems, suppress the finding where a consumer is deployed elsewhere.

## Why it matters
Nothing fails at deploy time: `send()` succeeds and the messages wait. Queues keep a message for
the retention period (4 days by default, configurable from 60 seconds to 14 days) and then
delete it, so a missing consumer — or a typo in one of the two queue names — loses every message
silently.

## Example
`api/wrangler.toml`:
```toml
name = "api"

[[queues.producers]]
binding = "EXPORTS"
queue = "exports-queue"
```
`jobs/wrangler.toml`:
```toml
name = "jobs"

[[queues.consumers]]
queue = "export-queue"
```

## Use instead
```toml
[[queues.consumers]]
queue = "exports-queue"
max_batch_size = 10
```

## References
- https://developers.cloudflare.com/queues/configuration/configure-queues/
- https://developers.cloudflare.com/queues/platform/limits/
- https://developers.cloudflare.com/changelog/2025-02-14-customize-queue-retention-period
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let ws = cx.workspace;
    if cx.project.kind == ProjectKind::Wrangler && ws.projects.len() < 2 {
        return Vec::new();
    }
    let g = ws.graph();
    let has = |queue: &str, dir: Direction, kind: GraphEdge| {
        g.node(&GraphNode::Queue(queue.to_owned()))
            .is_some_and(|n| g.graph.edges_directed(n, dir).any(|e| *e.weight() == kind))
    };
    let blueprint = cx.project.kind == ProjectKind::Blueprint;
    // Queue names for "did you mean", built on the first finding.
    let (mut consumed, mut produced): (Option<Vec<&str>>, Option<Vec<&str>>) = (None, None);
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            for b in &env.bindings {
                let BindingKind::QueueProducer { queue: Some(q) } = &b.kind else {
                    continue;
                };
                if has(&q.value, Direction::Outgoing, GraphEdge::ConsumedBy) {
                    continue;
                }
                let names = consumed.get_or_insert_with(|| queues_with(ws, GraphEdge::ConsumedBy));
                let fix = if blueprint {
                    "add a `{ worker: <id>, target: <queue id>, role: consumer }` binding to the worker that should process the messages, or remove the producer"
                } else {
                    "add a `[[queues.consumers]]` entry for this queue to the worker that should process the messages, or remove the producer"
                };
                let help = after(
                    suggest(&q.value, names.iter().copied()).map(|s| {
                        format!("did you mean `{s}`, which a worker of this run consumes?")
                    }),
                    &format!("{fix}; until then every message is deleted unread when the queue's retention period (4 days by default) ends"),
                );
                let message = format!(
                    "queue `{}` is sent to (binding `{}`), but no worker in this run consumes it",
                    q.value, b.name.value
                );
                out.push(
                    at(cx, q, b.span, b.name.span, message)
                        .with_help(help)
                        .with_env(env.name_str()),
                );
            }
            for c in &env.queue_consumers {
                let Some(q) = &c.queue else { continue };
                if has(&q.value, Direction::Incoming, GraphEdge::Produces) {
                    continue;
                }
                let names = produced.get_or_insert_with(|| queues_with(ws, GraphEdge::Produces));
                let help = after(
                    suggest(&q.value, names.iter().copied()).map(|s| {
                        format!("did you mean `{s}`, which a worker of this run sends to?")
                    }),
                    "this is fine when messages come from outside the run (R2 event notifications, the Queues HTTP API, another repository); otherwise check the queue name against the producer's",
                );
                let message = format!(
                    "queue `{}` is consumed here, but no worker in this run sends to it",
                    q.value
                );
                let mut d = at(cx, q, c.span, c.span, message)
                    .with_help(help)
                    .with_env(env.name_str());
                d.severity = Severity::Info;
                out.push(d);
            }
        }
    }
    out
}

/// A finding at the queue name when it is written in the entry (wrangler, raw blueprint config),
/// else at `fallback` with a label at the queue name (a blueprint queue resource).
fn at(cx: &Ctx, q: &Sp<String>, entry: Span, fallback: Span, message: String) -> Diagnostic {
    let written_in_entry = cx.project.kind == ProjectKind::Wrangler
        || (entry.start <= q.span.start && q.span.end <= entry.end);
    if written_in_entry {
        cx.diag(q.span, message)
    } else {
        cx.diag(fallback, message)
            .with_secondary(cx.label(q.span, format!("queue `{}` is declared here", q.value)))
    }
}

/// `rest`, after a question when there is one (then capitalized as a new sentence).
fn after(question: Option<String>, rest: &str) -> String {
    match question {
        Some(q) => {
            let mut c = rest.chars();
            let first = c.next().map(|f| f.to_uppercase().collect::<String>());
            format!("{q} {}{}", first.unwrap_or_default(), c.as_str())
        }
        None => rest.to_owned(),
    }
}

/// Names of the queues that have an edge of `kind` (produced to / consumed), for suggestions.
fn queues_with<'a>(ws: &'a Workspace<'a>, kind: GraphEdge) -> Vec<&'a str> {
    let g = ws.graph();
    let dir = match kind {
        GraphEdge::ConsumedBy => Direction::Outgoing,
        _ => Direction::Incoming,
    };
    g.graph
        .node_indices()
        .filter_map(|n| match &g.graph[n] {
            GraphNode::Queue(q) if g.graph.edges_directed(n, dir).any(|e| *e.weight() == kind) => {
                Some(q.as_str())
            }
            _ => None,
        })
        .collect()
}
