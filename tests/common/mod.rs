//! Helpers shared by integration tests (`mod common;` in a test file).

pub mod devserver;
pub mod generate;
pub mod wrangler;
