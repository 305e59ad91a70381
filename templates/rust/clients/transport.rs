//! What every typed client shares: the stub of one Durable Object instance, a call built once
//! (method, internal URL, JSON body) and an answer checked against the kind's contract, with
//! one error type. Building calls and reading answers are plain functions, unit-tested
//! natively; only [`Object::send`] talks to the runtime.

use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Env, Headers, Method, Request, RequestInit, Response, Stub, Url};

use crate::logic::route::{derive_key, parse_key, KeyInputs};

/// The origin of the calls: an object sees only their path and query.
pub const ORIGIN: &str = "https://durable-object.internal";

/// Why a client call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The instance name cannot be made from the blueprint's `instances.key` (a part the
    /// client was not given, a name over 512 bytes).
    Name(String),
    /// The object could not be reached: an unknown binding, a runtime error.
    Unavailable(String),
    /// The object refused the call: its status and its `{"error": …}` message (400 for a bound
    /// crossed, 404 for a missing session, 409 for a session that exists, 500 …).
    Refused { status: u16, message: String },
    /// The answer is not what the contract says (an unexpected status or JSON).
    Contract(String),
}

impl ClientError {
    /// The object's status, when it refused the call.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Name(e) => write!(f, "no instance name: {e}"),
            ClientError::Unavailable(e) => write!(f, "object unavailable: {e}"),
            ClientError::Refused { status, message } => {
                write!(f, "object answered {status}: {message}")
            }
            ClientError::Contract(e) => write!(f, "object broke its contract: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// So `?` works in handlers returning `worker::Result` (the router logs it and answers a
/// generic 500).
impl From<ClientError> for worker::Error {
    fn from(e: ClientError) -> worker::Error {
        worker::Error::RustError(e.to_string())
    }
}

/// One call to an object: built once, sent by [`Object::send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub method: Method,
    /// [`ORIGIN`], the object's path and the query (percent-encoded).
    pub url: String,
    /// A JSON body.
    pub body: Option<String>,
}

impl Call {
    /// `method path?query` without a body.
    pub fn new(method: Method, path: &str, query: &[(&str, &str)]) -> Call {
        let mut url = Url::parse(ORIGIN).expect("ORIGIN is a URL");
        url.set_path(path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Call {
            method,
            url: url.into(),
            body: None,
        }
    }

    /// With `body` as JSON (the same serde type the object reads).
    pub fn json<T: Serialize>(mut self, body: &T) -> Result<Call, ClientError> {
        let text = serde_json::to_string(body)
            .map_err(|e| ClientError::Contract(format!("unencodable body: {e}")))?;
        self.body = Some(text);
        Ok(self)
    }
}

/// The answer of a call: parsed as `T` when its status is one of `ok`; otherwise the object's
/// refusal (`{"error": message}`), or a contract error.
pub fn decode<T: DeserializeOwned>(status: u16, ok: &[u16], body: &str) -> Result<T, ClientError> {
    if ok.contains(&status) {
        return serde_json::from_str(body).map_err(|e| {
            ClientError::Contract(format!("answer {status} is not the contract's: {e}"))
        });
    }
    if (400..600).contains(&status) {
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("error")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("status {status}"));
        return Err(ClientError::Refused { status, message });
    }
    Err(ClientError::Contract(format!("unexpected status {status}")))
}

/// The name of the instance the router sends a request to, from the class's `instances.key`
/// (`None`: the captures joined with `:`): `params` are the route's captures, `date` the
/// request's `?date=` (`{date}` is today in UTC without one).
pub fn instance_name(
    key: Option<&str>,
    params: &[(&str, &str)],
    date: Option<&str>,
    now_ms: u64,
) -> Result<String, ClientError> {
    let parts = key.map(parse_key).transpose().map_err(ClientError::Name)?;
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let query: Vec<(String, String)> = date
        .map(|d| ("date".to_owned(), d.to_owned()))
        .into_iter()
        .collect();
    let no_header = |_: &str| None;
    derive_key(
        parts.as_deref(),
        &KeyInputs {
            params: &params,
            header: &no_header,
            query: &query,
            body: None,
            now_ms,
        },
    )
    .map_err(ClientError::Name)
}

/// One Durable Object instance: the stub, and what it is for messages.
pub struct Object {
    stub: Stub,
    binding: &'static str,
    name: String,
}

impl Object {
    /// Instance `name` of the class bound as `binding`.
    pub fn connect(env: &Env, binding: &'static str, name: &str) -> Result<Object, ClientError> {
        let unavailable = |e: worker::Error| ClientError::Unavailable(format!("{binding}: {e}"));
        let namespace = env.durable_object(binding).map_err(unavailable)?;
        let stub = namespace
            .id_from_name(name)
            .and_then(|id| id.get_stub())
            .map_err(unavailable)?;
        Ok(Object {
            stub,
            binding,
            name: name.to_owned(),
        })
    }

    /// The instance the router would route to (see [`instance_name`]).
    pub fn keyed(
        env: &Env,
        binding: &'static str,
        key: Option<&str>,
        params: &[(&str, &str)],
        date: Option<&str>,
    ) -> Result<Object, ClientError> {
        let name = instance_name(key, params, date, worker::Date::now().as_millis())?;
        Object::connect(env, binding, &name)
    }

    /// The instance's name (`id_from_name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn binding(&self) -> &'static str {
        self.binding
    }

    /// The stub, for what no typed method covers.
    pub fn stub(&self) -> &Stub {
        &self.stub
    }

    /// A raw request to the object's `path` (`/…`, with any query), e.g. for a `custom` class.
    pub async fn fetch(&self, path: &str, init: &RequestInit) -> worker::Result<Response> {
        let request = Request::new_with_init(&format!("{ORIGIN}{path}"), init)?;
        self.stub.fetch_with_request(request).await
    }

    /// Send `call`: the answer's status and text.
    pub async fn send(&self, call: Call) -> Result<(u16, String), ClientError> {
        let unavailable = |e: worker::Error| {
            ClientError::Unavailable(format!("{} {:?}: {e}", self.binding, self.name))
        };
        let mut init = RequestInit::new();
        init.with_method(call.method);
        if let Some(body) = call.body {
            let headers = Headers::new();
            headers
                .set("Content-Type", "application/json")
                .map_err(unavailable)?;
            init.with_headers(headers).with_body(Some(body.into()));
        }
        let request = Request::new_with_init(&call.url, &init).map_err(unavailable)?;
        let mut answer = self
            .stub
            .fetch_with_request(request)
            .await
            .map_err(unavailable)?;
        let status = answer.status_code();
        let text = answer.text().await.map_err(unavailable)?;
        Ok((status, text))
    }

    /// Send `call` and decode its answer (see [`decode`]).
    pub async fn call<T: DeserializeOwned>(
        &self,
        call: Call,
        ok: &[u16],
    ) -> Result<T, ClientError> {
        let (status, text) = self.send(call).await?;
        decode(status, ok, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn calls_are_built_once_with_an_encoded_query() {
        let call = Call::new(
            Method::Get,
            "/export",
            &[("format", "csv"), ("type", "a b&c")],
        );
        assert_eq!(
            call.url,
            "https://durable-object.internal/export?format=csv&type=a+b%26c"
        );
        assert_eq!(call.body, None);
        let call = Call::new(Method::Post, "/log", &[])
            .json(&json!({"type": "t"}))
            .unwrap();
        assert_eq!(call.url, "https://durable-object.internal/log");
        assert_eq!(call.body.as_deref(), Some(r#"{"type":"t"}"#));
    }

    #[test]
    fn answers_are_decoded_or_typed_errors() {
        let v: Value = decode(200, &[200], r#"{"value":1}"#).unwrap();
        assert_eq!(v, json!({"value": 1}));
        assert_eq!(
            decode::<Value>(404, &[200], r#"{"error":"no such session"}"#).unwrap_err(),
            ClientError::Refused {
                status: 404,
                message: "no such session".into()
            }
        );
        assert_eq!(
            decode::<Value>(502, &[200], "bad gateway")
                .unwrap_err()
                .status(),
            Some(502)
        );
        assert!(matches!(
            decode::<Value>(200, &[200], "not json"),
            Err(ClientError::Contract(_))
        ));
        assert!(matches!(
            decode::<Value>(302, &[200], ""),
            Err(ClientError::Contract(_))
        ));
    }

    #[test]
    fn instance_names_follow_the_blueprint_key() {
        // 2021-10-18T12:00:00Z
        let now = 1_634_558_400_000;
        assert_eq!(
            instance_name(Some("audit:{date}"), &[], None, now).unwrap(),
            "audit:2021-10-18"
        );
        assert_eq!(
            instance_name(Some("audit:{date}"), &[], Some("2021-10-17"), now).unwrap(),
            "audit:2021-10-17"
        );
        assert_eq!(
            instance_name(Some("counter:{name}"), &[("name", "visits")], None, now).unwrap(),
            "counter:visits"
        );
        assert_eq!(
            instance_name(
                Some("session:{session_id|body:sessionId}"),
                &[("session_id", "abc")],
                None,
                now
            )
            .unwrap(),
            "session:abc"
        );
        assert_eq!(
            instance_name(None, &[("a", "x"), ("b", "y")], None, now).unwrap(),
            "x:y"
        );
        assert!(matches!(
            instance_name(Some("{header:X-User}"), &[], None, now),
            Err(ClientError::Name(_))
        ));
        assert!(matches!(
            instance_name(Some("audit:{date}"), &[], Some("yesterday"), now),
            Err(ClientError::Name(_))
        ));
    }
}
