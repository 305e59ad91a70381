//! The request router: input bounds first, then the user's `hooks::before` (which may answer),
//! then the rate limits whose route matches (seed 001's `checkRateLimit` as middleware), then the
//! first class route that matches (with its bearer secret, when the blueprint names one), else
//! `app::handle`; every response, the router's own errors included, goes through
//! `hooks::after`. Instance names come from each class's `instances.key`.

use serde::Deserialize;
use worker::{Context, Env, Headers, Method, Request, RequestInit, Response, Result};

use crate::http;
use crate::logic::route::{
    derive_key, iso8601, parse_key, reads_body, KeyInputs, Route, RouteMatch,
};

/// One Durable Object route (from the blueprint's `instances`, and a rate limiter's `limits`).
pub struct RouteSpec {
    /// The class the route reaches.
    pub class: &'static str,
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

/// Where a request goes, as the hooks (`src/hooks.rs`) see it.
pub struct Target<'a> {
    /// The class route that takes the request; `None`: no class route matched and `app.rs`
    /// answers it.
    pub object: Option<ObjectTarget<'a>>,
    /// The request's path as the client sent it.
    pub path: &'a str,
    /// The id the router logs with and puts in 500 answers (`CF-Ray`, else random).
    pub request_id: &'a str,
    /// The request body, already read and bounded (at most 64 KiB); `None` for `GET`/`HEAD`
    /// and for a body the router refused (413). The `Request` itself has no body left.
    pub body: Option<&'a [u8]>,
}

/// A class route a request matched.
pub struct ObjectTarget<'a> {
    /// The Durable Object class (`class_name` in the blueprint).
    pub class: &'static str,
    /// Its binding (`env.durable_object(binding)`).
    pub binding: &'static str,
    /// The route pattern (`instances.route`).
    pub route: &'static str,
    /// The instance name from `instances.key`; `None` when the request lacks a part of it (the
    /// router answers `400` after `before` let it through).
    pub instance: Option<&'a str>,
    /// The route's `:param` captures.
    pub params: &'a [(String, String)],
    /// The path the object sees (what the route's `*` captured, `/` without one).
    pub rest: &'a str,
    /// The bearer secret the blueprint requires on this route (checked after `before`).
    pub auth: Option<&'static str>,
}

impl Target<'_> {
    /// The request goes to a Durable Object (not to `app.rs`).
    pub fn is_object(&self) -> bool {
        self.object.is_some()
    }

    /// The class of the object route, if any.
    pub fn class(&self) -> Option<&'static str> {
        self.object.as_ref().map(|o| o.class)
    }
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
    query: Vec<(String, String)>,
    now: u64,
    /// The bounded body (methods that carry one).
    body: Option<Vec<u8>>,
    request_id: &'a str,
}

/// Route one request: bounds, `hooks::before`, the rate limits, the class route or `app.rs`,
/// then `hooks::after` with whatever answered (a storage or runtime error is logged and
/// becomes a generic 500 first, so `after` sees it too). No route can skip the hooks.
pub async fn handle(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    routes: &[RouteSpec],
    request_id: &str,
) -> Result<Response> {
    let path = req.path();
    // The class route is known before anything is read, so `after` can tell where even a
    // refused request was going.
    let matched = routes
        .iter()
        .filter(|s| s.limit.is_none())
        .find_map(|spec| {
            let pattern = spec.route?;
            Route::parse(pattern)
                .matches(&path)
                .map(|m| (spec, pattern, m))
        });
    let (refusal, body) = match bounded(&mut req).await {
        Ok(Ok(body)) => (None, body),
        Ok(Err(refusal)) => (Some(refusal), None),
        Err(e) => (Some(logged(request_id, &req, &e)?), None),
    };
    let incoming = Incoming {
        query: http::query_pairs(&req)?,
        now: http::now_ms(),
        req,
        env,
        body,
        request_id,
    };
    let key = match (&refusal, &matched) {
        (None, Some((spec, _, m))) => Some(instance_key(spec, m, &incoming)),
        _ => None,
    };
    let target = Target {
        object: matched.as_ref().map(|(spec, pattern, m)| ObjectTarget {
            class: spec.class,
            binding: spec.binding,
            route: pattern,
            instance: key.as_ref().and_then(|k| k.as_deref().ok()),
            params: &m.params,
            rest: &m.rest,
            auth: spec.auth,
        }),
        path: &path,
        request_id,
        body: incoming.body.as_deref(),
    };
    let response = match refusal {
        Some(r) => r,
        None => match crate::hooks::before(&incoming.req, &target, env, ctx).await? {
            Some(answer) => answer,
            None => {
                let destination = matched.as_ref().map(|(spec, _, m)| (*spec, m, key.clone()));
                match guarded(&incoming, ctx, routes, destination).await {
                    Ok(r) => r,
                    Err(e) => logged(request_id, &incoming.req, &e)?,
                }
            }
        },
    };
    // Headers of a fetched response are immutable: copy them, so `after` can set its own.
    let headers: Headers = response.headers().clone();
    let response = response.with_headers(headers);
    crate::hooks::after(&incoming.req, &target, response, env, ctx).await
}

/// Log a storage or runtime error with the request id; the client gets the id only.
fn logged(request_id: &str, req: &Request, e: &worker::Error) -> Result<Response> {
    worker::console_error!("[{request_id}] {} {}: {e}", req.method(), req.path());
    http::internal_error(request_id)
}

/// The path, query and body bounds: the bounded body (methods that carry one), or the refusal.
async fn bounded(req: &mut Request) -> Result<std::result::Result<Option<Vec<u8>>, Response>> {
    let url = req.url()?;
    if url.path().len() > MAX_PATH_BYTES {
        return Ok(Err(http::error(
            414,
            &format!("the path is longer than {MAX_PATH_BYTES} bytes"),
        )?));
    }
    if url.query().is_some_and(|q| q.len() > MAX_QUERY_BYTES) {
        return Ok(Err(http::error(
            414,
            &format!("the query is longer than {MAX_QUERY_BYTES} bytes"),
        )?));
    }
    if matches!(req.method(), Method::Get | Method::Head) {
        return Ok(Ok(None));
    }
    match http::body_bytes(req, http::MAX_BODY_BYTES).await? {
        Some(b) => Ok(Ok(Some(b))),
        None => Ok(Err(http::payload_too_large()?)),
    }
}

/// A matched class route: its spec, its match and its instance name (or why there is none).
type Destination<'r, 'm> = (
    &'r RouteSpec,
    &'m RouteMatch,
    Option<std::result::Result<String, String>>,
);

/// What follows `hooks::before`: the rate limits, then the class route (bearer secret, instance
/// name) or `app.rs`; allowed answers get the most restrictive limit's headers.
async fn guarded(
    incoming: &Incoming<'_>,
    ctx: &Context,
    routes: &[RouteSpec],
    destination: Option<Destination<'_, '_>>,
) -> Result<Response> {
    // The most restrictive allowed answer's headers are kept.
    let mut limit_headers: Option<(u64, [(&str, String); 3])> = None;
    let path = incoming.req.path();
    for spec in routes {
        let Some(limit) = &spec.limit else { continue };
        let matched = match spec.route {
            Some(pattern) => match Route::parse(pattern).matches(&path) {
                Some(m) => m,
                None => continue,
            },
            None => RouteMatch {
                params: Vec::new(),
                rest: "/".to_owned(),
            },
        };
        let key = match instance_key(spec, &matched, incoming) {
            Ok(k) => k,
            Err(e) => return http::error(400, &e),
        };
        let checked = match check_limit(incoming, spec.binding, &key, limit).await {
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
    let response = dispatch(incoming, ctx, destination).await?;
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

async fn dispatch(
    incoming: &Incoming<'_>,
    ctx: &Context,
    destination: Option<Destination<'_, '_>>,
) -> Result<Response> {
    let Some((spec, matched, key)) = destination else {
        let req = forwarded(incoming, None)?;
        return crate::app::handle(req, incoming.env, ctx).await;
    };
    if let Some(secret) = spec.auth {
        if !authorized(incoming, secret) {
            return http::unauthorized();
        }
    }
    let key = match key {
        Some(Ok(k)) => k,
        Some(Err(e)) => return http::error(400, &e),
        None => return http::error(400, "no instance name"),
    };
    let stub = incoming
        .env
        .durable_object(spec.binding)?
        .id_from_name(&key)?
        .get_stub()?;
    stub.fetch_with_request(forwarded(incoming, Some(&matched.rest))?)
        .await
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
