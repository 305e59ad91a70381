//! One rule per file. Each file holds the rule's metadata and docs beside its check.

pub mod duplicate_binding;
pub mod env_binding_not_inherited;
pub mod unknown_field;
pub mod unused_suppression;
// rules: lifecycle
// rules: bindings
pub mod binding_name_invalid;
pub mod class_name_invalid;
pub mod placeholder_id;
pub mod preview_id_equals_id;
pub mod r2_bucket_name_invalid;
pub mod secret_in_vars;
pub mod self_script_name;
// rules: naming-compat
// rules: usage-graph
