//! Rate-limit windows and the limiter's request contract (seed 001 §1, seed 002): plain Rust,
//! unit-tested natively. An object keeps one small record per identifier it was asked about
//! (`ratelimit:{identifier}`, as the seed's storage structure), normally one.

use serde::{Deserialize, Serialize};

/// The largest integer a JavaScript client reads exactly; larger numbers are refused.
pub const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;
/// Longest identifier accepted (characters).
pub const MAX_IDENTIFIER_CHARS: usize = 256;
/// The identifier of a check that names none (seed 002's limiter is one object per client).
pub const DEFAULT_IDENTIFIER: &str = "default";
/// Prefix of the per-identifier records.
pub const RECORD_PREFIX: &str = "ratelimit:";

/// The storage key of an identifier's record.
pub fn record_key(identifier: &str) -> String {
    format!("{RECORD_PREFIX}{identifier}")
}

/// What the blueprint allows a caller to ask for per call (`config` of `POST /check`, the query
/// of seed 002's `GET /`): never more requests than the class's most generous limit, never a
/// shorter window than its shortest one, never a window longer than `max_window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub max_requests: u64,
    pub min_window_ms: u64,
    pub max_window_ms: u64,
}

impl Caps {
    /// The limit actually applied to a per-call request (clamped into the caps).
    pub fn clamp(&self, requests: u64, window_ms: u64, algorithm: Algorithm) -> Limit {
        Limit {
            requests: requests.clamp(1, self.max_requests),
            window_ms: window_ms.clamp(
                self.min_window_ms,
                self.max_window_ms.max(self.min_window_ms),
            ),
            algorithm,
        }
    }
}

/// The body of `POST /check` (seed 001): `{identifier?, config?: {requests, windowMs}}`. Also
/// what the typed client sends (`Serialize`), so the two cannot drift.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<CallConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CallConfig {
    pub requests: u64,
    pub window_ms: u64,
}

/// The body of `POST /reset`: `{identifier}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

/// A valid identifier (the default when absent).
pub fn identifier(given: Option<&str>) -> Result<&str, String> {
    match given {
        None => Ok(DEFAULT_IDENTIFIER),
        Some("") => Err("identifier must not be empty".to_owned()),
        Some(id) if id.chars().count() > MAX_IDENTIFIER_CHARS => Err(format!(
            "identifier is longer than {MAX_IDENTIFIER_CHARS} characters"
        )),
        Some(id) if id.chars().any(char::is_control) => {
            Err("identifier must not contain control characters".to_owned())
        }
        Some(id) => Ok(id),
    }
}

/// A per-call number: a positive safe integer.
fn per_call(name: &str, value: u64) -> Result<u64, String> {
    if value == 0 || value > MAX_SAFE_INTEGER {
        return Err(format!(
            "{name} must be an integer from 1 to {MAX_SAFE_INTEGER}"
        ));
    }
    Ok(value)
}

impl CheckBody {
    /// The limit of this check: the class's own without `config`, else `config` within `caps`.
    pub fn limit(&self, own: Limit, caps: &Caps) -> Result<Limit, String> {
        match self.config {
            None => Ok(own),
            Some(c) => Ok(caps.clamp(
                per_call("config.requests", c.requests)?,
                per_call("config.windowMs", c.window_ms)?,
                own.algorithm,
            )),
        }
    }
}

/// Seed 002's `GET /?limit=&window=` (window in ms); absent parameters take the class's limit.
pub fn limit_from_query(
    limit: Option<&str>,
    window: Option<&str>,
    own: Limit,
    caps: &Caps,
) -> Result<Limit, String> {
    let number = |name: &str, v: Option<&str>, default: u64| -> Result<u64, String> {
        match v {
            None => Ok(default),
            Some(v) => per_call(
                name,
                v.parse()
                    .map_err(|_| format!("{name} must be a positive integer, not {v:?}"))?,
            ),
        }
    };
    Ok(caps.clamp(
        number("limit", limit, own.requests)?,
        number("window", window, own.window_ms)?,
        own.algorithm,
    ))
}

/// One identifier's persisted record: the counts and the window they were counted in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub window_ms: u64,
    pub state: WindowState,
}

impl Record {
    /// Check one request against `limit`; counts taken with another window length start over.
    pub fn check(&mut self, limit: &Limit, now_ms: u64) -> Decision {
        if self.window_ms != limit.window_ms {
            *self = Record {
                window_ms: limit.window_ms,
                state: WindowState::default(),
            };
        }
        limit.check(&mut self.state, now_ms)
    }

    /// When this record can no longer affect a decision.
    pub fn purge_at(&self) -> u64 {
        // The sliding algorithm needs the previous window too: the later bound of both.
        self.state.window_start + 2 * self.window_ms
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Windows aligned to the epoch; the count resets at each window start.
    Fixed,
    /// Cloudflare's sliding-window counter: the previous window's count, weighted by how much of
    /// it still overlaps the last `window`, plus the current window's count.
    Sliding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub requests: u64,
    pub window_ms: u64,
    pub algorithm: Algorithm,
}

/// The persisted counts of one identifier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    /// Start (epoch ms) of the window `count` belongs to.
    pub window_start: u64,
    pub count: u64,
    /// The count of the window before `window_start`.
    pub previous: u64,
}

/// The answer to one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub remaining: u64,
    /// Epoch ms when the current window ends.
    pub reset_ms: u64,
    /// Whole seconds (≥ 1) until a request would be allowed; only when refused.
    pub retry_after_s: Option<u64>,
}

impl Limit {
    /// Count one request at `now_ms` (epoch ms) if it is allowed; a refused request is not
    /// counted.
    pub fn check(&self, state: &mut WindowState, now_ms: u64) -> Decision {
        self.roll(state, now_ms);
        let reset_ms = state.window_start + self.window_ms;
        if self.weighted(state, now_ms) + u128::from(self.window_ms)
            <= u128::from(self.requests) * u128::from(self.window_ms)
        {
            state.count += 1;
            Decision {
                allowed: true,
                remaining: self.remaining(state, now_ms),
                reset_ms,
                retry_after_s: None,
            }
        } else {
            let wait_ms = self.allowed_at(state).saturating_sub(now_ms).max(1);
            Decision {
                allowed: false,
                remaining: 0,
                reset_ms,
                retry_after_s: Some(wait_ms.div_ceil(1000)),
            }
        }
    }

    /// When the counts can no longer affect a decision (the alarm deletes them then).
    pub fn purge_at(&self, state: &WindowState) -> u64 {
        match self.algorithm {
            Algorithm::Fixed => state.window_start + self.window_ms,
            Algorithm::Sliding => state.window_start + 2 * self.window_ms,
        }
    }

    /// Move `state` into the window that contains `now_ms`.
    fn roll(&self, state: &mut WindowState, now_ms: u64) {
        let current = now_ms - now_ms % self.window_ms;
        if state.window_start == current {
            return;
        }
        let previous = if state.window_start + self.window_ms == current {
            state.count
        } else {
            0
        };
        *state = WindowState {
            window_start: current,
            count: 0,
            previous,
        };
    }

    /// The requests counted against `now_ms`, times `window_ms` (exact integer arithmetic).
    fn weighted(&self, state: &WindowState, now_ms: u64) -> u128 {
        let w = u128::from(self.window_ms);
        let current = u128::from(state.count) * w;
        match self.algorithm {
            Algorithm::Fixed => current,
            Algorithm::Sliding => {
                let elapsed = u128::from(now_ms - state.window_start);
                u128::from(state.previous) * (w - elapsed) + current
            }
        }
    }

    fn remaining(&self, state: &WindowState, now_ms: u64) -> u64 {
        let budget = u128::from(self.requests) * u128::from(self.window_ms);
        let left = budget.saturating_sub(self.weighted(state, now_ms)) / u128::from(self.window_ms);
        left as u64
    }

    /// The first epoch ms at which one more request fits (the state is not changed).
    fn allowed_at(&self, state: &WindowState) -> u64 {
        let w = u128::from(self.window_ms);
        let next_window = state.window_start + self.window_ms;
        match self.algorithm {
            Algorithm::Fixed => next_window,
            Algorithm::Sliding => {
                // Inside a window with previous count p and current count c, a request fits once
                // p * (w - e) + (c + 1) * w <= n * w, i.e. e >= w - (n - c - 1) * w / p.
                let fits_after = |p: u64, c: u64| -> Option<u64> {
                    let n = u128::from(self.requests);
                    let c = u128::from(c);
                    if c + 1 > n {
                        return None;
                    }
                    if p == 0 {
                        return Some(0);
                    }
                    let p = u128::from(p);
                    let slack = (n - c - 1) * w; // p * (w - e) must be <= slack
                    let e = w.saturating_sub(slack / p);
                    // Round up so that p * (w - e) <= slack holds exactly.
                    let e = if p * (w - e) > slack { e + 1 } else { e };
                    Some(e as u64)
                };
                match fits_after(state.previous, state.count) {
                    Some(e) => state.window_start + e,
                    None => match fits_after(state.count, 0) {
                        Some(e) => next_window + e,
                        None => next_window + self.window_ms,
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60_000;
    /// A window-aligned start time.
    const T0: u64 = 1_700_000_040_000;

    fn limit(algorithm: Algorithm) -> Limit {
        Limit {
            requests: 100,
            window_ms: MINUTE,
            algorithm,
        }
    }

    #[test]
    fn the_101st_request_is_refused_then_allowed_after_the_window() {
        for algorithm in [Algorithm::Fixed, Algorithm::Sliding] {
            let l = limit(algorithm);
            let mut s = WindowState::default();
            for i in 0..100 {
                let d = l.check(&mut s, T0 + i);
                assert!(d.allowed, "{algorithm:?}: request {} refused", i + 1);
                assert_eq!(d.remaining, 99 - i, "{algorithm:?}");
            }
            let d = l.check(&mut s, T0 + 1000);
            assert!(!d.allowed, "{algorithm:?}: the 101st request was allowed");
            assert_eq!(d.remaining, 0);
            assert_eq!(d.reset_ms, T0 + MINUTE);
            assert!(d.retry_after_s.unwrap() >= 1);
            assert_eq!(s.count, 100, "a refused request is not counted");
            // A whole window after the burst, the old counts no longer weigh.
            let d = l.check(&mut s, T0 + 2 * MINUTE);
            assert!(d.allowed, "{algorithm:?}: still refused after the window");
            assert_eq!(d.remaining, 99);
        }
    }

    #[test]
    fn fixed_windows_reset_at_the_boundary() {
        let l = limit(Algorithm::Fixed);
        let mut s = WindowState::default();
        for _ in 0..100 {
            assert!(l.check(&mut s, T0 + 59_000).allowed);
        }
        let d = l.check(&mut s, T0 + 59_500);
        assert_eq!(d.retry_after_s, Some(1));
        assert!(!d.allowed);
        assert!(l.check(&mut s, T0 + MINUTE).allowed);
    }

    #[test]
    fn sliding_window_weighs_the_previous_window() {
        let l = limit(Algorithm::Sliding);
        let mut s = WindowState::default();
        for _ in 0..100 {
            assert!(l.check(&mut s, T0).allowed);
        }
        // At the next window's start the previous 100 still count fully.
        let d = l.check(&mut s, T0 + MINUTE);
        assert!(!d.allowed);
        // Retry-After is exact: 600 ms into the window, 100 * 59400/60000 = 99 still count.
        assert_eq!(d.retry_after_s, Some(1));
        assert!(!l.check(&mut s, T0 + MINUTE + 599).allowed);
        let d = l.check(&mut s, T0 + MINUTE + 600);
        assert!(d.allowed, "{d:?}");
        assert_eq!(d.remaining, 0);
        // Half-way through, half of the previous window still counts: 50 + 1 so far.
        let d = l.check(&mut s, T0 + MINUTE + 30_000);
        assert!(d.allowed);
        assert_eq!(d.remaining, 48);
    }

    #[test]
    fn retry_after_points_at_the_first_allowed_moment() {
        for algorithm in [Algorithm::Fixed, Algorithm::Sliding] {
            let l = Limit {
                requests: 3,
                window_ms: 10_000,
                algorithm,
            };
            let mut s = WindowState::default();
            let start = 1_000_000;
            for _ in 0..3 {
                assert!(l.check(&mut s, start + 2_000).allowed);
            }
            let d = l.check(&mut s, start + 2_000);
            let at = start + 2_000 + d.retry_after_s.unwrap() * 1000;
            let mut probe = s;
            assert!(l.check(&mut probe, at).allowed, "{algorithm:?}");
            let mut early = s;
            assert!(
                !l.check(&mut early, at - 1000).allowed,
                "{algorithm:?}: Retry-After is not the first second allowed"
            );
        }
    }

    #[test]
    fn per_call_configs_are_capped_by_the_blueprint() {
        let own = limit(Algorithm::Fixed);
        let caps = Caps {
            max_requests: 100,
            min_window_ms: MINUTE,
            max_window_ms: 86_400_000,
        };
        let body: CheckBody = serde_json::from_str(
            r#"{"identifier":"user-123","config":{"requests":100,"windowMs":60000}}"#,
        )
        .unwrap();
        assert_eq!(body.limit(own, &caps).unwrap(), own);
        assert_eq!(identifier(body.identifier.as_deref()).unwrap(), "user-123");
        let greedy: CheckBody =
            serde_json::from_str(r#"{"config":{"requests":1000000,"windowMs":1}}"#).unwrap();
        let applied = greedy.limit(own, &caps).unwrap();
        assert_eq!((applied.requests, applied.window_ms), (100, MINUTE));
        let strict: CheckBody =
            serde_json::from_str(r#"{"config":{"requests":50,"windowMs":120000}}"#).unwrap();
        let applied = strict.limit(own, &caps).unwrap();
        assert_eq!((applied.requests, applied.window_ms), (50, 120_000));
        for bad in [
            r#"{"config":{"requests":0,"windowMs":1000}}"#,
            r#"{"config":{"requests":9007199254740992,"windowMs":1000}}"#,
            r#"{"config":{"requests":-1,"windowMs":1000}}"#,
            r#"{"config":{"requests":1.5,"windowMs":1000}}"#,
        ] {
            let parsed = serde_json::from_str::<CheckBody>(bad);
            assert!(
                parsed.is_err() || parsed.unwrap().limit(own, &caps).is_err(),
                "{bad} accepted"
            );
        }
        assert!(serde_json::from_str::<CheckBody>(r#"{"identifer":"typo"}"#).is_err());
        assert_eq!(identifier(None).unwrap(), DEFAULT_IDENTIFIER);
        assert!(identifier(Some("")).is_err());
        assert!(identifier(Some(&"x".repeat(MAX_IDENTIFIER_CHARS + 1))).is_err());
        assert!(identifier(Some("user 123")).is_ok());
        assert!(identifier(Some("a\u{0}b")).is_err());
        assert_eq!(record_key("wix:1.2.3.4"), "ratelimit:wix:1.2.3.4");
    }

    #[test]
    fn seed_002_query_limits() {
        let own = limit(Algorithm::Sliding);
        let caps = Caps {
            max_requests: 100,
            min_window_ms: 1000,
            max_window_ms: 86_400_000,
        };
        let l = limit_from_query(Some("10"), Some("5000"), own, &caps).unwrap();
        assert_eq!((l.requests, l.window_ms), (10, 5000));
        assert_eq!(limit_from_query(None, None, own, &caps).unwrap(), own);
        assert!(limit_from_query(Some("ten"), None, own, &caps).is_err());
        assert!(limit_from_query(Some("0"), None, own, &caps).is_err());
    }

    #[test]
    fn records_start_over_when_the_window_changes() {
        let short = Limit {
            requests: 2,
            window_ms: 1000,
            algorithm: Algorithm::Fixed,
        };
        let long = Limit {
            window_ms: MINUTE,
            ..short
        };
        let mut r = Record::default();
        assert!(r.check(&short, T0).allowed);
        assert!(r.check(&short, T0).allowed);
        assert!(!r.check(&short, T0).allowed);
        assert!(
            r.check(&long, T0).allowed,
            "a new window length starts over"
        );
        assert_eq!(r.window_ms, MINUTE);
        assert_eq!(r.purge_at(), T0 + 2 * MINUTE);
    }

    #[test]
    fn purge_time_is_when_counts_stop_mattering() {
        let s = WindowState {
            window_start: T0,
            count: 5,
            previous: 0,
        };
        assert_eq!(limit(Algorithm::Fixed).purge_at(&s), T0 + MINUTE);
        assert_eq!(limit(Algorithm::Sliding).purge_at(&s), T0 + 2 * MINUTE);
    }
}
