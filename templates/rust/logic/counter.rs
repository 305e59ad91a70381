//! Counter arithmetic: plain Rust, unit-tested natively.

/// JavaScript's `Number.MAX_SAFE_INTEGER`: seed 002's counter is a JS number, so values and
/// amounts beyond ±(2^53 − 1) are refused instead of being rounded by a JavaScript client.
pub const MAX_SAFE: i64 = 9_007_199_254_740_991;

/// What a request does to the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Increment,
    Decrement,
    /// Set the value (to `amount`, default 0).
    Reset,
}

impl Op {
    /// The operation for an object path (`/increment`, `/decrement`, `/reset`).
    pub fn from_path(path: &str) -> Option<Op> {
        match path {
            "/increment" => Some(Op::Increment),
            "/decrement" => Some(Op::Decrement),
            "/reset" => Some(Op::Reset),
            _ => None,
        }
    }
}

/// The new value, or an error meant for a 400 answer.
pub fn apply(value: i64, op: Op, amount: Option<i64>) -> Result<i64, String> {
    match op {
        Op::Increment => value.checked_add(amount.unwrap_or(1)),
        Op::Decrement => value.checked_sub(amount.unwrap_or(1)),
        Op::Reset => Some(amount.unwrap_or(0)),
    }
    .filter(|v| (-MAX_SAFE..=MAX_SAFE).contains(v))
    .ok_or_else(|| format!("counter overflow: the value must stay within ±{MAX_SAFE}"))
}

fn safe(amount: i64) -> Result<Option<i64>, String> {
    if (-MAX_SAFE..=MAX_SAFE).contains(&amount) {
        Ok(Some(amount))
    } else {
        Err(format!(
            "amount outside ±{MAX_SAFE} (JavaScript's safe integers)"
        ))
    }
}

/// The amount of a request: `?amount=n`, else a JSON body `{"amount": n}`, else none.
pub fn parse_amount(query: Option<&str>, body: &str) -> Result<Option<i64>, String> {
    if let Some(q) = query {
        return q
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("amount must be an integer, not {q:?}"))
            .and_then(safe);
    }
    if body.trim().is_empty() {
        return Ok(None);
    }
    let v: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("invalid JSON body: {e}"))?;
    match v.get("amount") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(a) => a
            .as_i64()
            .ok_or_else(|| format!("amount must be an integer, not {a}"))
            .and_then(safe),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increments_decrements_and_resets() {
        assert_eq!(apply(0, Op::Increment, None), Ok(1));
        assert_eq!(apply(1, Op::Increment, Some(5)), Ok(6));
        assert_eq!(apply(6, Op::Decrement, None), Ok(5));
        assert_eq!(apply(5, Op::Decrement, Some(10)), Ok(-5));
        assert_eq!(apply(-5, Op::Reset, None), Ok(0));
        assert_eq!(apply(-5, Op::Reset, Some(42)), Ok(42));
        assert!(apply(i64::MAX, Op::Increment, None).is_err());
        assert!(apply(i64::MIN, Op::Decrement, None).is_err());
        assert_eq!(apply(MAX_SAFE - 1, Op::Increment, None), Ok(MAX_SAFE));
        assert!(apply(MAX_SAFE, Op::Increment, None).is_err());
        assert!(apply(-MAX_SAFE, Op::Decrement, None).is_err());
    }

    #[test]
    fn amounts_from_query_or_body() {
        assert_eq!(parse_amount(Some("3"), ""), Ok(Some(3)));
        assert_eq!(parse_amount(None, r#"{"amount": -2}"#), Ok(Some(-2)));
        assert_eq!(parse_amount(None, ""), Ok(None));
        assert_eq!(parse_amount(None, "{}"), Ok(None));
        assert!(parse_amount(Some("x"), "").is_err());
        assert!(parse_amount(None, r#"{"amount": 1.5}"#).is_err());
        assert!(parse_amount(None, "{").is_err());
        // Beyond JavaScript's safe integers: refused, not rounded.
        assert!(parse_amount(Some("9007199254740992"), "").is_err());
        assert!(parse_amount(None, r#"{"amount": 9007199254740993}"#).is_err());
        assert!(parse_amount(None, r#"{"amount": 1e300}"#).is_err());
        assert_eq!(
            parse_amount(Some("-9007199254740991"), ""),
            Ok(Some(-MAX_SAFE))
        );
        assert_eq!(Op::from_path("/increment"), Some(Op::Increment));
        assert_eq!(Op::from_path("/nope"), None);
    }
}
