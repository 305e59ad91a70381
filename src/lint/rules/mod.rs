//! One rule per file. Each file holds the rule's metadata and docs beside its check.

pub mod audit_log_unauthenticated;
pub mod duplicate_binding;
pub mod env_binding_not_inherited;
pub mod unknown_field;
pub mod unused_suppression;
// rules: lifecycle
pub mod container_requires_sqlite;
pub mod deleted_class_still_bound;
pub mod do_missing_migration;
pub mod env_migrations_override;
pub mod external_class_hosted_here;
pub mod kv_backed_durable_object;
pub mod migration_class_conflict;
pub mod migration_history_rewritten;
pub mod migration_tag_duplicate;
pub mod migrations_and_exports;
// rules: bindings
pub mod binding_name_invalid;
pub mod class_name_invalid;
pub mod class_unbound;
pub mod class_unreachable;
pub mod placeholder_id;
pub mod preview_id_equals_id;
pub mod production_shares_state;
pub mod r2_bucket_name_invalid;
pub mod resource_id_invalid;
pub mod secret_in_vars;
pub mod self_script_name;
pub mod worker_name_invalid;
// rules: naming-compat
pub mod both_config_files;
pub mod compat_date_invalid;
pub mod compat_date_missing;
pub mod compat_date_stale;
pub mod compat_flag_duplicate;
pub mod global_singleton;
pub mod websocket_without_hibernation;
// rules: usage-graph
pub mod dangling_script_name;
pub mod queue_multiple_consumers;
pub mod queue_without_consumer;
pub mod service_binding_cycle;
// shared by several rules
mod blueprint_or_code;
mod naming;
