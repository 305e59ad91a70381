//! One rule per file. Each file holds the rule's metadata and docs beside its check.

pub mod duplicate_binding;
pub mod env_binding_not_inherited;
pub mod unknown_field;
pub mod unused_suppression;
// rules: lifecycle
pub mod container_requires_sqlite;
pub mod deleted_class_still_bound;
pub mod do_missing_migration;
pub mod env_migrations_override;
pub mod kv_backed_durable_object;
pub mod migration_class_conflict;
pub mod migration_history_rewritten;
pub mod migration_tag_duplicate;
pub mod migrations_and_exports;
// rules: bindings
// rules: naming-compat
// rules: usage-graph
pub mod dangling_script_name;
pub mod queue_without_consumer;
pub mod service_binding_cycle;
