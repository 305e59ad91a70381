//! Small HTTP helpers shared by the router and the Durable Objects: JSON answers and errors
//! (`{"error": "…"}`), request parsing that reports bad input instead of failing.

use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Request, Response, Result};

/// A JSON response with `status`.
pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Response> {
    Response::builder().with_status(status).from_json(value)
}

/// `{"error": message}` with `status`.
pub fn error(status: u16, message: &str) -> Result<Response> {
    json(status, &serde_json::json!({ "error": message }))
}

pub fn not_found() -> Result<Response> {
    error(404, "not found")
}

/// 405 with the `Allow` header listing what the path accepts.
pub fn method_not_allowed(allow: &str) -> Result<Response> {
    Response::builder()
        .with_status(405)
        .with_header("Allow", allow)?
        .from_json(&serde_json::json!({ "error": format!("method not allowed; use {allow}") }))
}

/// 426 for a WebSocket path requested without `Upgrade: websocket`.
pub fn upgrade_required() -> Result<Response> {
    Response::builder()
        .with_status(426)
        .with_header("Upgrade", "websocket")?
        .from_json(&serde_json::json!({ "error": "expected Upgrade: websocket" }))
}

pub fn is_websocket_upgrade(req: &Request) -> bool {
    req.headers()
        .get("Upgrade")
        .ok()
        .flatten()
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Epoch milliseconds.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

/// The decoded query pairs of a request.
pub fn query_pairs(req: &Request) -> Result<Vec<(String, String)>> {
    Ok(req
        .url()?
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

/// The first value of query parameter `name`.
pub fn query_param(req: &Request, name: &str) -> Result<Option<String>> {
    Ok(query_pairs(req)?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v))
}

/// The JSON body, or `Ok(Err(message))` for a 400 answer. An empty body reads as `{}`.
pub async fn json_body<T: DeserializeOwned>(
    req: &mut Request,
) -> Result<std::result::Result<T, String>> {
    let text = req.text().await?;
    let text = if text.trim().is_empty() { "{}" } else { &text };
    Ok(serde_json::from_str(text).map_err(|e| format!("invalid JSON body: {e}")))
}
