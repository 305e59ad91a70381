//! Hooks around every request the router handles — class routes and `app.rs` alike, so no
//! route can skip them: `before` may answer a request (authentication, CORS preflight,
//! validation), `after` sees every response (add headers, log).
//!
//! doforge wrote this file once and it is yours: `doforge generate` never rewrites it,
//! not even with `--force` (delete it and generate again to get the template back). The typed
//! clients in `crate::clients` call the Durable Objects for you (see README.md, "Hooks and
//! clients").

use worker::{Context, Env, Request, Response, Result};

use crate::router::Target;

/// Runs for every request after the router's input bounds (body, path, query) and before the
/// rate limits, the route's bearer secret, the object or `app.rs`. `Ok(Some(response))`
/// answers the request here (it still goes through [`after`]); `Ok(None)` lets it through.
/// `target` says where it is going: `target.object` is the class route (class, binding,
/// route, instance name), `None` for `app.rs`; `target.body` is the bounded body.
pub async fn before(
    _req: &Request,
    _target: &Target<'_>,
    _env: &Env,
    _ctx: &Context,
) -> Result<Option<Response>> {
    Ok(None)
}

/// Runs with every response: the object's, `app.rs`'s, [`before`]'s and the router's own
/// (400, 401, 413, 414, 429, a generic 500). Its headers can be changed
/// (`response.headers_mut().set(…)`). Work that must not delay the answer goes to
/// `ctx.wait_until`.
pub async fn after(
    _req: &Request,
    _target: &Target<'_>,
    response: Response,
    _env: &Env,
    _ctx: &Context,
) -> Result<Response> {
    Ok(response)
}
