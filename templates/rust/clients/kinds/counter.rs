//! The `counter` contract (seed 002's Counter), as Worker code calls it: `get`, `increment`,
//! `decrement`, `reset`; every answer is `{"value": n}`.

use serde::Deserialize;
use worker::Method;

use crate::clients::transport::{Call, ClientError, Object};

/// Every answer of a counter: `{"value": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Value {
    pub value: i64,
}

/// One counter instance.
pub struct CounterClient {
    object: Object,
}

impl CounterClient {
    pub fn new(object: Object) -> CounterClient {
        CounterClient { object }
    }

    pub fn object(&self) -> &Object {
        &self.object
    }

    /// The value (`GET /`).
    pub async fn get(&self) -> Result<i64, ClientError> {
        self.value(Call::new(Method::Get, "/", &[])).await
    }

    /// Add `n` (`POST /increment {"amount": n}`): the new value. A result outside
    /// JavaScript's safe integers is refused (400).
    pub async fn increment(&self, n: i64) -> Result<i64, ClientError> {
        self.value(amount_call("/increment", n)?).await
    }

    /// Subtract `n` (`POST /decrement {"amount": n}`).
    pub async fn decrement(&self, n: i64) -> Result<i64, ClientError> {
        self.value(amount_call("/decrement", n)?).await
    }

    /// Set the value to `to` (`POST /reset {"amount": to}`; seed 002's reset is `to = 0`).
    pub async fn reset(&self, to: i64) -> Result<i64, ClientError> {
        self.value(amount_call("/reset", to)?).await
    }

    async fn value(&self, call: Call) -> Result<i64, ClientError> {
        Ok(self.object.call::<Value>(call, &[200]).await?.value)
    }
}

/// `POST path {"amount": n}`.
pub fn amount_call(path: &str, n: i64) -> Result<Call, ClientError> {
    Call::new(Method::Post, path, &[]).json(&serde_json::json!({ "amount": n }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::transport::decode;
    use crate::logic::counter;

    #[test]
    fn the_counter_reads_what_the_client_sends() {
        let call = amount_call("/increment", 5).unwrap();
        assert_eq!(call.url, "https://durable-object.internal/increment");
        assert_eq!(
            counter::Op::from_path("/increment"),
            Some(counter::Op::Increment)
        );
        assert_eq!(
            counter::parse_amount(None, call.body.as_deref().unwrap()),
            Ok(Some(5))
        );
        let v: Value = decode(200, &[200], r#"{"value":6}"#).unwrap();
        assert_eq!(v.value, 6);
    }
}
