//! Rate-limit windows: plain Rust, unit-tested natively. One object is one identifier, so the
//! state is a single small record.

use serde::{Deserialize, Serialize};

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
