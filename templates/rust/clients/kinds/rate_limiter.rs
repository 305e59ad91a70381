//! The `rate_limiter` contract (seed 001 §1), as Worker code calls it: `check` counts a request
//! for an identifier (allowed or refused, both answers of the contract), `reset` forgets one.
//! The request bodies are the object's own serde types, so client and object cannot drift.

use serde::Deserialize;
use worker::Method;

use crate::clients::transport::{Call, ClientError, Object};
pub use crate::logic::rate_limit::CallConfig;
use crate::logic::rate_limit::{CheckBody, ResetBody};

/// The answer of `POST /check` (200 allowed, 429 refused): seed 001's
/// `{allowed, remaining, resetTime, retryAfter?}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    pub allowed: bool,
    pub remaining: u64,
    /// Epoch ms when the current window ends.
    pub reset_time: u64,
    /// Whole seconds until a request would be allowed (refused answers).
    #[serde(default)]
    pub retry_after: Option<u64>,
}

#[derive(Deserialize)]
struct Success {
    success: bool,
}

/// One rate-limiter instance.
pub struct RateLimiterClient {
    object: Object,
}

impl RateLimiterClient {
    pub fn new(object: Object) -> RateLimiterClient {
        RateLimiterClient { object }
    }

    pub fn object(&self) -> &Object {
        &self.object
    }

    /// Count one request of `identifier` against `config` (`None`: the class's own limit;
    /// per-call limits are capped by the blueprint). A refusal is `Ok` with `allowed: false`.
    pub async fn check(
        &self,
        identifier: &str,
        config: Option<CallConfig>,
    ) -> Result<Checked, ClientError> {
        self.object
            .call(check_call(identifier, config)?, &[200, 429])
            .await
    }

    /// Forget `identifier`'s counts (`POST /reset`).
    pub async fn reset(&self, identifier: &str) -> Result<(), ClientError> {
        let answer: Success = self.object.call(reset_call(identifier)?, &[200]).await?;
        if answer.success {
            Ok(())
        } else {
            Err(ClientError::Contract(
                "reset answered success: false".into(),
            ))
        }
    }
}

/// `POST /check {identifier, config?}`.
pub fn check_call(identifier: &str, config: Option<CallConfig>) -> Result<Call, ClientError> {
    Call::new(Method::Post, "/check", &[]).json(&CheckBody {
        identifier: Some(identifier.to_owned()),
        config,
    })
}

/// `POST /reset {identifier}`.
pub fn reset_call(identifier: &str) -> Result<Call, ClientError> {
    Call::new(Method::Post, "/reset", &[]).json(&ResetBody {
        identifier: Some(identifier.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::transport::decode;

    #[test]
    fn checks_speak_seed_001() {
        let call = check_call(
            "wix:1.2.3.4",
            Some(CallConfig {
                requests: 100,
                window_ms: 60_000,
            }),
        )
        .unwrap();
        let body = call.body.unwrap();
        assert_eq!(
            body,
            r#"{"identifier":"wix:1.2.3.4","config":{"requests":100,"windowMs":60000}}"#
        );
        // What the object parses (it refuses unknown fields).
        let parsed: CheckBody = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed.identifier.as_deref(), Some("wix:1.2.3.4"));
        let without: CheckBody =
            serde_json::from_str(&check_call("a", None).unwrap().body.unwrap()).unwrap();
        assert_eq!(without.config, None);
        let reset: ResetBody =
            serde_json::from_str(&reset_call("a").unwrap().body.unwrap()).unwrap();
        assert_eq!(reset.identifier.as_deref(), Some("a"));

        let allowed: Checked = decode(
            200,
            &[200, 429],
            r#"{"allowed":true,"remaining":95,"resetTime":1634567890000}"#,
        )
        .unwrap();
        assert_eq!(allowed.remaining, 95);
        assert_eq!(allowed.retry_after, None);
        let refused: Checked = decode(
            429,
            &[200, 429],
            r#"{"allowed":false,"remaining":0,"resetTime":1634567890000,"retryAfter":45}"#,
        )
        .unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, Some(45));
    }
}
