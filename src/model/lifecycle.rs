//! Replaying a `migrations` history the way Cloudflare applies it, step by step: which Durable
//! Object classes it leaves live, with which storage backend, where each was created or removed,
//! and the steps that contradict the history before them (a class created twice, a rename of a
//! class that does not exist, …). Lint rules about the lifecycle share this one reading.

use std::collections::HashMap;

use super::{Export, Lifecycle, Migration, Origin, Sp, Storage};
use crate::source::Span;

/// How a class stopped being live.
#[derive(Debug, Clone, PartialEq)]
pub enum Removal {
    /// `deleted_classes` (its data is deleted).
    Deleted,
    /// `renamed_classes` moved it (and its data) to the class named here.
    RenamedTo(String),
}

/// One class name as the history leaves it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassRecord {
    pub live: bool,
    /// Storage backend; `None` for a class transferred in from another Worker (its backend came
    /// along with it).
    pub storage: Option<Storage>,
    /// Where this name became live: its `new_classes`/`new_sqlite_classes` item, or the
    /// `renamed_classes`/`transferred_classes` entry that made it.
    pub created: Span,
    /// The `new_classes`/`new_sqlite_classes` item that chose the storage backend, followed
    /// through renames, with the name the class had there (None for transfers).
    pub storage_origin: Option<Sp<String>>,
    /// Index of the migration step that made it live.
    pub created_in: usize,
    /// Why and where it stopped being live (the `deleted_classes` item or the rename entry).
    pub removed: Option<(Removal, Span)>,
}

/// A step that contradicts the history before it. Steps with a conflict are not applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    /// Created while already live.
    CreatedTwice { class: Sp<String>, first: Span },
    /// Created by both `new_classes` and `new_sqlite_classes` of one step.
    BothStorages { class: Sp<String>, other: Span },
    /// `renamed_classes.from` names no live class; `removed` says when it stopped being one.
    RenameFromUnknown {
        from: Sp<String>,
        entry: Span,
        removed: Option<(Removal, Span)>,
    },
    /// `renamed_classes.to` names a class that is already live.
    RenameToExisting {
        to: Sp<String>,
        entry: Span,
        existing: Span,
    },
    /// `from` and `to` are the same class.
    RenameToSelf { class: Sp<String>, entry: Span },
    /// `deleted_classes` names no live class.
    DeleteUnknown {
        class: Sp<String>,
        removed: Option<(Removal, Span)>,
    },
    /// `transferred_classes.to` names a class that is already live.
    TransferToExisting {
        to: Sp<String>,
        entry: Span,
        existing: Span,
    },
    /// A `renamed_classes` / `transferred_classes` entry without some of its fields.
    Incomplete {
        list: &'static str,
        entry: Span,
        missing: Vec<&'static str>,
    },
}

/// The result of replaying one migrations list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub classes: HashMap<String, ClassRecord>,
    pub conflicts: Vec<Conflict>,
}

impl History {
    /// Apply every step in order. Within a step the order is wrangler's own
    /// (`getDurableObjectClassNameToUseSQLiteMap`): `deleted_classes`, `renamed_classes`,
    /// `new_classes`, `new_sqlite_classes`; then `transferred_classes` (which wrangler does not
    /// replay).
    pub fn replay(migrations: &[Migration]) -> History {
        let mut h = History::default();
        for (i, m) in migrations.iter().enumerate() {
            for c in &m.deleted_classes {
                match h.classes.get_mut(&c.value) {
                    Some(rec) if rec.live => {
                        rec.live = false;
                        rec.removed = Some((Removal::Deleted, c.span));
                    }
                    other => {
                        let removed = other.and_then(|r| r.removed.clone());
                        h.conflicts.push(Conflict::DeleteUnknown {
                            class: c.clone(),
                            removed,
                        });
                    }
                }
            }
            for r in &m.renamed_classes {
                h.rename(i, r.from.as_ref(), r.to.as_ref(), r.span);
            }
            for c in &m.new_classes {
                h.create(i, c, Storage::Kv);
            }
            for c in &m.new_sqlite_classes {
                h.create(i, c, Storage::Sqlite);
            }
            for t in &m.transferred_classes {
                let mut missing = Vec::new();
                if t.from.is_none() {
                    missing.push("from");
                }
                if t.from_script.is_none() {
                    missing.push("from_script");
                }
                if t.to.is_none() {
                    missing.push("to");
                }
                if !missing.is_empty() {
                    h.conflicts.push(Conflict::Incomplete {
                        list: "transferred_classes",
                        entry: t.span,
                        missing,
                    });
                }
                let Some(to) = &t.to else { continue };
                if let Some(existing) = h.live(&to.value) {
                    h.conflicts.push(Conflict::TransferToExisting {
                        to: to.clone(),
                        entry: t.span,
                        existing: existing.created,
                    });
                    continue;
                }
                h.classes.insert(
                    to.value.clone(),
                    ClassRecord {
                        live: true,
                        storage: None,
                        created: t.span,
                        storage_origin: None,
                        created_in: i,
                        removed: None,
                    },
                );
            }
        }
        h
    }

    fn live(&self, class: &str) -> Option<&ClassRecord> {
        self.classes.get(class).filter(|r| r.live)
    }

    fn create(&mut self, step: usize, class: &Sp<String>, storage: Storage) {
        if let Some(first) = self.live(&class.value) {
            let conflict = if first.created_in == step && first.storage != Some(storage) {
                Conflict::BothStorages {
                    class: class.clone(),
                    other: first.created,
                }
            } else {
                Conflict::CreatedTwice {
                    class: class.clone(),
                    first: first.created,
                }
            };
            self.conflicts.push(conflict);
            return;
        }
        self.classes.insert(
            class.value.clone(),
            ClassRecord {
                live: true,
                storage: Some(storage),
                created: class.span,
                storage_origin: Some(class.clone()),
                created_in: step,
                removed: None,
            },
        );
    }

    fn rename(
        &mut self,
        step: usize,
        from: Option<&Sp<String>>,
        to: Option<&Sp<String>>,
        entry: Span,
    ) {
        let (Some(from), Some(to)) = (from, to) else {
            let mut missing = Vec::new();
            if from.is_none() {
                missing.push("from");
            }
            if to.is_none() {
                missing.push("to");
            }
            self.conflicts.push(Conflict::Incomplete {
                list: "renamed_classes",
                entry,
                missing,
            });
            return;
        };
        if from.value == to.value {
            self.conflicts.push(Conflict::RenameToSelf {
                class: to.clone(),
                entry,
            });
            return;
        }
        let Some(source) = self.live(&from.value).cloned() else {
            let removed = self
                .classes
                .get(&from.value)
                .and_then(|r| r.removed.clone());
            self.conflicts.push(Conflict::RenameFromUnknown {
                from: from.clone(),
                entry,
                removed,
            });
            // Still make the target live: the history before this step is probably truncated,
            // and the class it names is what bindings use now.
            if self.live(&to.value).is_none() {
                self.classes.insert(
                    to.value.clone(),
                    ClassRecord {
                        live: true,
                        storage: None,
                        created: to.span,
                        storage_origin: None,
                        created_in: step,
                        removed: None,
                    },
                );
            }
            return;
        };
        if let Some(existing) = self.live(&to.value) {
            self.conflicts.push(Conflict::RenameToExisting {
                to: to.clone(),
                entry,
                existing: existing.created,
            });
            return;
        }
        if let Some(rec) = self.classes.get_mut(&from.value) {
            rec.live = false;
            rec.removed = Some((Removal::RenamedTo(to.value.clone()), entry));
        }
        self.classes.insert(
            to.value.clone(),
            ClassRecord {
                live: true,
                storage: source.storage,
                created: to.span,
                storage_origin: source.storage_origin,
                created_in: step,
                removed: None,
            },
        );
    }

    pub fn get(&self, class: &str) -> Option<&ClassRecord> {
        self.classes.get(class)
    }

    pub fn is_live(&self, class: &str) -> bool {
        self.live(class).is_some()
    }
}

impl Lifecycle {
    /// Whether this env's `migrations` list is the top level's, inherited: a check of the list
    /// belongs to the top level, once, not to every env that inherits it.
    pub fn migrations_inherited(&self) -> bool {
        self.migrations_origin
            .is_some_and(|o| o.origin == Origin::Inherited)
    }

    /// As [`Lifecycle::migrations_inherited`], for the `exports` map.
    pub fn exports_inherited(&self) -> bool {
        self.exports_origin
            .is_some_and(|o| o.origin == Origin::Inherited)
    }

    /// Replay the effective `migrations` list.
    pub fn history(&self) -> History {
        History::replay(&self.migrations)
    }

    /// A tag for a step appended to the history: the last tag's number plus one, keeping its
    /// prefix and zero padding (`v3` → `v4`, `2024-01` → `2024-02`), else `v<steps + 1>`; never a
    /// tag already used.
    pub fn next_tag(&self) -> String {
        next_tag(
            self.migrations
                .iter()
                .filter_map(|m| m.tag.as_ref().map(Sp::as_str)),
        )
    }

    /// The `exports` entries of type `durable-object`, by class name.
    pub fn durable_object_exports(&self) -> HashMap<&str, &Export> {
        self.exports
            .iter()
            .filter(|e| e.is_durable_object())
            .map(|e| (e.name.as_str(), e))
            .collect()
    }
}

impl Migration {
    /// Whether two steps say the same thing (tag and spans aside).
    pub fn same_directives(&self, other: &Migration) -> bool {
        fn names(v: &[Sp<String>]) -> impl Iterator<Item = &str> {
            v.iter().map(|s| s.value.as_str())
        }
        fn opt(o: &Option<Sp<String>>) -> Option<&str> {
            o.as_ref().map(|s| s.value.as_str())
        }
        names(&self.new_classes).eq(names(&other.new_classes))
            && names(&self.new_sqlite_classes).eq(names(&other.new_sqlite_classes))
            && names(&self.deleted_classes).eq(names(&other.deleted_classes))
            && self
                .renamed_classes
                .iter()
                .map(|r| (opt(&r.from), opt(&r.to)))
                .eq(other
                    .renamed_classes
                    .iter()
                    .map(|r| (opt(&r.from), opt(&r.to))))
            && self
                .transferred_classes
                .iter()
                .map(|t| (opt(&t.from), opt(&t.from_script), opt(&t.to)))
                .eq(other
                    .transferred_classes
                    .iter()
                    .map(|t| (opt(&t.from), opt(&t.from_script), opt(&t.to))))
    }
}

/// See [`Lifecycle::next_tag`].
pub fn next_tag<'a>(tags: impl Iterator<Item = &'a str>) -> String {
    let tags: Vec<&str> = tags.collect();
    let candidate = tags.last().and_then(|last| {
        let digits = last.len() - last.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, number) = last.split_at(last.len() - digits);
        let n: u64 = number.parse().ok()?;
        Some((prefix.to_owned(), n.checked_add(1)?, digits))
    });
    let (prefix, mut n, width) =
        candidate.unwrap_or_else(|| ("v".to_owned(), tags.len() as u64 + 1, 1));
    loop {
        let tag = format!("{prefix}{n:0width$}");
        if !tags.contains(&tag.as_str()) {
            return tag;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RenamedClass, TransferredClass};

    fn sp(s: &str, at: usize) -> Sp<String> {
        Sp::new(s.to_owned(), Span::new(at, at + s.len()))
    }

    fn step(tag: &str) -> Migration {
        Migration {
            tag: Some(sp(tag, 0)),
            new_classes: Vec::new(),
            new_sqlite_classes: Vec::new(),
            renamed_classes: Vec::new(),
            deleted_classes: Vec::new(),
            transferred_classes: Vec::new(),
            span: Span::default(),
        }
    }

    #[test]
    fn next_tags() {
        assert_eq!(next_tag(["v1", "v2"].into_iter()), "v3");
        assert_eq!(next_tag(std::iter::empty()), "v1");
        assert_eq!(next_tag(["initial"].into_iter()), "v2");
        assert_eq!(next_tag(["v1", "v3", "v2"].into_iter()), "v4");
        assert_eq!(next_tag(["2024-01"].into_iter()), "2024-02");
        assert_eq!(next_tag(["v09"].into_iter()), "v10");
    }

    #[test]
    fn renames_carry_storage_and_deletes_remove() {
        let mut v1 = step("v1");
        v1.new_classes = vec![sp("Room", 10), sp("Old", 20)];
        let mut v2 = step("v2");
        v2.renamed_classes = vec![RenamedClass {
            from: Some(sp("Room", 30)),
            to: Some(sp("ChatRoom", 40)),
            span: Span::new(30, 50),
        }];
        v2.deleted_classes = vec![sp("Old", 60)];
        let h = History::replay(&[v1, v2]);
        assert!(h.conflicts.is_empty(), "{:?}", h.conflicts);
        let chat = h.get("ChatRoom").unwrap();
        assert!(chat.live);
        assert_eq!(chat.storage, Some(Storage::Kv));
        assert_eq!(chat.storage_origin.as_ref().unwrap().value, "Room");
        assert_eq!(
            h.get("Room").unwrap().removed,
            Some((Removal::RenamedTo("ChatRoom".into()), Span::new(30, 50)))
        );
        assert_eq!(
            h.get("Old").unwrap().removed.as_ref().unwrap().0,
            Removal::Deleted
        );
        assert!(!h.is_live("Old"));
    }

    #[test]
    fn contradictions_are_reported() {
        let mut v1 = step("v1");
        v1.new_classes = vec![sp("A", 10)];
        v1.new_sqlite_classes = vec![sp("A", 20), sp("B", 30)];
        let mut v2 = step("v2");
        v2.new_sqlite_classes = vec![sp("B", 40)];
        v2.renamed_classes = vec![
            RenamedClass {
                from: Some(sp("Nope", 50)),
                to: Some(sp("C", 60)),
                span: Span::new(50, 61),
            },
            RenamedClass {
                from: Some(sp("A", 70)),
                to: Some(sp("B", 80)),
                span: Span::new(70, 81),
            },
        ];
        v2.transferred_classes = vec![TransferredClass {
            from: Some(sp("X", 90)),
            from_script: None,
            to: Some(sp("X", 95)),
            span: Span::new(90, 96),
        }];
        v2.deleted_classes = vec![sp("Gone", 100)];
        let h = History::replay(&[v1, v2]);
        let kinds: Vec<&str> = h
            .conflicts
            .iter()
            .map(|c| match c {
                Conflict::CreatedTwice { .. } => "twice",
                Conflict::BothStorages { .. } => "both",
                Conflict::RenameFromUnknown { .. } => "rename-from",
                Conflict::RenameToExisting { .. } => "rename-to",
                Conflict::RenameToSelf { .. } => "self",
                Conflict::DeleteUnknown { .. } => "delete",
                Conflict::TransferToExisting { .. } => "transfer-to",
                Conflict::Incomplete { .. } => "incomplete",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "both",
                "delete",
                "rename-from",
                "rename-to",
                "twice",
                "incomplete"
            ]
        );
        assert!(
            h.is_live("C"),
            "a rename of an unknown class still names a live class"
        );
        assert!(h.is_live("X"));
    }
}
