//! The request router: rate-limit middleware first, then the first class route that matches,
//! then `app::handle`. Instance names come from each class's `instances.key`.

use worker::{Context, Env, Headers, Method, Request, RequestInit, Response, Result};

use crate::http;
use crate::logic::route::{derive_key, parse_key, reads_body, KeyInputs, Route, RouteMatch};

/// Largest request body read to find a `{body:…}` key part (its JSON is parsed once more by the
/// object); a larger or unsized body leaves the part missing (400).
const KEY_BODY_LIMIT: usize = 64 * 1024;

/// One Durable Object class the Worker routes to (from the blueprint's `instances`).
pub struct RouteSpec {
    /// The Durable Object binding (`env.durable_object(binding)`).
    pub binding: &'static str,
    /// `instances.route`; `None`: the class has no public route (a rate limiter without one
    /// guards every request).
    pub route: Option<&'static str>,
    /// `instances.key`; `None`: the route captures joined with `:`.
    pub key: Option<&'static str>,
    /// A `rate_limiter` class: middleware in front of the routes it matches.
    pub limiter: bool,
}

const LIMIT_HEADERS: [&str; 3] = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
];

pub async fn handle(
    req: Request,
    env: &Env,
    ctx: &Context,
    routes: &[RouteSpec],
) -> Result<Response> {
    let path = req.path();
    let query = http::query_pairs(&req)?;
    let now = http::now_ms();
    // Rate limiters whose route matches: the most restrictive allowed answer's headers are kept.
    let mut limit_headers: Option<(u64, Vec<(&str, String)>)> = None;
    for spec in routes.iter().filter(|s| s.limiter) {
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
        let key = match instance_key(spec, &matched, &req, &query, now).await? {
            Ok(k) => k,
            Err(e) => return http::error(400, &e),
        };
        let stub = env
            .durable_object(spec.binding)?
            .id_from_name(&key)?
            .get_stub()?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post);
        let check = stub
            .fetch_with_request(Request::new_with_init("https://rate-limiter/check", &init)?)
            .await?;
        if check.status_code() != 200 {
            return Ok(check); // 429 (or an error) with the limiter's body and headers
        }
        let mut headers = Vec::new();
        for name in LIMIT_HEADERS {
            if let Some(v) = check.headers().get(name)? {
                headers.push((name, v));
            }
        }
        let remaining = check
            .headers()
            .get("X-RateLimit-Remaining")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX);
        if limit_headers.as_ref().is_none_or(|(r, _)| remaining < *r) {
            limit_headers = Some((remaining, headers));
        }
    }
    let response = dispatch(req, env, ctx, routes, &path, &query, now).await?;
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

async fn dispatch(
    req: Request,
    env: &Env,
    ctx: &Context,
    routes: &[RouteSpec],
    path: &str,
    query: &[(String, String)],
    now: u64,
) -> Result<Response> {
    for spec in routes.iter().filter(|s| !s.limiter) {
        let Some(pattern) = spec.route else { continue };
        let Some(matched) = Route::parse(pattern).matches(path) else {
            continue;
        };
        let key = match instance_key(spec, &matched, &req, query, now).await? {
            Ok(k) => k,
            Err(e) => return http::error(400, &e),
        };
        let stub = env
            .durable_object(spec.binding)?
            .id_from_name(&key)?
            .get_stub()?;
        return stub
            .fetch_with_request(forwarded(&req, &matched.rest)?)
            .await;
    }
    crate::app::handle(req, env, ctx).await
}

async fn instance_key(
    spec: &RouteSpec,
    matched: &RouteMatch,
    req: &Request,
    query: &[(String, String)],
    now: u64,
) -> Result<std::result::Result<String, String>> {
    let template = match spec.key.map(parse_key).transpose() {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let body = match &template {
        Some(parts) if reads_body(parts) => key_body(req).await?,
        _ => None,
    };
    let header = |name: &str| req.headers().get(name).ok().flatten();
    Ok(derive_key(
        template.as_deref(),
        &KeyInputs {
            params: &matched.params,
            header: &header,
            query,
            body: body.as_ref(),
            now_ms: now,
        },
    ))
}

/// The JSON body of a request whose instance key reads it, from a copy (the request itself is
/// forwarded with its body); `None` when absent, over [`KEY_BODY_LIMIT`] or not JSON.
async fn key_body(req: &Request) -> Result<Option<serde_json::Value>> {
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_none_or(|n| n > KEY_BODY_LIMIT) {
        return Ok(None);
    }
    let text = req.clone()?.text().await?;
    Ok(serde_json::from_str(&text).ok())
}

/// The request as the object sees it: same method, headers, body and query; the path the
/// route's `*` captured.
fn forwarded(req: &Request, rest: &str) -> Result<Request> {
    let mut url = req.url()?;
    url.set_path(rest);
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(req.headers().clone());
    if !matches!(req.method(), Method::Get | Method::Head) {
        init.with_body(req.inner().body().map(Into::into));
    }
    Request::new_with_init(url.as_str(), &init)
}
