//! Kind options (`options:` of a class) → the constants of the generated object. The schema has
//! already checked types and ranges; defaults are the documented ones (docs/blueprint.md).

use crate::model::DoClass;
use crate::source::Node;

/// `ms`, `s`, `m`, `h`, `d` suffixes or a plain integer number of seconds → milliseconds.
pub fn duration_ms(node: &Node) -> Option<u64> {
    if let Some(secs) = node.as_i64() {
        return u64::try_from(secs).ok()?.checked_mul(1000);
    }
    let s = node.as_str()?.trim();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(digits);
    let n: u64 = n.parse().ok()?;
    let factor = match unit {
        "ms" => 1,
        "s" | "" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

fn option<'a>(class: &'a DoClass, key: &str) -> Option<&'a Node> {
    class.options.as_ref()?.get(key)
}

pub fn int(class: &DoClass, key: &str, default: u64) -> u64 {
    option(class, key)
        .and_then(Node::as_i64)
        .and_then(|i| u64::try_from(i).ok())
        .unwrap_or(default)
}

pub fn opt_int(class: &DoClass, key: &str) -> Option<u64> {
    option(class, key)
        .and_then(Node::as_i64)
        .and_then(|i| u64::try_from(i).ok())
}

pub fn duration(class: &DoClass, key: &str, default_ms: u64) -> u64 {
    option(class, key)
        .and_then(duration_ms)
        .unwrap_or(default_ms)
}

pub fn boolean(class: &DoClass, key: &str, default: bool) -> bool {
    option(class, key)
        .and_then(Node::as_bool)
        .unwrap_or(default)
}

pub fn string<'a>(class: &'a DoClass, key: &str) -> Option<&'a str> {
    option(class, key).and_then(Node::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{NodeKind, Span};

    fn node(kind: NodeKind) -> Node {
        Node::new(kind, Span::default())
    }

    #[test]
    fn durations() {
        let s = |v: &str| duration_ms(&node(NodeKind::Str(v.into())));
        assert_eq!(s("60s"), Some(60_000));
        assert_eq!(s("1m"), Some(60_000));
        assert_eq!(s("30d"), Some(2_592_000_000));
        assert_eq!(s("250ms"), Some(250));
        assert_eq!(s("2h"), Some(7_200_000));
        assert_eq!(s("x"), None);
        assert_eq!(duration_ms(&node(NodeKind::Int(90))), Some(90_000));
        assert_eq!(duration_ms(&node(NodeKind::Int(-1))), None);
    }
}
