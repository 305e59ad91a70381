//! The blueprint's sections beyond the Workers' environments: its classes (with the seed-002
//! shorthand), the references env overrides and bindings make, and a Worker's `upstream:`.

use super::*;

impl Cx<'_> {
    /// Classes from `durable_objects:` plus those declared only by a worker's shorthand.
    pub(super) fn classes(&mut self, root: &Node, workers: &[WorkerDecl]) -> Vec<DoClass> {
        let only_worker = (workers.len() == 1).then(|| workers[0].id.clone());
        let mut out: Vec<DoClass> = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        for node in root
            .get("durable_objects")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(class_name) = self.r.string(node, "", "class_name") else {
                continue;
            };
            if let Some(first) = seen.get(&class_name.value) {
                let d = Diagnostic::error(
                    DUPLICATE,
                    format!(
                        "Durable Object class `{}` is declared twice",
                        class_name.value
                    ),
                    Label::new(self.file(), class_name.span),
                )
                .with_secondary(Label::new(self.file(), *first).with_message("first declared here"))
                .with_help("declare each class once; bind it to more workers with `bindings`");
                self.report(d);
                continue;
            }
            seen.insert(class_name.value.clone(), class_name.span);
            let worker = self.r.string(node, "", "worker");
            if let Some(w) = &worker {
                if !workers.iter().any(|d| d.id.value == w.value) {
                    let d = Diagnostic::error(
                        UNRESOLVED,
                        format!("class `{}` is hosted by `{}`, which is not a cloudflare_worker resource", class_name.value, w.value),
                        Label::new(self.file(), w.span),
                    )
                    .with_help(worker_ids_help(workers));
                    self.report(d);
                }
            } else if workers.len() > 1 {
                let d = Diagnostic::error(
                    UNRESOLVED,
                    format!("class `{}` does not say which worker hosts it, and the blueprint has {} workers", class_name.value, workers.len()),
                    Label::new(self.file(), class_name.span),
                )
                .with_help(format!("add `worker: <resource id>`; {}", worker_ids_help(workers)));
                self.report(d);
            }
            let instances = node
                .get("instances")
                .map(super::instances::parse)
                .unwrap_or_default();
            let transferred_from = node.get("transferred_from").and_then(|t| {
                Some((
                    self.r.string(t, "", "worker")?,
                    self.r.string(t, "", "class")?,
                ))
            });
            out.push(DoClass {
                worker: worker.or_else(|| only_worker.clone()),
                kind: node
                    .get("kind")
                    .and_then(Node::as_str)
                    .and_then(DoKind::parse)
                    .unwrap_or(DoKind::Custom),
                storage: match node.get("storage").and_then(Node::as_str) {
                    Some("kv") => Storage::Kv,
                    _ => Storage::Sqlite,
                },
                instances,
                options: node.get("options").cloned(),
                renamed_from: self.r.string(node, "", "renamed_from"),
                deleted: node.get("deleted").and_then(Node::as_bool).unwrap_or(false),
                transferred_from,
                eject: node.get("eject").and_then(Node::as_bool).unwrap_or(false),
                implicit: false,
                span: node.span,
                class_name,
            });
        }
        // The seed-002 shorthand: `config.durable_objects: [{name, class_name}]` declares the class
        // when `durable_objects:` does not.
        for w in workers {
            for b in shorthand(w) {
                let Some(class_name) = b.get("class_name").and_then(Node::as_str) else {
                    continue;
                };
                if b.get("script_name").is_some() || seen.contains_key(class_name) {
                    continue;
                }
                let span = b.get("class_name").map_or(b.span, |n| n.span);
                seen.insert(class_name.to_owned(), span);
                out.push(DoClass {
                    class_name: Sp::new(class_name.to_owned(), span),
                    worker: Some(w.id.clone()),
                    kind: DoKind::Custom,
                    storage: Storage::Sqlite,
                    instances: Instances::default(),
                    options: None,
                    renamed_from: None,
                    deleted: false,
                    transferred_from: None,
                    eject: false,
                    implicit: true,
                    span: b.span,
                });
            }
        }
        out
    }

    pub(super) fn check_env_overrides(&mut self, envs: &[&Entry], by_id: &HashMap<String, &Node>) {
        for env in envs {
            for o in env
                .value
                .get("resources")
                .and_then(Node::as_map)
                .unwrap_or_default()
            {
                if !by_id.contains_key(&o.key) {
                    let d = Diagnostic::error(
                        UNRESOLVED,
                        format!(
                            "environment `{}` overrides resource `{}`, which does not exist",
                            env.key, o.key
                        ),
                        Label::new(self.file(), o.key_span),
                    )
                    .with_help("env overrides are keyed by resource id; check the spelling")
                    .with_env(Some(&env.key));
                    self.report(d);
                }
            }
        }
    }

    /// Binding targets must name a class or a resource; consumers need a queue.
    pub(super) fn check_bindings(
        &mut self,
        root: &Node,
        workers: &[WorkerDecl],
        classes: &[DoClass],
        by_id: &HashMap<String, &Node>,
    ) {
        let worker_ids: HashSet<&str> = workers.iter().map(|d| d.id.value.as_str()).collect();
        let class_names: HashSet<&str> = classes.iter().map(|c| c.class_name.as_str()).collect();
        for b in root
            .get("bindings")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if let Some(w) = b.get("worker").and_then(|n| Some((n.as_str()?, n.span))) {
                if !worker_ids.contains(w.0) {
                    let d = Diagnostic::error(
                        UNRESOLVED,
                        format!(
                            "binding is for worker `{}`, which is not a cloudflare_worker resource",
                            w.0
                        ),
                        Label::new(self.file(), w.1),
                    )
                    .with_help(worker_ids_help(workers));
                    self.report(d);
                }
            } else if workers.len() > 1 && b.get("worker").is_none() {
                let d = Diagnostic::error(
                    UNRESOLVED,
                    "binding does not say which worker it is for, and the blueprint has several workers",
                    Label::new(self.file(), b.span),
                )
                .with_help(format!("add `worker: <resource id>`; {}", worker_ids_help(workers)));
                self.report(d);
            }
            let Some(target) = b.get("target").and_then(|n| Some((n.as_str()?, n.span))) else {
                continue;
            };
            let is_class = class_names.contains(target.0);
            if !is_class && !by_id.contains_key(target.0) {
                let d = Diagnostic::error(
                    UNRESOLVED,
                    format!("binding target `{}` is neither a resource id nor a Durable Object class", target.0),
                    Label::new(self.file(), target.1),
                )
                .with_help(match crate::schema::wrangler_keys::suggest(
                    target.0,
                    by_id.keys().map(String::as_str).chain(classes.iter().map(|c| c.class_name.as_str())),
                ) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "declare the resource under `resources:` or the class under `durable_objects:`".into(),
                });
                self.report(d);
            }
        }
    }

    /// A Worker's `upstream:`; its var and secret must be declared (top-level `vars` or the
    /// Worker's `config.vars`, and `secrets`), or every request would fail at run time.
    pub(super) fn upstream(&mut self, root: &Node, w: &WorkerDecl) -> Option<Upstream> {
        let node = w.node.get("upstream").filter(|n| n.as_map().is_some())?;
        let url_var = self.r.string(node, "upstream", "url")?;
        let bearer_secret = self.r.string(node, "upstream", "bearer");
        let declared_var = [root.get("vars"), w.config.and_then(|c| c.get("vars"))]
            .into_iter()
            .flatten()
            .any(|v| v.get(&url_var.value).is_some());
        if !declared_var {
            let d = Diagnostic::error(
                UNRESOLVED,
                format!("upstream url `{}` is not a declared var", url_var.value),
                Label::new(self.file(), url_var.span),
            )
            .with_help(format!(
                "declare it under `vars:` (e.g. `{}: https://api.example.com`); each environment can set its own value",
                url_var.value
            ));
            self.report(d);
        }
        if let Some(secret) = &bearer_secret {
            let declared = root
                .get("secrets")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .any(|n| n.as_str() == Some(secret.value.as_str()));
            if !declared {
                let d = Diagnostic::error(
                    UNRESOLVED,
                    format!(
                        "upstream bearer `{}` is not a declared secret",
                        secret.value
                    ),
                    Label::new(self.file(), secret.span),
                )
                .with_help(format!(
                    "add `{}` to the top-level `secrets:` and set it with `wrangler secret put {}`",
                    secret.value, secret.value
                ));
                self.report(d);
            }
        }
        Some(Upstream {
            url_var,
            bearer_secret,
            timeout: node.get("timeout").cloned(),
            span: node.span,
        })
    }
}
