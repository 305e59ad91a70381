//! Wrangler's three kinds of configuration key (from wrangler's `validation.ts`, 4.x):
//! inheritable keys fall back to the top level when an environment omits them (the env's value
//! *replaces* the top-level one, never merges); non-inheritable keys must be redeclared in every
//! environment; top-level-only keys cannot appear in an environment at all.

/// Keys an `env.<name>` must redeclare (wrangler's `notInheritable(...)` calls).
pub const NON_INHERITABLE: &[&str] = &[
    "vars",
    "secrets",
    "define",
    "durable_objects",
    "workflows",
    "kv_namespaces",
    "cloudchamber",
    "containers",
    "send_email",
    "queues",
    "connect",
    "r2_buckets",
    "d1_databases",
    "vectorize",
    "ai_search_namespaces",
    "ai_search",
    "websearch",
    "agent_memory",
    "hyperdrive",
    "services",
    "analytics_engine_datasets",
    "dispatch_namespaces",
    "mtls_certificates",
    "tail_consumers",
    "streaming_tail_consumers",
    "unsafe",
    "browser",
    "ai",
    "images",
    "stream",
    "media",
    "pipelines",
    "secrets_store_secrets",
    "artifacts",
    "unsafe_hello_world",
    "flagship",
    "worker_loaders",
    "ratelimits",
    "vpc_services",
    "vpc_networks",
    "version_metadata",
];

/// Keys that only make sense at the top level of a config (wrangler ignores or rejects them in
/// an environment).
pub const TOP_LEVEL_ONLY: &[&str] = &[
    "$schema",
    "env",
    "legacy_env",
    "send_metrics",
    "keep_vars",
    "dev",
    "site",
    "alias",
    "wasm_modules",
    "text_blobs",
    "data_blobs",
    "pages_build_output_dir",
    "migrations_dir",
];

pub fn is_non_inheritable(key: &str) -> bool {
    NON_INHERITABLE.contains(&key)
}

pub fn is_top_level_only(key: &str) -> bool {
    TOP_LEVEL_ONLY.contains(&key)
}

/// Binding kinds that hold a list of `{binding = "NAME", …}` entries, by wrangler key, beyond the
/// ones the model reads in detail. Their names still take part in collision checks.
pub const OTHER_BINDING_LISTS: &[&str] = &[
    "vectorize",
    "hyperdrive",
    "dispatch_namespaces",
    "mtls_certificates",
    "send_email",
    "workflows",
    "pipelines",
    "secrets_store_secrets",
    "ratelimits",
    "worker_loaders",
    "vpc_services",
    "vpc_networks",
    "ai_search_namespaces",
    "ai_search",
    "artifacts",
];

/// Binding kinds that are a single `{binding = "NAME"}` table.
pub const OTHER_BINDING_TABLES: &[&str] = &[
    "ai",
    "browser",
    "images",
    "version_metadata",
    "stream",
    "media",
    "websearch",
    "agent_memory",
    "flagship",
];
