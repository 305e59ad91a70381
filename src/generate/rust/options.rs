//! Kind options (`options:` of a class) → the constants of the generated object. The schema has
//! already checked types and ranges; defaults are the documented ones (docs/blueprint.md).

use super::spec::LimitData;
use crate::model::{DoClass, Sp};
use crate::source::{Node, NodeKind};

/// Defaults of a rate limiter (docs/blueprint.md).
pub const DEFAULT_REQUESTS: u64 = 100;
pub const DEFAULT_WINDOW_MS: u64 = 60_000;
/// The longest window a per-call `config` may ask for, unless the blueprint's are longer.
pub const MAX_CALL_WINDOW_MS: u64 = 86_400_000;

/// One rate limit: how many requests per window, and what happens when the limiter fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub requests: u64,
    pub window_ms: u64,
    pub fail_open: bool,
}

impl Limit {
    pub fn data(&self) -> LimitData {
        LimitData {
            requests: self.requests,
            window_ms: self.window_ms,
            fail_open: self.fail_open,
        }
    }
}

/// An entry of a rate limiter's `options.limits`: its own route (and key), requests, window.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteLimit {
    pub route: String,
    pub key: Option<Sp<String>>,
    pub limit: Limit,
}

/// The class's own limit (`requests`, `window`, `on_failure`).
pub fn own_limit(class: &DoClass) -> Limit {
    Limit {
        requests: int(class, "requests", DEFAULT_REQUESTS).max(1),
        window_ms: duration(class, "window", DEFAULT_WINDOW_MS).max(1),
        fail_open: string(class, "on_failure") != Some("closed"),
    }
}

/// `options.limits` (entries without a route are skipped: the schema requires one).
pub fn limits(class: &DoClass) -> Vec<RouteLimit> {
    let own = own_limit(class);
    let Some(NodeKind::Seq(items)) = option(class, "limits").map(|n| &n.kind) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let route = item.get("route")?.as_str()?.to_owned();
            let key = item
                .get("key")
                .and_then(|k| Some(Sp::new(k.as_str()?.to_owned(), k.span)));
            let requests = item
                .get("requests")
                .and_then(Node::as_i64)
                .and_then(|i| u64::try_from(i).ok())
                .unwrap_or(own.requests)
                .max(1);
            let window_ms = item
                .get("window")
                .and_then(duration_ms)
                .unwrap_or(own.window_ms)
                .max(1);
            Some(RouteLimit {
                route,
                key,
                limit: Limit {
                    requests,
                    window_ms,
                    ..own
                },
            })
        })
        .collect()
}

/// What a caller may ask of a rate limiter per call: at most its most generous number of
/// requests, never a shorter window than its shortest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub max_requests: u64,
    pub min_window_ms: u64,
    pub max_window_ms: u64,
}

pub fn caps(class: &DoClass) -> Caps {
    let own = own_limit(class);
    let routed = limits(class);
    // The class's own numbers count when they guard a route or are written down.
    let own_counts = routed.is_empty()
        || class.instances.route.is_some()
        || option(class, "requests").is_some()
        || option(class, "window").is_some();
    let all: Vec<Limit> = own_counts
        .then_some(own)
        .into_iter()
        .chain(routed.into_iter().map(|l| l.limit))
        .collect();
    Caps {
        max_requests: all.iter().map(|l| l.requests).max().unwrap_or(own.requests),
        min_window_ms: all
            .iter()
            .map(|l| l.window_ms)
            .min()
            .unwrap_or(own.window_ms),
        max_window_ms: all
            .iter()
            .map(|l| l.window_ms)
            .max()
            .unwrap_or(own.window_ms)
            .max(MAX_CALL_WINDOW_MS),
    }
}

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
