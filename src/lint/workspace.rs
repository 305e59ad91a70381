//! Every project of one `doforge check` run, indexed for cross-file rules, and the graph of
//! workers, Durable Object classes and queues those rules walk (petgraph).
//!
//! Graph nodes are per environment: `api` and `api-staging` are different workers on Cloudflare
//! (each env deploys its own script), so a staging binding is resolved against staging scripts.

use std::collections::HashMap;
use std::sync::OnceLock;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{BindingKind, Env, Project, Worker};

/// One worker in one environment of one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkerRef {
    pub project: usize,
    pub worker: usize,
    pub env: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GraphNode {
    /// A deployed script (a worker in one env), by effective script name.
    Worker(String),
    /// A Durable Object class hosted by a script.
    Class { script: String, class: String },
    /// A queue, by name.
    Queue(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphEdge {
    /// Worker → class it binds.
    DurableObject,
    /// Worker → worker it calls.
    Service,
    /// Worker → queue it sends to.
    Produces,
    /// Queue → worker that consumes it.
    ConsumedBy,
}

pub struct Graph {
    pub graph: DiGraph<GraphNode, GraphEdge>,
    pub index: HashMap<GraphNode, NodeIndex>,
}

impl Graph {
    pub fn node(&self, n: &GraphNode) -> Option<NodeIndex> {
        self.index.get(n).copied()
    }
}

pub struct Workspace<'a> {
    pub projects: Vec<&'a Project>,
    scripts: HashMap<String, Vec<WorkerRef>>,
    graph: OnceLock<Graph>,
}

impl<'a> Workspace<'a> {
    pub fn new(projects: Vec<&'a Project>) -> Workspace<'a> {
        let mut scripts: HashMap<String, Vec<WorkerRef>> = HashMap::new();
        for (p, project) in projects.iter().enumerate() {
            for (w, worker) in project.workers.iter().enumerate() {
                for (e, env) in worker.envs.iter().enumerate() {
                    if let Some(name) = &env.script_name {
                        scripts
                            .entry(name.value.clone())
                            .or_default()
                            .push(WorkerRef {
                                project: p,
                                worker: w,
                                env: e,
                            });
                    }
                }
            }
        }
        Workspace {
            projects,
            scripts,
            graph: OnceLock::new(),
        }
    }

    /// Workers (in some env) deployed under `script` anywhere in the run.
    pub fn scripts_named(&self, script: &str) -> &[WorkerRef] {
        self.scripts.get(script).map_or(&[], Vec::as_slice)
    }

    pub fn project(&self, r: WorkerRef) -> &'a Project {
        self.projects[r.project]
    }
    pub fn worker(&self, r: WorkerRef) -> &'a Worker {
        &self.projects[r.project].workers[r.worker]
    }
    pub fn env(&self, r: WorkerRef) -> &'a Env {
        &self.worker(r).envs[r.env]
    }

    /// Does the worker `r` host (export) Durable Object class `class`? True when it binds the class
    /// without `script_name`, declares it in a migration or a live `exports` entry, or (blueprint)
    /// the class is declared for that worker.
    pub fn hosts_class(&self, r: WorkerRef, class: &str) -> bool {
        let env = self.env(r);
        let project = self.project(r);
        let worker = self.worker(r);
        env.durable_objects()
            .any(|(_, d)| d.class_name.value == class && d.script_name.is_none())
            || hosted_classes(env).iter().any(|c| c == class)
            || project.classes.iter().any(|c| {
                c.class_name.value == class
                    && !c.deleted
                    && c.worker.as_ref().map(|w| &w.value) == worker.id.as_ref().map(|i| &i.value)
            })
    }

    /// The worker/class/queue graph of every project in the run, built on first use.
    pub fn graph(&self) -> &Graph {
        self.graph.get_or_init(|| build_graph(&self.projects))
    }
}

/// Classes a lifecycle declares as existing after all its steps (created, renamed to, transferred
/// in; minus deleted and renamed away), in declaration order.
pub fn hosted_classes(env: &Env) -> Vec<String> {
    let mut live: Vec<String> = Vec::new();
    for m in &env.lifecycle.migrations {
        for c in m.new_classes.iter().chain(&m.new_sqlite_classes) {
            if !live.contains(&c.value) {
                live.push(c.value.clone());
            }
        }
        for r in &m.renamed_classes {
            if let Some(from) = &r.from {
                live.retain(|c| c != &from.value);
            }
            if let Some(to) = &r.to {
                live.push(to.value.clone());
            }
        }
        for t in &m.transferred_classes {
            if let Some(to) = &t.to {
                live.push(to.value.clone());
            }
        }
        for d in &m.deleted_classes {
            live.retain(|c| c != &d.value);
        }
    }
    for e in &env.lifecycle.exports {
        if e.is_durable_object() && e.is_live() && !live.contains(&e.name.value) {
            live.push(e.name.value.clone());
        }
    }
    live
}

fn build_graph(projects: &[&Project]) -> Graph {
    let mut g = Graph {
        graph: DiGraph::new(),
        index: HashMap::new(),
    };
    let node = |g: &mut Graph, n: GraphNode| -> NodeIndex {
        if let Some(i) = g.index.get(&n) {
            return *i;
        }
        let i = g.graph.add_node(n.clone());
        g.index.insert(n, i);
        i
    };
    for project in projects {
        for worker in &project.workers {
            for env in &worker.envs {
                let Some(script) = env.script_name.as_ref().map(|s| s.value.clone()) else {
                    continue;
                };
                let me = node(&mut g, GraphNode::Worker(script.clone()));
                for b in &env.bindings {
                    match &b.kind {
                        BindingKind::DurableObject(d) => {
                            let host = d
                                .script_name
                                .as_ref()
                                .map_or(script.clone(), |s| s.value.clone());
                            let class = node(
                                &mut g,
                                GraphNode::Class {
                                    script: host,
                                    class: d.class_name.value.clone(),
                                },
                            );
                            g.graph.update_edge(me, class, GraphEdge::DurableObject);
                        }
                        BindingKind::Service {
                            service: Some(service),
                            ..
                        } => {
                            let other = node(&mut g, GraphNode::Worker(service.value.clone()));
                            g.graph.update_edge(me, other, GraphEdge::Service);
                        }
                        BindingKind::QueueProducer { queue: Some(q) } => {
                            let queue = node(&mut g, GraphNode::Queue(q.value.clone()));
                            g.graph.update_edge(me, queue, GraphEdge::Produces);
                        }
                        _ => {}
                    }
                }
                for c in &env.queue_consumers {
                    if let Some(q) = &c.queue {
                        let queue = node(&mut g, GraphNode::Queue(q.value.clone()));
                        g.graph.update_edge(queue, me, GraphEdge::ConsumedBy);
                    }
                }
            }
        }
    }
    g
}
