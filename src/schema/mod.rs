//! Structural checks: the blueprint JSON Schema and wrangler's key tree.

pub mod blueprint;
pub mod reference;
pub mod wrangler_keys;
