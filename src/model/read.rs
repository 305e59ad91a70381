//! Typed reads from a [`Node`] tree that report type mismatches as `schema` diagnostics at the
//! offending value, so a wrong type is one clear finding rather than a panic or a silent default.

use std::sync::Arc;

use super::Sp;
use crate::diagnostics::{Diagnostic, Label};
use crate::source::{Node, NodeKind, SourceFile};

pub(crate) struct Reader<'a> {
    pub file: &'a Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// While reading values an env inherited from the top level: their type errors were already
    /// reported once, at the top level.
    pub quiet: bool,
    /// Env the current reads belong to (named in diagnostics).
    pub env: Option<String>,
}

impl<'a> Reader<'a> {
    pub fn new(file: &'a Arc<SourceFile>) -> Self {
        Reader {
            file,
            diagnostics: Vec::new(),
            quiet: false,
            env: None,
        }
    }

    pub fn type_error(&mut self, path: &str, node: &Node, expected: &str) {
        if self.quiet {
            return;
        }
        let d = Diagnostic::error(
            "schema",
            format!(
                "`{path}` should be {expected}, but it is {}",
                node.type_name()
            ),
            Label::new(self.file, node.span),
        )
        .with_help(format!("change `{path}` to {expected}"))
        .with_env(self.env.as_deref());
        self.diagnostics.push(d);
    }

    pub fn missing(&mut self, path: &str, key: &str, parent: &Node, help: &str) {
        if self.quiet {
            return;
        }
        let d = Diagnostic::error(
            "schema",
            format!("`{path}` has no `{key}`"),
            Label::new(self.file, parent.span),
        )
        .with_help(help.to_owned())
        .with_env(self.env.as_deref());
        self.diagnostics.push(d);
    }

    /// A string value (numbers are not silently converted: wrangler rejects them too).
    pub fn str_value(&mut self, path: &str, node: &Node) -> Option<Sp<String>> {
        match &node.kind {
            NodeKind::Str(s) => Some(Sp::new(s.clone(), node.span)),
            _ => {
                self.type_error(path, node, "a string");
                None
            }
        }
    }

    pub fn string(&mut self, parent: &Node, path: &str, key: &str) -> Option<Sp<String>> {
        let v = parent.get(key)?;
        self.str_value(&join(path, key), v)
    }

    pub fn bool(&mut self, parent: &Node, path: &str, key: &str) -> Option<Sp<bool>> {
        let v = parent.get(key)?;
        match v.kind {
            NodeKind::Bool(b) => Some(Sp::new(b, v.span)),
            _ => {
                self.type_error(&join(path, key), v, "true or false");
                None
            }
        }
    }

    /// A list of strings; a single string is refused (wrangler wants a list).
    pub fn strings(&mut self, parent: &Node, path: &str, key: &str) -> Vec<Sp<String>> {
        let Some(v) = parent.get(key) else {
            return Vec::new();
        };
        let path = join(path, key);
        let Some(items) = v.as_seq() else {
            self.type_error(&path, v, "a list of strings");
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| self.str_value(&format!("{path}[{i}]"), n))
            .collect()
    }

    pub fn map<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n Node> {
        if node.as_map().is_some() {
            Some(node)
        } else {
            self.type_error(path, node, "a table/object");
            None
        }
    }

    pub fn list<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [Node]> {
        match node.as_seq() {
            Some(items) => Some(items),
            None => {
                self.type_error(path, node, "a list");
                None
            }
        }
    }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}
