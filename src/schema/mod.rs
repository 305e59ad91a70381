//! Structural checks: the blueprint JSON Schema and wrangler's key tree.

pub mod blueprint;
pub mod wrangler_keys;
