//! Requests that no Durable Object route takes end here.
//!
//! doforge wrote this file once and it is yours: put your own routes here. `doforge generate`
//! never rewrites it, not even with `--force` (delete it and generate again to get the template
//! back).

use worker::{Context, Env, Request, Response, Result};

{{#if upstream}}
/// Answer a request no class route matched (after the rate limiters that guard it allowed it):
/// forwarded to the blueprint's `upstream` (`src/upstream.rs`).
pub async fn handle(req: Request, env: &Env, _ctx: &Context) -> Result<Response> {
    crate::upstream::forward(req, env).await
}
{{else}}
/// Answer a request no class route matched (after the rate limiters that guard it allowed it).
pub async fn handle(req: Request, _env: &Env, _ctx: &Context) -> Result<Response> {
    crate::http::error(
        404,
        &format!("no route for {} {}", req.method(), req.path()),
    )
}
{{/if}}
