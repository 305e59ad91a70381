//! Helpers over migration histories and class states: the shape of a step, where a class was
//! made, and the `exports` map.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use super::{CREATED, DELETED, EXPECTING_TRANSFER, RENAMED, TRANSFERRED};
use crate::generate::lock::{LockClass, LockMigration, LockRename, LockTransfer};
use crate::model::{Migration, Sp};

pub(super) fn step_is_empty(m: &LockMigration) -> bool {
    m.new_classes.is_empty()
        && m.new_sqlite_classes.is_empty()
        && m.renamed_classes.is_empty()
        && m.deleted_classes.is_empty()
        && m.transferred_classes.is_empty()
}

/// Whether the last step that made `class` live was a transfer into it.
pub(super) fn made_live_by_transfer(migrations: &[LockMigration], class: &str) -> bool {
    migrations
        .iter()
        .rev()
        .find_map(|m| {
            if m.transferred_classes.iter().any(|t| t.to == class) {
                Some(true)
            } else if m.new_classes.iter().any(|c| c == class)
                || m.new_sqlite_classes.iter().any(|c| c == class)
                || m.renamed_classes.iter().any(|r| r.to == class)
            {
                Some(false)
            } else {
                None
            }
        })
        .unwrap_or(false)
}

/// The tag of the last step that made `class` live.
pub(super) fn created_in<'m>(migrations: &'m [LockMigration], class: &str) -> Option<&'m str> {
    migrations
        .iter()
        .rev()
        .find(|m| {
            m.new_classes.iter().any(|c| c == class)
                || m.new_sqlite_classes.iter().any(|c| c == class)
                || m.renamed_classes.iter().any(|r| r.to == class)
                || m.transferred_classes.iter().any(|t| t.to == class)
        })
        .map(|m| m.tag.as_str())
}

/// A model migration step (explicit `migrations:`) in the lock's shape.
pub(super) fn lock_migration(m: &Migration) -> LockMigration {
    fn names(v: &[Sp<String>]) -> Vec<String> {
        v.iter().map(|s| s.value.clone()).collect()
    }
    fn opt(o: &Option<Sp<String>>) -> String {
        o.as_ref().map_or_else(String::new, |s| s.value.clone())
    }
    LockMigration {
        tag: opt(&m.tag),
        new_classes: names(&m.new_classes),
        new_sqlite_classes: names(&m.new_sqlite_classes),
        renamed_classes: m
            .renamed_classes
            .iter()
            .map(|r| LockRename {
                from: opt(&r.from),
                to: opt(&r.to),
            })
            .collect(),
        deleted_classes: names(&m.deleted_classes),
        transferred_classes: m
            .transferred_classes
            .iter()
            .map(|t| LockTransfer {
                from: opt(&t.from),
                from_script: opt(&t.from_script),
                to: opt(&t.to),
            })
            .collect(),
    }
}

/// The `exports` map for the class states: every class the Worker ever had, tombstones included.
pub(super) fn exports_map(
    classes: &BTreeMap<String, LockClass>,
) -> BTreeMap<String, Map<String, Value>> {
    let mut out = BTreeMap::new();
    for (name, c) in classes {
        let mut e = Map::new();
        e.insert("type".into(), "durable-object".into());
        let storage = || {
            Value::from(if c.storage == "kv" {
                "legacy-kv"
            } else {
                "sqlite"
            })
        };
        match c.state.as_str() {
            CREATED => {
                e.insert("storage".into(), storage());
            }
            EXPECTING_TRANSFER => {
                let Some(from) = &c.transfer_from else {
                    continue;
                };
                e.insert("state".into(), EXPECTING_TRANSFER.into());
                e.insert("storage".into(), storage());
                e.insert("transfer_from".into(), from.as_str().into());
            }
            RENAMED => {
                let Some(to) = &c.renamed_to else { continue };
                // A rename tombstone must name a live class: follow later renames to it; when
                // the end of the chain was deleted, the old data is to be deleted too.
                match rename_end(classes, to) {
                    RenameEnd::Deleted => {
                        e.insert("state".into(), DELETED.into());
                    }
                    RenameEnd::Class(end) => {
                        e.insert("state".into(), RENAMED.into());
                        e.insert("renamed_to".into(), end.into());
                    }
                }
            }
            TRANSFERRED => {
                let Some(to) = &c.transferred_to else {
                    continue;
                };
                e.insert("state".into(), TRANSFERRED.into());
                e.insert("transferred_to".into(), to.as_str().into());
            }
            DELETED => {
                e.insert("state".into(), DELETED.into());
            }
            _ => continue,
        }
        out.insert(name.clone(), e);
    }
    out
}

pub(super) enum RenameEnd<'a> {
    Class(&'a str),
    Deleted,
}

pub(super) fn rename_end<'a>(
    classes: &'a BTreeMap<String, LockClass>,
    mut to: &'a str,
) -> RenameEnd<'a> {
    let mut seen = HashSet::new();
    while let Some(c) = classes.get(to) {
        if !seen.insert(to) {
            break;
        }
        match (c.state.as_str(), &c.renamed_to) {
            (RENAMED, Some(next)) => to = next,
            (DELETED, _) => return RenameEnd::Deleted,
            _ => break,
        }
    }
    RenameEnd::Class(to)
}
