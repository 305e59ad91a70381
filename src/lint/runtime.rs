//! What the wrangler doforge is checked against supports: the newest compatibility date its
//! bundled Workers runtime (workerd) accepts. `wrangler dev` cannot run a Worker with a newer
//! date (the runtime refuses it, or falls back with a warning), so advice never goes past it
//! (`compat-date-stale`, `compat-date-missing`) and a newer date is flagged
//! (`compat-date-invalid`). `tests/wrangler_oracle.rs` fails when the installed oracle's workerd
//! says otherwise.

/// The wrangler release the rules are checked against (the oracle's version).
pub const WRANGLER_VERSION: &str = "4.164.0";

/// workerd `1.20261117.1`, bundled with wrangler 4.164.0, supports compatibility dates up to its
/// version's date.
pub const NEWEST_SUPPORTED_DATE: &str = "2026-11-17";

/// The date to advise for a compatibility date: today, unless the runtime does not support it
/// yet (both `YYYY-MM-DD`, which compare as strings).
pub fn advised_date(today: &str) -> &str {
    if today > NEWEST_SUPPORTED_DATE {
        NEWEST_SUPPORTED_DATE
    } else {
        today
    }
}

/// How to describe [`advised_date`] in advice: "today" or "the newest date wrangler … supports".
pub fn advised_as(today: &str) -> String {
    if today > NEWEST_SUPPORTED_DATE {
        format!("the newest date wrangler {WRANGLER_VERSION}'s runtime supports")
    } else {
        "today".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_is_capped_at_the_runtime_date() {
        assert_eq!(advised_date("2026-06-01"), "2026-06-01");
        assert_eq!(advised_as("2026-06-01"), "today");
        assert_eq!(advised_date("2026-12-01"), NEWEST_SUPPORTED_DATE);
        assert!(advised_as("2026-12-01").contains(WRANGLER_VERSION));
    }
}
