//! The request router: input bounds first, then the rate limits whose route matches (seed 001's
//! `checkRateLimit` as middleware), then the first class route that matches (with its bearer
//! secret, when the blueprint names one), then `app::handle`. Instance names come from each
//! class's `instances.key`.

use serde::Deserialize;
use worker::{Context, Env, Headers, Method, Request, RequestInit, Response, Result};

use crate::http;
use crate::logic::route::{
    derive_key, iso8601, parse_key, reads_body, KeyInputs, Route, RouteMatch,
};

/// One Durable Object route (from the blueprint's `instances`, and a rate limiter's `limits`).
pub struct RouteSpec {
    /// The Durable Object binding (`env.durable_object(binding)`).
    pub binding: &'static str,
    /// The path pattern; `None`: no public route (a rate limit without one guards every request).
    pub route: Option<&'static str>,
    /// `instances.key`; `None`: the route captures joined with `:`.
    pub key: Option<&'static str>,
    /// A rate limit: middleware in front of what it matches, never a destination.
    pub limit: Option<LimitSpec>,
    /// The secret whose value the route requires as `Authorization: Bearer <value>`.
    pub auth: Option<&'static str>,
}

/// One rate limit, passed to the limiter as `config` of `POST /check`.
pub struct LimitSpec {
    pub requests: u64,
    pub window_ms: u64,
    /// When the limiter itself fails: let the request through (seed 001: fail open) or 503.
    pub fail_open: bool,
}

/// Longest request path and query accepted (bytes).
pub const MAX_PATH_BYTES: usize = 2048;
pub const MAX_QUERY_BYTES: usize = 4096;

/// The limiter's answer (seed 001 §1).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checked {
    allowed: bool,
    remaining: u64,
    reset_time: u64,
    #[serde(default)]
    retry_after: Option<u64>,
}

/// What every step of one request sees.
struct Incoming<'a> {
    req: Request,
    env: &'a Env,
    path: String,
    query: Vec<(String, String)>,
    now: u64,
    /// The bounded body (methods that carry one).
    body: Option<Vec<u8>>,
    request_id: &'a str,
}

pub async fn handle(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    routes: &[RouteSpec],
    request_id: &str,
) -> Result<Response> {
    let url = req.url()?;
    if url.path().len() > MAX_PATH_BYTES {
        return http::error(
            414,
            &format!("the path is longer than {MAX_PATH_BYTES} bytes"),
        );
    }
    if url.query().is_some_and(|q| q.len() > MAX_QUERY_BYTES) {
        return http::error(
            414,
            &format!("the query is longer than {MAX_QUERY_BYTES} bytes"),
        );
    }
    let body = if matches!(req.method(), Method::Get | Method::Head) {
        None
    } else {
        match http::body_bytes(&mut req, http::MAX_BODY_BYTES).await? {
            Some(b) => Some(b),
            None => return http::payload_too_large(),
        }
    };
    let incoming = Incoming {
        path: req.path(),
        query: http::query_pairs(&req)?,
        now: http::now_ms(),
        req,
        env,
        body,
        request_id,
    };
    // The most restrictive allowed answer's headers are kept.
    let mut limit_headers: Option<(u64, [(&str, String); 3])> = None;
    for spec in routes {
        let Some(limit) = &spec.limit else { continue };
        let matched = match spec.route {
            Some(pattern) => match Route::parse(pattern).matches(&incoming.path) {
                Some(m) => m,
                None => continue,
            },
            None => RouteMatch {
                params: Vec::new(),
                rest: "/".to_owned(),
            },
        };
        let key = match instance_key(spec, &matched, &incoming) {
            Ok(k) => k,
            Err(e) => return http::error(400, &e),
        };
        let checked = match check_limit(&incoming, spec.binding, &key, limit).await {
            Ok(c) => c,
            Err(e) => {
                worker::console_error!(
                    "[{}] rate limiter {} failed for {key:?}: {e}",
                    incoming.request_id,
                    spec.binding
                );
                if limit.fail_open {
                    continue;
                }
                return http::error(503, "rate limiter unavailable");
            }
        };
        if !checked.allowed {
            return refused(&checked, limit);
        }
        if limit_headers
            .as_ref()
            .is_none_or(|(r, _)| checked.remaining < *r)
        {
            limit_headers = Some((
                checked.remaining,
                [
                    ("X-RateLimit-Limit", limit.requests.to_string()),
                    ("X-RateLimit-Remaining", checked.remaining.to_string()),
                    ("X-RateLimit-Reset", iso8601(checked.reset_time)),
                ],
            ));
        }
    }
    let response = dispatch(incoming, ctx, routes).await?;
    match limit_headers {
        None => Ok(response),
        Some((_, extra)) => {
            // Headers of a fetched response are immutable: copy them.
            let headers: Headers = response.headers().clone();
            for (name, value) in extra {
                headers.set(name, &value)?;
            }
            Ok(response.with_headers(headers))
        }
    }
}

/// `POST /check {identifier, config}` to the limiter instance `key`; an error or an answer that
/// is not the limiter's contract is a failure of the limiter.
async fn check_limit(
    incoming: &Incoming<'_>,
    binding: &str,
    key: &str,
    limit: &LimitSpec,
) -> std::result::Result<Checked, String> {
    let body = serde_json::json!({
        "identifier": key,
        "config": { "requests": limit.requests, "windowMs": limit.window_ms },
    });
    let namespace = incoming
        .env
        .durable_object(binding)
        .map_err(|e| e.to_string())?;
    let stub = namespace
        .id_from_name(key)
        .and_then(|id| id.get_stub())
        .map_err(|e| e.to_string())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(body.to_string().into()));
    let request =
        Request::new_with_init("https://rate-limiter/check", &init).map_err(|e| e.to_string())?;
    let mut answer = stub
        .fetch_with_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status_code();
    if status != 200 && status != 429 {
        return Err(format!("answered {status}"));
    }
    answer
        .json::<Checked>()
        .await
        .map_err(|e| format!("unreadable answer: {e}"))
}

/// Seed 002's refusal (`{"error": "Rate limited"}`, 429) with seed 001's fields and headers.
fn refused(checked: &Checked, limit: &LimitSpec) -> Result<Response> {
    let retry = checked.retry_after.unwrap_or(1).max(1);
    Response::builder()
        .with_status(429)
        .with_header("Retry-After", &retry.to_string())?
        .with_header("X-RateLimit-Limit", &limit.requests.to_string())?
        .with_header("X-RateLimit-Remaining", "0")?
        .with_header("X-RateLimit-Reset", &iso8601(checked.reset_time))?
        .from_json(&serde_json::json!({
            "error": "Rate limited",
            "allowed": false,
            "remaining": 0,
            "resetTime": checked.reset_time,
            "retryAfter": retry,
        }))
}

async fn dispatch(incoming: Incoming<'_>, ctx: &Context, routes: &[RouteSpec]) -> Result<Response> {
    for spec in routes.iter().filter(|s| s.limit.is_none()) {
        let Some(pattern) = spec.route else { continue };
        let Some(matched) = Route::parse(pattern).matches(&incoming.path) else {
            continue;
        };
        if let Some(secret) = spec.auth {
            if !authorized(&incoming, secret) {
                return http::unauthorized();
            }
        }
        let key = match instance_key(spec, &matched, &incoming) {
            Ok(k) => k,
            Err(e) => return http::error(400, &e),
        };
        let stub = incoming
            .env
            .durable_object(spec.binding)?
            .id_from_name(&key)?
            .get_stub()?;
        return stub
            .fetch_with_request(forwarded(&incoming, Some(&matched.rest))?)
            .await;
    }
    let req = forwarded(&incoming, None)?;
    crate::app::handle(req, incoming.env, ctx).await
}

/// `Authorization: Bearer <token>` equal to the secret's value (constant-time compare). A
/// secret that is not set refuses everyone, and says so in the log.
fn authorized(incoming: &Incoming<'_>, secret: &str) -> bool {
    let expected = match incoming.env.secret(secret) {
        Ok(s) => s.to_string(),
        Err(_) => {
            worker::console_error!(
                "[{}] secret {secret} is not set: every request to this route is refused (wrangler secret put {secret})",
                incoming.request_id
            );
            return false;
        }
    };
    if expected.is_empty() {
        return false;
    }
    http::bearer_token(&incoming.req)
        .is_some_and(|token| http::constant_time_eq(token.as_bytes(), expected.as_bytes()))
}

fn instance_key(
    spec: &RouteSpec,
    matched: &RouteMatch,
    incoming: &Incoming<'_>,
) -> std::result::Result<String, String> {
    let template = spec.key.map(parse_key).transpose()?;
    // A `{body:…}` part reads the (already bounded) body; a body that is not JSON leaves the
    // part missing (400).
    let body = match &template {
        Some(parts) if reads_body(parts) => incoming
            .body
            .as_deref()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok()),
        _ => None,
    };
    let header = |name: &str| incoming.req.headers().get(name).ok().flatten();
    derive_key(
        template.as_deref(),
        &KeyInputs {
            params: &matched.params,
            header: &header,
            query: &incoming.query,
            body: body.as_ref(),
            now_ms: incoming.now,
        },
    )
}

/// The request as the next step sees it: same method, headers, query and (bounded) body; the
/// path the route's `*` captured (`rest`), or the original path (`None`).
fn forwarded(incoming: &Incoming<'_>, rest: Option<&str>) -> Result<Request> {
    let mut url = incoming.req.url()?;
    if let Some(rest) = rest {
        url.set_path(rest);
    }
    let mut init = RequestInit::new();
    init.with_method(incoming.req.method())
        .with_headers(incoming.req.headers().clone());
    if let Some(body) = &incoming.body {
        let bytes = worker::js_sys::Uint8Array::from(body.as_slice());
        init.with_body(Some(bytes.into()));
    }
    Request::new_with_init(url.as_str(), &init)
}
