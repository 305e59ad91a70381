//! The `session` contract (seed 003's SessionStateDO), as Worker code calls it: `create`,
//! `get`, `update` (merge metadata), `replace`, `delete`. Bodies and the session are the
//! object's own serde types.

use serde_json::{Map, Value};
use worker::Method;

use crate::clients::transport::{decode, Call, ClientError, Object};
pub use crate::logic::session::{MetadataUpdate, NewSession, Session};

/// One session instance.
pub struct SessionClient {
    object: Object,
}

impl SessionClient {
    pub fn new(object: Object) -> SessionClient {
        SessionClient { object }
    }

    pub fn object(&self) -> &Object {
        &self.object
    }

    /// Create the session (`POST /`, 201); one that exists is refused with 409.
    pub async fn create(&self, session: &NewSession) -> Result<Session, ClientError> {
        self.object.call(create_call(session)?, &[201]).await
    }

    /// The session (`GET /`, never writes); `None` when there is none or it expired.
    pub async fn get(&self) -> Result<Option<Session>, ClientError> {
        let (status, text) = self.object.send(Call::new(Method::Get, "/", &[])).await?;
        optional(status, &text)
    }

    /// Merge metadata keys (`PATCH /`; a `null` value deletes its key); `None` without a
    /// session.
    pub async fn update(
        &self,
        metadata: Map<String, Value>,
    ) -> Result<Option<Session>, ClientError> {
        let (status, text) = self
            .object
            .send(update_call(Method::Patch, metadata)?)
            .await?;
        optional(status, &text)
    }

    /// Replace the metadata (`PUT /`); `None` without a session.
    pub async fn replace(
        &self,
        metadata: Map<String, Value>,
    ) -> Result<Option<Session>, ClientError> {
        let (status, text) = self
            .object
            .send(update_call(Method::Put, metadata)?)
            .await?;
        optional(status, &text)
    }

    /// End the session (`DELETE /`): `false` when there was none.
    pub async fn delete(&self) -> Result<bool, ClientError> {
        let (status, text) = self
            .object
            .send(Call::new(Method::Delete, "/", &[]))
            .await?;
        match status {
            204 => Ok(true),
            404 => Ok(false),
            _ => decode::<Value>(status, &[], &text).map(|_| false),
        }
    }
}

/// `POST /` with seed 003's `{chittyId, sessionId, metadata}`.
pub fn create_call(session: &NewSession) -> Result<Call, ClientError> {
    Call::new(Method::Post, "/", &[]).json(session)
}

/// `PATCH /` or `PUT /` with `{metadata}`.
pub fn update_call(method: Method, metadata: Map<String, Value>) -> Result<Call, ClientError> {
    Call::new(method, "/", &[]).json(&MetadataUpdate { metadata })
}

/// A session (200), or `None` for the contract's 404.
pub fn optional(status: u16, text: &str) -> Result<Option<Session>, ClientError> {
    if status == 404 {
        return Ok(None);
    }
    decode(status, &[200], text).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sessions_speak_seed_003() {
        let new: NewSession = serde_json::from_value(json!({
            "chittyId": "01-C-PROD-0001-P-2501-A-X",
            "sessionId": "test-session-123",
            "metadata": {"test": true}
        }))
        .unwrap();
        let body = create_call(&new).unwrap().body.unwrap();
        assert_eq!(serde_json::from_str::<NewSession>(&body).unwrap(), new);
        let mut metadata = Map::new();
        metadata.insert("step".into(), json!(2));
        let patch = update_call(Method::Patch, metadata).unwrap();
        assert_eq!(patch.method, Method::Patch);
        assert_eq!(patch.body.as_deref(), Some(r#"{"metadata":{"step":2}}"#));
        let session = optional(
            200,
            r#"{"sessionId":"s","chittyId":"c","metadata":{},"createdAt":1,"updatedAt":1,"expiresAt":2}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(session.session_id, "s");
        assert_eq!(
            optional(404, r#"{"error":"no such session"}"#).unwrap(),
            None
        );
        assert_eq!(
            optional(409, r#"{"error":"session already exists"}"#)
                .unwrap_err()
                .status(),
            Some(409)
        );
    }
}
