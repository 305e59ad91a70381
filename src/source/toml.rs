use super::{Limits, LoadError, Node};
pub fn parse(_text: &str, _limits: &Limits) -> Result<Node, LoadError> { todo!() }
