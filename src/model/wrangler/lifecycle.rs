//! The Durable Object lifecycle keys: `migrations` (a history of steps) and `exports`.

use super::*;

pub(super) fn read_lifecycle(r: &mut Reader, src: &Source) -> Lifecycle {
    let mut lc = Lifecycle::default();
    if let Some((node, origin)) = src.pick("migrations") {
        r.quiet = origin.origin == Origin::Inherited;
        let path = src.path(r, "migrations");
        lc.migrations_origin = Some(origin);
        if let Some(items) = r.list(node, &path) {
            for (i, item) in items.iter().enumerate() {
                let ip = format!("{path}[{i}]");
                if r.map(item, &ip).is_some() {
                    lc.migrations.push(read_migration_node(r, &ip, item));
                }
            }
        }
    }
    if let Some((node, origin)) = src.pick("exports") {
        r.quiet = origin.origin == Origin::Inherited;
        let path = src.path(r, "exports");
        lc.exports_origin = Some(origin);
        if let Some(map) = r.map(node, &path) {
            for e in map.as_map().unwrap_or_default() {
                let ip = format!("{path}.{}", e.key);
                if r.map(&e.value, &ip).is_none() {
                    continue;
                }
                lc.exports.push(Export {
                    name: Sp::new(e.key.clone(), e.key_span),
                    kind: r.string(&e.value, &ip, "type"),
                    storage: r.string(&e.value, &ip, "storage"),
                    state: r.string(&e.value, &ip, "state"),
                    container: r.string(&e.value, &ip, "container"),
                    span: e.value.span,
                });
            }
        }
    }
    r.quiet = false;
    lc
}

pub(in crate::model) fn read_migration_node(r: &mut Reader, path: &str, item: &Node) -> Migration {
    let tag = r.string(item, path, "tag");
    if tag.is_none() && item.get("tag").is_none() {
        r.missing(
            path,
            "tag",
            item,
            "every migration needs a unique `tag` such as \"v1\"",
        );
    }
    let mut renamed = Vec::new();
    for (ip, e) in entries(r, item, path, "renamed_classes") {
        renamed.push(RenamedClass {
            from: r.string(e, &ip, "from"),
            to: r.string(e, &ip, "to"),
            span: e.span,
        });
    }
    let mut transferred = Vec::new();
    for (ip, e) in entries(r, item, path, "transferred_classes") {
        transferred.push(TransferredClass {
            from: r.string(e, &ip, "from"),
            from_script: r.string(e, &ip, "from_script"),
            to: r.string(e, &ip, "to"),
            span: e.span,
        });
    }
    Migration {
        tag,
        new_classes: r.strings(item, path, "new_classes"),
        new_sqlite_classes: r.strings(item, path, "new_sqlite_classes"),
        renamed_classes: renamed,
        deleted_classes: r.strings(item, path, "deleted_classes"),
        transferred_classes: transferred,
        span: item.span,
    }
}
