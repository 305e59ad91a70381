//! Session records (seed 003's `createSession(chittyId, sessionId, metadata)`), validation,
//! metadata updates and idle expiry: plain Rust, unit-tested natively.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Longest `sessionId` / `chittyId`, in characters.
pub const MAX_ID_CHARS: usize = 128;
/// Largest `metadata`, as JSON bytes.
pub const MAX_METADATA_BYTES: usize = 32 * 1024;

/// One session, as stored and answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub session_id: String,
    pub chitty_id: String,
    pub metadata: Map<String, Value>,
    pub created_at: u64,
    pub updated_at: u64,
    pub expires_at: u64,
}

/// The body of `POST /api/v1/sessions` (seed 003); also what the typed client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSession {
    pub chitty_id: String,
    pub session_id: String,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// The body of `PATCH` (metadata keys merged, `null` deletes) and `PUT` (metadata replaced).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataUpdate {
    pub metadata: Map<String, Value>,
}

fn check_id(field: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if value.chars().count() > MAX_ID_CHARS {
        return Err(format!("{field} longer than {MAX_ID_CHARS} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{field} contains control characters"));
    }
    Ok(())
}

fn check_metadata(metadata: &Map<String, Value>) -> Result<(), String> {
    let size = serde_json::to_string(metadata).map_or(usize::MAX, |s| s.len());
    if size > MAX_METADATA_BYTES {
        return Err(format!(
            "metadata of {size} bytes refused: at most {MAX_METADATA_BYTES} bytes"
        ));
    }
    Ok(())
}

impl NewSession {
    /// The new session, or an error meant for a 400 answer.
    pub fn into_session(self, now_ms: u64, ttl_ms: u64) -> Result<Session, String> {
        check_id("sessionId", &self.session_id)?;
        check_id("chittyId", &self.chitty_id)?;
        check_metadata(&self.metadata)?;
        Ok(Session {
            session_id: self.session_id,
            chitty_id: self.chitty_id,
            metadata: self.metadata,
            created_at: now_ms,
            updated_at: now_ms,
            expires_at: now_ms.saturating_add(ttl_ms),
        })
    }
}

impl Session {
    /// Expired from `expires_at` on, whether or not the alarm has run yet.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at
    }

    /// Merge metadata keys (`PATCH`); a `null` value deletes its key. A write extends the
    /// session to `now + ttl` (the ttl is idle time since the last write; reads do not count,
    /// so that a read never writes).
    pub fn merge(&mut self, patch: MetadataUpdate, now_ms: u64, ttl_ms: u64) -> Result<(), String> {
        let mut metadata = self.metadata.clone();
        for (k, v) in patch.metadata {
            if v.is_null() {
                metadata.remove(&k);
            } else {
                metadata.insert(k, v);
            }
        }
        self.replace(MetadataUpdate { metadata }, now_ms, ttl_ms)
    }

    /// Replace the metadata (`PUT`).
    pub fn replace(
        &mut self,
        update: MetadataUpdate,
        now_ms: u64,
        ttl_ms: u64,
    ) -> Result<(), String> {
        check_metadata(&update.metadata)?;
        self.metadata = update.metadata;
        self.updated_at = now_ms;
        self.expires_at = now_ms.saturating_add(ttl_ms);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seed_body() -> NewSession {
        // The request body of seed 003's "Test DO creation".
        serde_json::from_value(json!({
            "chittyId": "01-C-PROD-0001-P-2501-A-X",
            "sessionId": "test-session-123",
            "metadata": {"test": true}
        }))
        .unwrap()
    }

    fn update(v: Value) -> MetadataUpdate {
        serde_json::from_value(json!({ "metadata": v })).unwrap()
    }

    #[test]
    fn sessions_expire_after_idle_ttl() {
        let mut s = seed_body().into_session(1_000, 500).unwrap();
        assert_eq!(s.expires_at, 1_500);
        assert!(!s.is_expired(1_499));
        assert!(s.is_expired(1_500));
        s.merge(update(json!({})), 1_400, 500).unwrap();
        assert!(!s.is_expired(1_500), "a write extends the session");
        assert!(s.is_expired(1_900));
    }

    #[test]
    fn merge_adds_replaces_and_deletes_keys() {
        let mut s = seed_body().into_session(0, 10).unwrap();
        s.merge(update(json!({"b": 3, "test": null, "c": {"d": 4}})), 5, 10)
            .unwrap();
        assert_eq!(
            Value::Object(s.metadata.clone()),
            json!({"b": 3, "c": {"d": 4}})
        );
        assert_eq!((s.updated_at, s.expires_at, s.created_at), (5, 15, 0));
        s.replace(update(json!({"only": 1})), 6, 10).unwrap();
        assert_eq!(Value::Object(s.metadata.clone()), json!({"only": 1}));
    }

    #[test]
    fn inputs_are_bounded() {
        let mut body = seed_body();
        body.session_id = "x".repeat(129);
        assert!(body.into_session(0, 1).is_err());
        let mut body = seed_body();
        body.chitty_id = String::new();
        assert!(body.into_session(0, 1).is_err());
        let mut body = seed_body();
        body.session_id = "a\u{0}b".into();
        assert!(body.into_session(0, 1).is_err());
        let mut body = seed_body();
        body.metadata
            .insert("big".into(), json!("x".repeat(MAX_METADATA_BYTES)));
        assert!(body.into_session(0, 1).is_err());
        let mut s = seed_body().into_session(0, 1).unwrap();
        let before = s.clone();
        assert!(s
            .merge(update(json!({"big": "x".repeat(MAX_METADATA_BYTES)})), 1, 1)
            .is_err());
        assert_eq!(s, before, "a refused update changes nothing");
        // Unknown fields and a metadata that is not an object are refused by the parser.
        assert!(serde_json::from_value::<NewSession>(json!({
            "chittyId": "c", "sessionId": "s", "extra": 1
        }))
        .is_err());
        assert!(serde_json::from_value::<MetadataUpdate>(json!({ "metadata": [1] })).is_err());
        // metadata may be left out.
        let bare: NewSession =
            serde_json::from_value(json!({ "chittyId": "c", "sessionId": "s" })).unwrap();
        assert!(bare.metadata.is_empty());
    }

    #[test]
    fn wire_shape_is_camel_case() {
        let s = seed_body().into_session(1, 2).unwrap();
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"sessionId":"test-session-123","chittyId":"01-C-PROD-0001-P-2501-A-X","metadata":{"test":true},"createdAt":1,"updatedAt":1,"expiresAt":3}"#
        );
    }
}
