//! One rule per file. Each file holds the rule's metadata and docs beside its check.

pub mod duplicate_binding;
pub mod env_binding_not_inherited;
pub mod unknown_field;
pub mod unused_suppression;
// rules: lifecycle
// rules: bindings
// rules: naming-compat
pub mod both_config_files;
pub mod compat_date_invalid;
pub mod compat_date_missing;
pub mod compat_date_stale;
pub mod compat_flag_duplicate;
pub mod global_singleton;
pub mod websocket_without_hibernation;
// rules: usage-graph
