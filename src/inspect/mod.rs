//! Views of the resolved model for people: `doforge env` and `doforge graph`.

pub mod env;
pub mod graph;
