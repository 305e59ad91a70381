//! `service-binding-cycle`: workers whose service bindings call each other in a loop
//! (`api → auth → api`); a worker bound to itself is not one.

use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeFiltered, EdgeRef};
use petgraph::Direction;

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::lint::workspace::{EdgeSource, Graph, GraphEdge, GraphNode, Workspace};
use crate::model::BindingKind;
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "service-binding-cycle",
    category: Category::Usage,
    default_severity: Severity::Warning,
    summary: "Service bindings between two or more workers form a cycle (`api → auth → api`)",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Builds the graph of service bindings (`services`, blueprint bindings whose `target` is a worker)
between every worker of the run, environment by environment — `api-staging` is another worker than
`api`, and a binding's `environment` field, where one is written, is followed to that
environment's worker (`api` + `staging` → `api-staging`) — and reports each cycle once:
`api → auth → api` and longer loops. The finding sits at the binding of the alphabetically first
worker in the cycle, with a label at every other binding of the loop (also in other files). A
group of workers that call each other in several loops is reported once, with one of its loops.

A worker's service binding to **itself** is not reported: it deploys on its own (wrangler
uploads the script with the binding in one step) and frameworks rely on it — OpenNext's
`WORKER_SELF_REFERENCE`, which every Next.js app on Workers declares, lets the Worker's Durable
Objects and queues call back into its own routes.

## Why it matters
- **Deploying.** Cloudflare resolves a service binding when the worker is uploaded; a binding to a
  worker that does not exist yet fails ("Could not resolve service binding 'AUTH'. Target script
  'auth' not found … [code: 10143]"). In a cycle every worker needs another one to exist first,
  so a fresh account, a new environment or a renamed worker cannot be deployed without first
  deploying a variant with the binding removed.
- **Running.** A request that follows the loop keeps invoking workers until Cloudflare's limit on
  Worker invocations per request (32) cuts it off; the shared CPU budget is spent on the way.
- **Design.** Two services that call each other are one service split in two; changes must be
  deployed to both in lockstep.

## Example
`api/wrangler.toml`:
```toml
name = "api"
services = [{ binding = "AUTH", service = "auth" }]
```
`auth/wrangler.toml`:
```toml
name = "auth"
services = [{ binding = "API", service = "api" }]
```

## Use instead
Let only one side call the other; move what both need into a third worker, or send the way back
through a queue:
```toml
name = "auth"
queues.producers = [{ binding = "EVENTS", queue = "auth-events" }]
```

## References
- https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/
- https://developers.cloudflare.com/workers/platform/limits/
- https://github.com/FxEmbed/FxEmbed/issues/1288 (code 10143: target script not found)
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let ws = cx.workspace;
    let Some(me) = ws.index_of(cx.project) else {
        return Vec::new();
    };
    let g = ws.graph();
    let services = EdgeFiltered::from_fn(&g.graph, |e| *e.weight() == GraphEdge::Service);
    let mut cycles: Vec<(Vec<EdgeIndex>, Vec<NodeIndex>)> = Vec::new();
    for scc in tarjan_scc(&services) {
        // A worker bound to itself (OpenNext's `WORKER_SELF_REFERENCE`) is no cycle: it deploys
        // on its own and its calls are its own business. Cycles take two workers or more.
        if scc.len() < 2 {
            continue;
        }
        let Some(&first) = scc.iter().min_by_key(|n| name(g, **n)) else {
            continue;
        };
        let members: HashSet<NodeIndex> = scc.iter().copied().collect();
        let Some(path) = shortest_cycle(g, first, &members) else {
            continue;
        };
        // Reported by the project that holds the first worker's binding, so once per run.
        if source(g, path[0]).is_some_and(|s| s.at.project == me) {
            cycles.push((path, scc));
        }
    }
    // A blueprint binding repeats in every environment: report its loop once (the top level's).
    cycles.sort_by_key(|(path, _)| {
        let env = source(g, path[0]).map_or(0, |s| s.at.env);
        (
            env,
            name(
                g,
                g.graph
                    .edge_endpoints(path[0])
                    .map_or(NodeIndex::end(), |e| e.0),
            ),
        )
    });
    let mut seen: HashSet<Vec<(usize, Span)>> = HashSet::new();
    let mut out = Vec::new();
    for (path, scc) in cycles {
        let hops: Vec<Hop> = path.iter().filter_map(|e| hop(ws, g, *e)).collect();
        if hops.len() != path.len() {
            continue;
        }
        if !seen.insert(hops.iter().map(|h| (h.source.at.project, h.span)).collect()) {
            continue;
        }
        out.push(diagnostic(cx, ws, g, &hops, &scc));
    }
    out
}

/// One binding of the cycle: `from` calls `to` through binding `binding`.
struct Hop {
    source: EdgeSource,
    from: String,
    to: String,
    binding: String,
    span: Span,
}

fn diagnostic(cx: &Ctx, ws: &Workspace, g: &Graph, hops: &[Hop], scc: &[NodeIndex]) -> Diagnostic {
    let first = &hops[0];
    let mut chain: Vec<&str> = hops.iter().map(|h| h.from.as_str()).collect();
    chain.push(first.from.as_str());
    let chain = chain.join(" → ");
    let message = format!("service bindings form a cycle: `{chain}`");
    let mut d = cx.diag(first.span, message);
    d.primary = d.primary.with_message(call(first));
    for h in &hops[1..] {
        let file = &ws.project(h.source.at).file;
        d = d.with_secondary(Label::new(file, h.span).with_message(call(h)));
    }
    let on_path: HashSet<&str> = hops.iter().map(|h| h.from.as_str()).collect();
    let mut others: Vec<&str> = scc
        .iter()
        .map(|n| name(g, *n))
        .filter(|n| !on_path.contains(n))
        .collect();
    others.sort_unstable();
    let mut help = "let only one side call the other: move what both need into a third worker, or send the way back through a queue. In a cycle no worker can be deployed first (the upload fails with \"Target script … not found\", code 10143, while the other is missing), and a request that follows the loop is cut off after 32 Worker invocations".to_owned();
    if !others.is_empty() {
        help.push_str(&format!(
            ". Also in this loop: {}",
            others
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    d.with_help(help)
        .with_env(ws.env(first.source.at).name_str())
}

fn call(h: &Hop) -> String {
    format!(
        "`{}` calls `{}` here (binding `{}`)",
        h.from, h.to, h.binding
    )
}

fn hop(ws: &Workspace, g: &Graph, e: EdgeIndex) -> Option<Hop> {
    let source = source(g, e)?;
    let (a, b) = g.graph.edge_endpoints(e)?;
    let binding = ws.env(source.at).bindings.get(source.index)?;
    let span = match &binding.kind {
        BindingKind::Service {
            service: Some(s), ..
        } => s.span,
        _ => binding.span,
    };
    Some(Hop {
        source,
        from: name(g, a).to_owned(),
        to: name(g, b).to_owned(),
        binding: binding.name.value.clone(),
        span,
    })
}

fn source(g: &Graph, e: EdgeIndex) -> Option<EdgeSource> {
    g.sources(e).first().copied()
}

fn name(g: &Graph, n: NodeIndex) -> &str {
    match g.graph.node_weight(n) {
        Some(GraphNode::Worker(s)) => s,
        Some(GraphNode::Queue(s)) => s,
        Some(GraphNode::Class { class, .. }) => class,
        None => "",
    }
}

fn service_edges(
    g: &Graph,
    n: NodeIndex,
) -> impl Iterator<Item = petgraph::graph::EdgeReference<'_, GraphEdge>> {
    g.graph
        .edges_directed(n, Direction::Outgoing)
        .filter(|e| *e.weight() == GraphEdge::Service)
}

/// The shortest cycle through `first` inside `members` (breadth-first; ties broken by worker
/// name, so the reported path is stable), as the edges taken.
fn shortest_cycle(
    g: &Graph,
    first: NodeIndex,
    members: &HashSet<NodeIndex>,
) -> Option<Vec<EdgeIndex>> {
    let mut pred: HashMap<NodeIndex, EdgeIndex> = HashMap::new();
    let mut queue = VecDeque::from([first]);
    while let Some(n) = queue.pop_front() {
        let mut next: Vec<_> = service_edges(g, n)
            .filter(|e| e.target() != n && members.contains(&e.target()))
            .collect();
        next.sort_by_key(|e| name(g, e.target()));
        for e in next {
            let t = e.target();
            if t == first {
                let mut path = vec![e.id()];
                let mut at = n;
                while at != first {
                    let p = pred[&at];
                    path.push(p);
                    at = g.graph.edge_endpoints(p)?.0;
                }
                path.reverse();
                return Some(path);
            }
            if let std::collections::hash_map::Entry::Vacant(v) = pred.entry(t) {
                v.insert(e.id());
                queue.push_back(t);
            }
        }
    }
    None
}
