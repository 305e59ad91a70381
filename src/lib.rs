//! doforge: check and generate Cloudflare Workers + Durable Objects projects.
//!
//! The pipeline, left to right: [`source`] (load YAML | TOML | JSONC with spans) → [`schema`]
//! (JSON Schema for blueprints, wrangler's key tree for configs) → [`model`] (raw, then resolved
//! per environment) → lint → [`diagnostics`] (our own type, rendered at the edge).

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod fix;
pub mod generate;
pub mod inspect;
pub mod lint;
pub mod model;
pub mod scaffold;
pub mod schema;
pub mod source;
