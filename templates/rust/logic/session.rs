//! Session records, idle expiry and merging: plain Rust, unit-tested natively.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub data: Value,
    pub created_at: u64,
    pub updated_at: u64,
    pub expires_at: u64,
}

/// The body of `PUT /` and `PATCH /`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    pub data: Value,
}

impl Session {
    pub fn new(data: Value, now_ms: u64, ttl_ms: u64) -> Session {
        Session {
            data,
            created_at: now_ms,
            updated_at: now_ms,
            expires_at: now_ms.saturating_add(ttl_ms),
        }
    }

    /// Expired from `expires_at` on, whether or not the alarm has run yet.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at
    }

    /// A use of the session pushes its expiry to `now + ttl` (the ttl is idle time).
    pub fn touch(&mut self, now_ms: u64, ttl_ms: u64) {
        self.expires_at = now_ms.saturating_add(ttl_ms);
    }

    /// Replace the data (`PUT`).
    pub fn replace(&mut self, data: Value, now_ms: u64, ttl_ms: u64) {
        self.data = data;
        self.updated_at = now_ms;
        self.touch(now_ms, ttl_ms);
    }

    /// Merge object keys into object data (`PATCH`); a `null` value deletes its key.
    pub fn merge(&mut self, patch: Value, now_ms: u64, ttl_ms: u64) -> Result<(), String> {
        let (Value::Object(data), Value::Object(patch)) = (&mut self.data, patch) else {
            return Err("PATCH merges an object into object data; use PUT to replace".to_owned());
        };
        for (k, v) in patch {
            if v.is_null() {
                data.remove(&k);
            } else {
                data.insert(k, v);
            }
        }
        self.updated_at = now_ms;
        self.touch(now_ms, ttl_ms);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sessions_expire_after_idle_ttl() {
        let mut s = Session::new(json!({"user": "u1"}), 1_000, 500);
        assert_eq!(s.expires_at, 1_500);
        assert!(!s.is_expired(1_499));
        assert!(s.is_expired(1_500));
        s.touch(1_400, 500);
        assert!(!s.is_expired(1_500), "a use extends the session");
        assert!(s.is_expired(1_900));
    }

    #[test]
    fn merge_adds_replaces_and_deletes_keys() {
        let mut s = Session::new(json!({"a": 1, "b": 2}), 0, 10);
        s.merge(json!({"b": 3, "c": 4, "a": null}), 5, 10).unwrap();
        assert_eq!(s.data, json!({"b": 3, "c": 4}));
        assert_eq!(s.updated_at, 5);
        assert_eq!(s.expires_at, 15);
        assert!(s.merge(json!([1]), 6, 10).is_err());
        let mut scalar = Session::new(json!("x"), 0, 10);
        assert!(scalar.merge(json!({"a": 1}), 1, 10).is_err());
        scalar.replace(json!({"a": 1}), 2, 10);
        assert_eq!(scalar.data, json!({"a": 1}));
    }

    #[test]
    fn wire_shape_is_camel_case() {
        let s = Session::new(json!(null), 1, 2);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"data":null,"createdAt":1,"updatedAt":1,"expiresAt":3}"#
        );
    }
}
