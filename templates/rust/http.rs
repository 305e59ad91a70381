//! Small HTTP helpers shared by the router and the Durable Objects: JSON answers and errors
//! (`{"error": "…"}`), request parsing that reports bad input instead of failing, the body
//! limit, request ids and the bearer-token check.

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

/// Largest request body accepted (bytes): the router answers 413 above it, and an object
/// reading a body never holds more.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The body, at most `max` bytes, read chunk by chunk; `Ok(None)` when it is larger.
pub async fn body_bytes(req: &mut Request, max: usize) -> Result<Option<Vec<u8>>> {
    use futures_util::StreamExt;
    if content_length(req).is_some_and(|n| n > max as u64) {
        return Ok(None);
    }
    let mut out = Vec::new();
    let Ok(mut body) = req.stream() else {
        return Ok(Some(out)); // no body
    };
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        if out.len() + chunk.len() > max {
            return Ok(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Some(out))
}

/// The declared `Content-Length`, when it is a number.
pub fn content_length(req: &Request) -> Option<u64> {
    req.headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse().ok())
}

/// The JSON body, or `Ok(Err(message))` for a 400 answer (also for a body over
/// [`MAX_BODY_BYTES`]). An empty body reads as `{}`.
pub async fn json_body<T: DeserializeOwned>(
    req: &mut Request,
) -> Result<std::result::Result<T, String>> {
    let Some(bytes) = body_bytes(req, MAX_BODY_BYTES).await? else {
        return Ok(Err(format!(
            "the body is larger than {MAX_BODY_BYTES} bytes"
        )));
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(Err("the body is not UTF-8".to_owned()));
    };
    let text = if text.trim().is_empty() { "{}" } else { text };
    Ok(serde_json::from_str(text).map_err(|e| format!("invalid JSON body: {e}")))
}

/// 413 for a body over [`MAX_BODY_BYTES`].
pub fn payload_too_large() -> Result<Response> {
    error(
        413,
        &format!("the body is larger than {MAX_BODY_BYTES} bytes"),
    )
}

/// A request id for logs and error answers: Cloudflare's `CF-Ray` when present, else random.
pub fn request_id(req: &Request) -> String {
    if let Some(ray) = req.headers().get("CF-Ray").ok().flatten() {
        if !ray.is_empty() && ray.len() <= 64 && ray.bytes().all(|b| b.is_ascii_graphic()) {
            return ray;
        }
    }
    let r = || (worker::js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("{:08x}{:08x}", r(), r())
}

/// 500 with a generic message and the request id: the cause goes to the log, never to the client.
pub fn internal_error(request_id: &str) -> Result<Response> {
    Response::builder()
        .with_status(500)
        .with_header("X-Request-Id", request_id)?
        .from_json(&serde_json::json!({ "error": "internal error", "requestId": request_id }))
}

/// 401 with `WWW-Authenticate: Bearer`.
pub fn unauthorized() -> Result<Response> {
    Response::builder()
        .with_status(401)
        .with_header("WWW-Authenticate", "Bearer")?
        .from_json(&serde_json::json!({ "error": "unauthorized" }))
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(req: &Request) -> Option<String> {
    let value = req.headers().get("Authorization").ok().flatten()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Whether `given` equals `secret`, in a time that depends only on the secret's length (not on
/// where they differ, nor on the length of what was given).
pub fn constant_time_eq(given: &[u8], secret: &[u8]) -> bool {
    let mut diff = given.len() ^ secret.len();
    for (i, s) in secret.iter().enumerate() {
        diff |= usize::from(given.get(i).copied().unwrap_or(0) ^ s);
    }
    diff == 0
}
