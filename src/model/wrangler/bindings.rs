//! Binding keys of one env (`durable_objects`, `kv_namespaces`, `queues`, `services`, …),
//! `assets` and `containers`.

use super::*;

/// The binding name of an entry (`binding`, or `name` for DO and some others), or a diagnostic.
fn binding_name(r: &mut Reader, item: &Node, path: &str, field: &str) -> Option<Sp<String>> {
    let name = r.string(item, path, field);
    if name.is_none() && item.get(field).is_none() {
        r.missing(
            path,
            field,
            item,
            &format!(
                "add `{field} = \"NAME\"`: the name the worker reads this binding as (env.NAME)"
            ),
        );
    }
    name
}

pub(super) fn read_bindings(
    r: &mut Reader,
    src: &Source,
    bindings: &mut Vec<Binding>,
    consumers: &mut Vec<QueueConsumer>,
) {
    // Non-inheritable keys are only ever read from the env's own table.
    let own = src.own;
    r.quiet = false;
    let p = src.prefix.as_str();
    if let Some(dobj) = own.get("durable_objects") {
        let path = join(p, "durable_objects");
        if let Some(dobj) = r.map(dobj, &path) {
            if dobj.get("bindings").is_none() {
                r.missing(
                    &path,
                    "bindings",
                    dobj,
                    "Durable Object bindings go in `durable_objects.bindings`: a list of {name, class_name}",
                );
            }
            for (ip, item) in entries(r, dobj, &path, "bindings") {
                let name = binding_name(r, item, &ip, "name");
                let class_name = r.string(item, &ip, "class_name");
                if class_name.is_none() && item.get("class_name").is_none() {
                    r.missing(
                        &ip,
                        "class_name",
                        item,
                        "add `class_name`: the exported Durable Object class",
                    );
                }
                if let (Some(name), Some(class_name)) = (name, class_name) {
                    bindings.push(Binding {
                        name,
                        kind: BindingKind::DurableObject(DurableObjectBinding {
                            class_name,
                            script_name: r.string(item, &ip, "script_name"),
                            environment: r.string(item, &ip, "environment"),
                        }),
                        span: item.span,
                        extra: Vec::new(),
                    });
                }
            }
        }
    }
    for (ip, item) in entries(r, own, p, "kv_namespaces") {
        if let Some(name) = binding_name(r, item, &ip, "binding") {
            let kind = BindingKind::KvNamespace {
                id: r.string(item, &ip, "id"),
                preview_id: r.string(item, &ip, "preview_id"),
            };
            bindings.push(Binding {
                name,
                kind,
                span: item.span,
                extra: Vec::new(),
            });
        }
    }
    for (ip, item) in entries(r, own, p, "r2_buckets") {
        if let Some(name) = binding_name(r, item, &ip, "binding") {
            let kind = BindingKind::R2Bucket {
                bucket_name: r.string(item, &ip, "bucket_name"),
                preview_bucket_name: r.string(item, &ip, "preview_bucket_name"),
                jurisdiction: r.string(item, &ip, "jurisdiction"),
            };
            bindings.push(Binding {
                name,
                kind,
                span: item.span,
                extra: Vec::new(),
            });
        }
    }
    for (ip, item) in entries(r, own, p, "d1_databases") {
        if let Some(name) = binding_name(r, item, &ip, "binding") {
            let kind = BindingKind::D1Database {
                database_name: r.string(item, &ip, "database_name"),
                database_id: r.string(item, &ip, "database_id"),
                preview_database_id: r.string(item, &ip, "preview_database_id"),
                migrations_dir: r.string(item, &ip, "migrations_dir"),
            };
            bindings.push(Binding {
                name,
                kind,
                span: item.span,
                extra: Vec::new(),
            });
        }
    }
    if let Some(queues) = own.get("queues") {
        let path = join(p, "queues");
        if let Some(queues) = r.map(queues, &path) {
            for (ip, item) in entries(r, queues, &path, "producers") {
                if let Some(name) = binding_name(r, item, &ip, "binding") {
                    let kind = BindingKind::QueueProducer {
                        queue: r.string(item, &ip, "queue"),
                    };
                    bindings.push(Binding {
                        name,
                        kind,
                        span: item.span,
                        extra: Vec::new(),
                    });
                }
            }
            for (ip, item) in entries(r, queues, &path, "consumers") {
                consumers.push(QueueConsumer {
                    queue: r.string(item, &ip, "queue"),
                    span: item.span,
                    settings: Some(item.clone()),
                });
            }
        }
    }
    for (ip, item) in entries(r, own, p, "services") {
        if let Some(name) = binding_name(r, item, &ip, "binding") {
            let kind = BindingKind::Service {
                service: r.string(item, &ip, "service"),
                environment: r.string(item, &ip, "environment"),
                entrypoint: r.string(item, &ip, "entrypoint"),
            };
            bindings.push(Binding {
                name,
                kind,
                span: item.span,
                extra: Vec::new(),
            });
        }
    }
    for (ip, item) in entries(r, own, p, "analytics_engine_datasets") {
        if let Some(name) = binding_name(r, item, &ip, "binding") {
            let kind = BindingKind::AnalyticsEngine {
                dataset: r.string(item, &ip, "dataset"),
            };
            bindings.push(Binding {
                name,
                kind,
                span: item.span,
                extra: Vec::new(),
            });
        }
    }
    for key in OTHER_BINDING_LISTS {
        // Some of these kinds name the binding `name` rather than `binding`.
        let Some(list) = own.get(key).and_then(Node::as_seq) else {
            continue;
        };
        for item in list {
            let field = if item.get("binding").is_some() {
                "binding"
            } else {
                "name"
            };
            if let Some(name) = item.get(field).and_then(|n| n.as_str()) {
                let span = item.get(field).map_or(item.span, |n| n.span);
                bindings.push(Binding {
                    name: Sp::new(name.to_owned(), span),
                    kind: BindingKind::Other {
                        key: (*key).to_owned(),
                    },
                    span: item.span,
                    extra: Vec::new(),
                });
            }
        }
    }
    for key in OTHER_BINDING_TABLES {
        if let Some(n) = own.get(key).and_then(|t| t.get("binding")) {
            if let Some(name) = n.as_str() {
                bindings.push(Binding {
                    name: Sp::new(name.to_owned(), n.span),
                    kind: BindingKind::Other {
                        key: (*key).to_owned(),
                    },
                    span: own.get(key).map_or(n.span, |t| t.span),
                    extra: Vec::new(),
                });
            }
        }
    }
}

/// `assets` is inheritable (unlike most binding kinds); its `binding` is a binding name.
pub(super) fn read_assets(
    r: &mut Reader,
    src: &Source,
    bindings: &mut Vec<Binding>,
) -> Option<Assets> {
    let parent = src.parent(r, "assets")?;
    let path = src.path(r, "assets");
    let node = r.map(parent.get("assets")?, &path)?;
    let assets = Assets {
        binding: r.string(node, &path, "binding"),
        directory: r.string(node, &path, "directory"),
        span: node.span,
    };
    if let Some(b) = &assets.binding {
        bindings.push(Binding {
            name: b.clone(),
            kind: BindingKind::Assets,
            span: node.span,
            extra: Vec::new(),
        });
    }
    Some(assets)
}

/// `containers` is non-inheritable: only the env's own list counts.
pub(super) fn read_containers(r: &mut Reader, src: &Source) -> Vec<Container> {
    r.quiet = false;
    entries(r, src.own, &src.prefix, "containers")
        .into_iter()
        .map(|(ip, item)| Container {
            name: r.string(item, &ip, "name"),
            class_name: r.string(item, &ip, "class_name"),
            span: item.span,
        })
        .collect()
}
