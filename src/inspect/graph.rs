//! `doforge graph`: workers, Durable Object classes, resources and the bindings between them, as
//! Graphviz DOT or Mermaid — cross-worker `script_name` edges and service bindings included.

use std::collections::HashMap;
use std::fmt::Write as _;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{BindingKind, Project};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Worker(String),
    Class {
        script: String,
        class: String,
    },
    Queue(String),
    /// A KV namespace, R2 bucket, D1 database, dataset, … by kind and name (its id or name as
    /// written; for one the config does not name — an id left to provisioning, a Hyperdrive or
    /// AI binding the model does not type — the binding, scoped to its worker, so two such
    /// resources never merge into one node).
    Resource {
        kind: String,
        name: String,
    },
}

impl Node {
    fn label(&self) -> String {
        match self {
            Node::Worker(s) => format!("worker {s}"),
            Node::Class { class, .. } => format!("DO {class}"),
            Node::Queue(q) => format!("queue {q}"),
            Node::Resource { kind, name } => format!("{kind} {name}"),
        }
    }
    fn shape(&self) -> (&'static str, &'static str) {
        // (dot shape, mermaid brackets)
        match self {
            Node::Worker(_) => ("box", "[]"),
            Node::Class { .. } => ("component", "[[]]"),
            Node::Queue(_) => ("cds", "[//]"),
            Node::Resource { .. } => ("cylinder", "[()]"),
        }
    }
}

/// The binding graph of one environment (None = top level) over the given projects.
pub fn build(projects: &[&Project], env: Option<&str>) -> DiGraph<Node, String> {
    let mut g: DiGraph<Node, String> = DiGraph::new();
    let mut index: HashMap<Node, NodeIndex> = HashMap::new();
    let mut node = |g: &mut DiGraph<Node, String>, n: Node| -> NodeIndex {
        *index.entry(n.clone()).or_insert_with(|| g.add_node(n))
    };
    for project in projects {
        for worker in &project.workers {
            let Some(e) = worker.env(env) else { continue };
            let Some(script) = e.script_name.as_ref().map(|s| s.value.clone()) else {
                continue;
            };
            let me = node(&mut g, Node::Worker(script.clone()));
            for b in &e.bindings {
                let name = |v: &Option<crate::model::Sp<String>>| {
                    v.as_ref().map_or("?".to_owned(), |s| s.value.clone())
                };
                // A resource named by `v`, else by this binding of this worker.
                let resource = |kind: &str, v: &Option<crate::model::Sp<String>>| Node::Resource {
                    kind: kind.to_owned(),
                    name: match v {
                        Some(s) if !s.value.trim().is_empty() => s.value.clone(),
                        _ => format!("{} of {script}", b.name.value),
                    },
                };
                let (target, label) = match &b.kind {
                    BindingKind::DurableObject(d) => {
                        let host = d
                            .script_name
                            .as_ref()
                            .map_or(script.clone(), |s| s.value.clone());
                        if host != script {
                            let h = node(&mut g, Node::Worker(host.clone()));
                            let c = node(
                                &mut g,
                                Node::Class {
                                    script: host.clone(),
                                    class: d.class_name.value.clone(),
                                },
                            );
                            g.update_edge(h, c, "hosts".to_owned());
                        }
                        (
                            Node::Class {
                                script: host,
                                class: d.class_name.value.clone(),
                            },
                            b.name.value.clone(),
                        )
                    }
                    BindingKind::Service { service, .. } => {
                        (Node::Worker(name(service)), b.name.value.clone())
                    }
                    BindingKind::QueueProducer { queue } => {
                        (Node::Queue(name(queue)), format!("{} (send)", b.name.value))
                    }
                    BindingKind::KvNamespace { id, .. } => {
                        (resource("KV", id), b.name.value.clone())
                    }
                    BindingKind::R2Bucket { bucket_name, .. } => {
                        (resource("R2", bucket_name), b.name.value.clone())
                    }
                    BindingKind::D1Database {
                        database_name,
                        database_id,
                        ..
                    } => {
                        let named = database_name.as_ref().or(database_id.as_ref()).cloned();
                        (resource("D1", &named), b.name.value.clone())
                    }
                    BindingKind::AnalyticsEngine { dataset } => {
                        (resource("dataset", dataset), b.name.value.clone())
                    }
                    BindingKind::Assets => continue,
                    BindingKind::Other { key } => (resource(key, &None), b.name.value.clone()),
                };
                let t = node(&mut g, target);
                // One edge per binding: two bindings to one resource are two edges.
                g.add_edge(me, t, label);
            }
            for c in &e.queue_consumers {
                let q = node(
                    &mut g,
                    Node::Queue(c.queue.as_ref().map_or("?".to_owned(), |q| q.value.clone())),
                );
                g.update_edge(q, me, "consumed by".to_owned());
            }
        }
    }
    g
}

/// Nodes in a stable order (by kind and name) with their output ids.
fn ordered(g: &DiGraph<Node, String>) -> Vec<(NodeIndex, String)> {
    let mut nodes: Vec<NodeIndex> = g.node_indices().collect();
    nodes.sort_by(|a, b| g[*a].cmp(&g[*b]));
    nodes
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, format!("n{i}")))
        .collect()
}

fn sorted_edges(
    g: &DiGraph<Node, String>,
    ids: &HashMap<NodeIndex, String>,
) -> Vec<(String, String, String)> {
    let mut edges: Vec<(String, String, String)> = g
        .edge_references()
        .map(|e| {
            (
                ids[&e.source()].clone(),
                ids[&e.target()].clone(),
                e.weight().clone(),
            )
        })
        .collect();
    edges.sort_by(|a, b| {
        let key = |s: &str| s.trim_start_matches('n').parse::<usize>().unwrap_or(0);
        (key(&a.0), key(&a.1), &a.2).cmp(&(key(&b.0), key(&b.1), &b.2))
    });
    edges
}

/// Graphviz DOT (labels escaped as DOT strings).
pub fn to_dot(g: &DiGraph<Node, String>) -> String {
    let order = ordered(g);
    let ids: HashMap<NodeIndex, String> = order.iter().cloned().collect();
    let mut s =
        String::from("digraph doforge {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (n, id) in &order {
        let _ = writeln!(
            s,
            "  {id} [label={}, shape={}];",
            dot_string(&g[*n].label()),
            g[*n].shape().0
        );
    }
    for (a, b, label) in sorted_edges(g, &ids) {
        let _ = writeln!(s, "  {a} -> {b} [label={}];", dot_string(&label));
    }
    s.push_str("}\n");
    s
}

/// Mermaid flowchart (labels quoted, quotes and brackets entity-escaped).
pub fn to_mermaid(g: &DiGraph<Node, String>) -> String {
    let order = ordered(g);
    let ids: HashMap<NodeIndex, String> = order.iter().cloned().collect();
    let mut s = String::from("flowchart LR\n");
    for (n, id) in &order {
        let brackets = g[*n].shape().1;
        let (open, close) = brackets.split_at(brackets.len() / 2);
        let _ = writeln!(s, "  {id}{open}\"{}\"{close}", mermaid_text(&g[*n].label()));
    }
    for (a, b, label) in sorted_edges(g, &ids) {
        let _ = writeln!(s, "  {a} -->|\"{}\"| {b}", mermaid_text(&label));
    }
    s
}

fn dot_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn mermaid_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '|' => out.push_str("#124;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_keep_their_identity_and_every_binding_its_edge() {
        use crate::source::{self, Format, Limits, SourceFile};
        let text = r#"
name = "api"
hyperdrive = [{ binding = "PG", id = "5bbc3c9c39ec4641b7f94344675acd2d" }, { binding = "PG_RO", id = "0f2ac7d1e3b94c55a1b2c3d4e5f60718" }]
kv_namespaces = [{ binding = "CACHE" }, { binding = "SESSIONS" }, { binding = "A", id = "x1" }, { binding = "B", id = "x1" }]
"#;
        let file = SourceFile::new("wrangler.toml", Format::WranglerToml, text.to_owned());
        let root = source::parse(&file, &Limits::default()).unwrap();
        let project = crate::model::wrangler::resolve(&file, &root).0.unwrap();
        let g = build(&[&project], None);
        let labels: Vec<String> = g.node_weights().map(Node::label).collect();
        for l in [
            "hyperdrive PG of api",
            "hyperdrive PG_RO of api",
            "KV CACHE of api",
            "KV SESSIONS of api",
            "KV x1",
        ] {
            assert!(labels.contains(&l.to_owned()), "{l} in {labels:?}");
        }
        // api → KV x1 twice (bindings A and B), and one edge per other binding.
        assert_eq!(g.edge_count(), 6);
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(dot_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(mermaid_text("x\"|<y>"), "x#quot;#124;#lt;y#gt;");
    }
}
