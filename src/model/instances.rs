//! `instances` of a blueprint class: how the generated router picks an instance (route, key,
//! singleton) and what it requires first (auth).

use super::{Auth, DoClass, DoKind, Instances, Sp};
use crate::source::{Node, NodeKind};

impl DoClass {
    /// The secret whose value the generated router requires as a bearer token on this class's
    /// route: `instances.auth.bearer`, or for an audit log without `auth` the default
    /// [`DoClass::default_secret`]; `None` when the route is public.
    pub fn bearer_secret(&self) -> Option<String> {
        match &self.instances.auth {
            Some(Auth::Bearer(s)) => Some(s.value.clone()),
            Some(Auth::Public(_)) => None,
            None if self.kind == DoKind::AuditLog => Some(self.default_secret()),
            None => None,
        }
    }

    /// `AuditLogger` → `AUDIT_LOGGER_TOKEN`: the secret an audit log requires when the
    /// blueprint names none.
    pub fn default_secret(&self) -> String {
        let mut out = String::new();
        let mut prev_lower = false;
        for c in self.class_name.value.chars() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            });
        }
        out.push_str("_TOKEN");
        out
    }
}

pub fn parse(node: &Node) -> Instances {
    let s = |k: &str| {
        node.get(k)
            .and_then(|n| Some(Sp::new(n.as_str()?.to_owned(), n.span)))
    };
    let (singleton, singleton_reason) = match node.get("singleton") {
        Some(n) => match &n.kind {
            NodeKind::Bool(b) => (Some(Sp::new(*b, n.span)), None),
            NodeKind::Map(_) => (
                Some(Sp::new(true, n.span)),
                n.get("reason")
                    .and_then(|r| Some(Sp::new(r.as_str()?.to_owned(), r.span))),
            ),
            _ => (None, None),
        },
        None => (None, None),
    };
    Instances {
        route: s("route"),
        key: s("key"),
        singleton,
        singleton_reason,
        auth: node.get("auth").and_then(auth),
        span: Some(node.span),
    }
}

/// `auth: none` or `auth: { bearer: SECRET }` (the schema has checked the shape).
fn auth(node: &Node) -> Option<Auth> {
    if node.as_str() == Some("none") {
        return Some(Auth::Public(node.span));
    }
    let secret = node.get("bearer")?;
    Some(Auth::Bearer(Sp::new(
        secret.as_str()?.to_owned(),
        secret.span,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instances(yaml: &str) -> Instances {
        use crate::source::{Format, Limits, SourceFile};
        let file = SourceFile::new("b.yaml", Format::Blueprint, yaml.to_owned());
        let root = crate::source::parse(&file, &Limits::default()).expect("valid YAML");
        parse(&root)
    }

    #[test]
    fn auth_is_a_bearer_secret_or_none() {
        let i = instances("route: /audit/*\nauth: { bearer: AUDIT_ADMIN_TOKEN }\n");
        assert!(
            matches!(&i.auth, Some(Auth::Bearer(s)) if s.value == "AUDIT_ADMIN_TOKEN"),
            "{i:?}"
        );
        assert!(matches!(
            instances("auth: none\n").auth,
            Some(Auth::Public(_))
        ));
        assert_eq!(instances("route: /x\n").auth, None);
    }
}
