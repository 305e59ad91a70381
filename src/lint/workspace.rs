//! Every project of one `doforge check` run, indexed for cross-file rules, and the graph of
//! workers, Durable Object classes and queues those rules walk (petgraph).
//!
//! Graph nodes are per environment: `api` and `api-staging` are different workers on Cloudflare
//! (each env deploys its own script), so a staging binding is resolved against staging scripts.
//! A binding's `environment` field (`service = "api", environment = "staging"`, or a Durable Object
//! binding's `script_name` + `environment`) names the target's environment: it resolves to that
//! env's script (`api-staging`), like `wrangler dev --service BINDING=api@staging` does.
//! Every edge remembers the bindings (or queue consumers) it came from, so findings can point at
//! each of them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};

use super::git_history::GitHistory;
use crate::model::{BindingKind, Env, Origin, Project, ProjectKind, Worker};
use crate::source::{SourceFile, Span};

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

/// Where an edge comes from: entry `index` of the worker env `at` — of `env.bindings` for
/// [`GraphEdge::DurableObject`], [`GraphEdge::Service`] and [`GraphEdge::Produces`], of
/// `env.queue_consumers` for [`GraphEdge::ConsumedBy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EdgeSource {
    pub at: WorkerRef,
    pub index: usize,
}

pub struct Graph {
    pub graph: DiGraph<GraphNode, GraphEdge>,
    pub index: HashMap<GraphNode, NodeIndex>,
    /// Per edge (by `EdgeIndex::index()`): every binding or consumer that makes it, in model order.
    sources: Vec<Vec<EdgeSource>>,
}

impl Graph {
    pub fn node(&self, n: &GraphNode) -> Option<NodeIndex> {
        self.index.get(n).copied()
    }
    /// The bindings (or queue consumers) an edge stands for; several when e.g. two bindings of one
    /// worker call the same service.
    pub fn sources(&self, e: EdgeIndex) -> &[EdgeSource] {
        self.sources.get(e.index()).map_or(&[], Vec::as_slice)
    }
}

pub struct Workspace<'a> {
    pub projects: Vec<&'a Project>,
    scripts: HashMap<String, Vec<WorkerRef>>,
    graph: OnceLock<Graph>,
    /// The run's git access (started early by `check`); None: one made on first use.
    git: Option<&'a GitHistory>,
    own_git: OnceLock<GitHistory>,
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
            git: None,
            own_git: OnceLock::new(),
        }
    }

    /// Use `git` (already started for the run's files) for committed versions of files.
    pub fn with_git(mut self, git: &'a GitHistory) -> Workspace<'a> {
        self.git = Some(git);
        self
    }

    /// The text of `path` as committed in git's `HEAD` (see [`GitHistory`]).
    pub fn committed_text(&self, path: &std::path::Path) -> Option<String> {
        self.git
            .unwrap_or_else(|| self.own_git.get_or_init(GitHistory::new))
            .committed_text(path)
    }

    /// The text of `path` in the base commit (`--base`, see [`GitHistory`]).
    pub fn base_text(&self, path: &std::path::Path) -> super::git_history::BaseText {
        self.git
            .unwrap_or_else(|| self.own_git.get_or_init(GitHistory::new))
            .base_text(path)
    }

    /// The index of `project` in [`Workspace::projects`] (the `project` of its [`WorkerRef`]s).
    pub fn index_of(&self, project: &Project) -> Option<usize> {
        self.projects.iter().position(|p| std::ptr::eq(*p, project))
    }

    /// Workers (in some env) deployed under `script` anywhere in the run.
    pub fn scripts_named(&self, script: &str) -> &[WorkerRef] {
        self.scripts.get(script).map_or(&[], Vec::as_slice)
    }

    /// Where a binding to `script` with an optional `environment` field lands: without
    /// `environment`, the workers deployed as `script`; with it, environment `environment` of every
    /// worker whose top-level name is `script`. Empty when the run does not know the target (for an
    /// `environment` the target does not define, too: see [`Workspace::top_level_named`]).
    pub fn resolve(&self, script: &str, environment: Option<&str>) -> Vec<WorkerRef> {
        let Some(env) = environment else {
            return self.scripts_named(script).to_vec();
        };
        self.top_level_named(script)
            .into_iter()
            .filter_map(|r| {
                let e = self
                    .worker(r)
                    .envs
                    .iter()
                    .position(|e| e.name_str() == Some(env))?;
                Some(WorkerRef { env: e, ..r })
            })
            .collect()
    }

    /// The top-level envs of the workers whose top-level script name is `script`.
    pub fn top_level_named(&self, script: &str) -> Vec<WorkerRef> {
        self.scripts_named(script)
            .iter()
            .copied()
            .filter(|r| r.env == 0)
            .collect()
    }

    /// The script a binding to `script` (+ `environment`) calls: the resolved env's effective name,
    /// or wrangler's `<script>-<environment>` when the run does not know the target.
    pub fn target_script(&self, script: &str, environment: Option<&str>) -> String {
        let Some(env) = environment else {
            return script.to_owned();
        };
        self.resolve(script, Some(env))
            .first()
            .and_then(|r| self.env(*r).script_name.as_ref())
            .map_or_else(|| format!("{script}-{env}"), |s| s.value.clone())
    }

    /// Where the worker `r` gets its script name: the env's own `name`, else (an env deployed as
    /// `<name>-<env>`) the env's key, else the top-level `name` (blueprints: the worker's `name`).
    pub fn defined_at(&self, r: WorkerRef) -> (&'a Arc<SourceFile>, Span) {
        let project = self.project(r);
        let env = self.env(r);
        let own_name = env
            .origins
            .get("name")
            .is_some_and(|o| o.origin == Origin::Own);
        let span = match (&env.script_name, &env.name) {
            (Some(s), _) if own_name || env.is_top() => s.span,
            (_, Some(n)) if project.kind == ProjectKind::Wrangler => n.span,
            (Some(s), _) => s.span,
            (None, Some(n)) => n.span,
            (None, None) => self.worker(r).span,
        };
        (&project.file, span)
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

    /// Every Durable Object class the worker `r` hosts (the classes [`Workspace::hosts_class`] is
    /// true for), sorted. Build it once per target when checking many bindings.
    pub fn hosted_classes_of(&self, r: WorkerRef) -> Vec<String> {
        let env = self.env(r);
        let project = self.project(r);
        let worker = self.worker(r);
        let mut set: HashSet<String> = hosted_classes(env).into_iter().collect();
        for (_, d) in env.durable_objects() {
            if d.script_name.is_none() {
                set.insert(d.class_name.value.clone());
            }
        }
        if let Some(id) = &worker.id {
            for c in &project.classes {
                if !c.deleted && c.worker.as_ref().is_some_and(|w| w.value == id.value) {
                    set.insert(c.class_name.value.clone());
                }
            }
        }
        let mut out: Vec<String> = set.into_iter().collect();
        out.sort();
        out
    }

    /// The worker/class/queue graph of every project in the run, built on first use.
    pub fn graph(&self) -> &Graph {
        self.graph.get_or_init(|| build_graph(self))
    }
}

/// Classes a lifecycle declares as existing after all its steps (created, renamed to, transferred
/// in; minus deleted and renamed away — replayed the way wrangler replays them) plus live
/// `durable-object` exports, sorted.
pub fn hosted_classes(env: &Env) -> Vec<String> {
    let history = env.lifecycle.history();
    let mut out: Vec<String> = history
        .classes
        .iter()
        .filter(|(_, rec)| rec.live)
        .map(|(name, _)| name.clone())
        .collect();
    for e in &env.lifecycle.exports {
        if e.is_durable_object() && e.is_live() {
            out.push(e.name.value.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

fn build_graph(ws: &Workspace) -> Graph {
    let mut g = Graph {
        graph: DiGraph::new(),
        index: HashMap::new(),
        sources: Vec::new(),
    };
    fn node(g: &mut Graph, n: GraphNode) -> NodeIndex {
        if let Some(i) = g.index.get(&n) {
            return *i;
        }
        let i = g.graph.add_node(n.clone());
        g.index.insert(n, i);
        i
    }
    // petgraph's `update_edge` scans the source's edges: a worker with thousands of bindings
    // made that quadratic. Edges are indexed by their ends instead.
    let mut edges: HashMap<(NodeIndex, NodeIndex), EdgeIndex> = HashMap::new();
    let mut edge =
        |g: &mut Graph, a: NodeIndex, b: NodeIndex, kind: GraphEdge, source: EdgeSource| {
            let e = *edges
                .entry((a, b))
                .and_modify(|&mut e| g.graph[e] = kind)
                .or_insert_with(|| g.graph.add_edge(a, b, kind));
            if g.sources.len() <= e.index() {
                g.sources.resize_with(e.index() + 1, Vec::new);
            }
            g.sources[e.index()].push(source);
        };
    for (p, project) in ws.projects.iter().enumerate() {
        for (w, worker) in project.workers.iter().enumerate() {
            for (e, env) in worker.envs.iter().enumerate() {
                let Some(script) = env.script_name.as_ref().map(|s| s.value.clone()) else {
                    continue;
                };
                let at = WorkerRef {
                    project: p,
                    worker: w,
                    env: e,
                };
                let me = node(&mut g, GraphNode::Worker(script.clone()));
                for (index, b) in env.bindings.iter().enumerate() {
                    let source = EdgeSource { at, index };
                    match &b.kind {
                        BindingKind::DurableObject(d) => {
                            let host = match &d.script_name {
                                Some(s) => ws.target_script(
                                    &s.value,
                                    d.environment.as_ref().map(|e| e.value.as_str()),
                                ),
                                None => script.clone(),
                            };
                            let class = node(
                                &mut g,
                                GraphNode::Class {
                                    script: host,
                                    class: d.class_name.value.clone(),
                                },
                            );
                            edge(&mut g, me, class, GraphEdge::DurableObject, source);
                        }
                        BindingKind::Service {
                            service: Some(service),
                            environment,
                            ..
                        } => {
                            let target = ws.target_script(
                                &service.value,
                                environment.as_ref().map(|e| e.value.as_str()),
                            );
                            let other = node(&mut g, GraphNode::Worker(target));
                            edge(&mut g, me, other, GraphEdge::Service, source);
                        }
                        BindingKind::QueueProducer { queue: Some(q) } => {
                            let queue = node(&mut g, GraphNode::Queue(q.value.clone()));
                            edge(&mut g, me, queue, GraphEdge::Produces, source);
                        }
                        _ => {}
                    }
                }
                for (index, c) in env.queue_consumers.iter().enumerate() {
                    if let Some(q) = &c.queue {
                        let queue = node(&mut g, GraphNode::Queue(q.value.clone()));
                        edge(
                            &mut g,
                            queue,
                            me,
                            GraphEdge::ConsumedBy,
                            EdgeSource { at, index },
                        );
                    }
                }
            }
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::wrangler;
    use crate::source::{self, Format, Limits};

    fn project(path: &str, text: &str) -> Project {
        let file = SourceFile::new(path, Format::WranglerToml, text.to_owned());
        let root = source::parse(&file, &Limits::default()).unwrap();
        wrangler::resolve(&file, &root).0.unwrap()
    }

    const API: &str = r#"
name = "api"
[[services]]
binding = "AUTH"
service = "auth"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Cart", "Old"]
[[migrations]]
tag = "v2"
deleted_classes = ["Old"]
renamed_classes = [{ from = "Cart", to = "Basket" }]
[env.staging]
services = [{ binding = "AUTH", service = "auth", environment = "staging" }]
"#;
    const AUTH: &str = r#"
name = "auth"
services = [{ binding = "API", service = "api" }, { binding = "API2", service = "api" }]
[env.staging]
"#;

    #[test]
    fn environment_fields_resolve_to_the_env_script_and_edges_keep_their_bindings() {
        let (api, auth) = (project("api.toml", API), project("auth.toml", AUTH));
        let ws = Workspace::new(vec![&api, &auth]);
        assert_eq!(ws.target_script("auth", Some("staging")), "auth-staging");
        assert_eq!(ws.target_script("auth", Some("dev")), "auth-dev");
        assert_eq!(ws.resolve("auth", Some("dev")), vec![]);
        let staging = ws.resolve("auth", Some("staging"));
        assert_eq!(
            ws.env(staging[0]).script_name.as_ref().unwrap().value,
            "auth-staging"
        );
        let g = ws.graph();
        let a = g.node(&GraphNode::Worker("api-staging".into())).unwrap();
        let b = g.node(&GraphNode::Worker("auth-staging".into())).unwrap();
        assert!(g.graph.find_edge(a, b).is_some());
        // Two bindings of `auth` call `api`: one edge, two sources.
        let (x, y) = (
            g.node(&GraphNode::Worker("auth".into())).unwrap(),
            g.node(&GraphNode::Worker("api".into())).unwrap(),
        );
        let e = g.graph.find_edge(x, y).unwrap();
        let idx: Vec<usize> = g.sources(e).iter().map(|s| s.index).collect();
        assert_eq!(idx, [0, 1]);
        // An env deployed as `<name>-<env>` is defined at its key.
        let (file, span) = ws.defined_at(staging[0]);
        assert_eq!(&file.text[span.start..span.end], "staging");
    }

    #[test]
    fn hosted_classes_follow_renames_and_deletions() {
        let api = project("api.toml", API);
        let ws = Workspace::new(vec![&api]);
        assert_eq!(hosted_classes(api.workers[0].top()), ["Basket"]);
        let top = ws.top_level_named("api")[0];
        assert!(ws.hosts_class(top, "Basket"));
        assert!(!ws.hosts_class(top, "Cart"));
        assert_eq!(ws.hosted_classes_of(top), ["Basket"]);
    }
}
