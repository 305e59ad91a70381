//! Example 02 (seed 001, WIRED CHAOS) generated as it ships, built and served by `wrangler dev`,
//! and driven with the seed's own example requests: the JSON bodies printed in the guide's
//! "API Endpoints" sections, the per-route limits (the 101st Wix request, the 51st Gamma
//! request), the audit log's bearer secret (401s), the body limit (413) and a past day's log
//! reached with `?date=`.

use std::path::Path;
use std::time::{Duration, Instant};

use super::common::devserver::{self, DevServer, Reply};
use serde_json::{json, Value};

const TOKEN: &str = "e2e-audit-admin-token";
const DAY_MS: u64 = 86_400_000;

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// `YYYY-MM-DD` (UTC) of epoch ms.
fn utc_date(ms: u64) -> String {
    let days = (ms / DAY_MS) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn expect(s: &DevServer, reply: &Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "{}", s.context(reply));
    if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    }
}

fn auth() -> String {
    format!("Bearer {TOKEN}")
}

/// A request with the admin token.
fn admin(s: &DevServer, method: &str, path: &str, body: Option<&Value>) -> Reply {
    let header = auth();
    s.send(method, path, &[("Authorization", header.as_str())], body)
}

/// The rate limits are fixed per minute: start a burst early in a window, so 150 requests
/// cannot straddle a window boundary.
fn wait_for_fresh_window() {
    let into = now_ms() % 60_000;
    if into > 30_000 {
        std::thread::sleep(Duration::from_millis(60_000 - into + 500));
    }
}

#[test]
fn example_02_speaks_seed_001() {
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("app");
    let blueprint =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/02-wired-chaos/blueprint.yaml");
    // The secret, as `wrangler dev` reads it locally.
    devserver::generate_and_build(
        &blueprint,
        &project,
        Some(&format!("AUDIT_ADMIN_TOKEN={TOKEN}\n")),
        "example 02",
    );
    let server = devserver::serve(&project, &scratch.path().join("state"), "example 02");
    let started = Instant::now();
    audit_log(&server);
    audit_bounds(&server);
    audit_past_day(&server);
    wait_for_fresh_window();
    rate_limit(&server, "/api/wix/content", "203.0.113.7", 100);
    rate_limit(&server, "/api/gamma/generate", "203.0.113.7", 50);
    eprintln!(
        "timing: seed 001 checks: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// `limit` requests pass (with `X-RateLimit-*` headers counting down), the next is refused as
/// seed 001's middleware and seed 002's router refuse it.
fn rate_limit(s: &DevServer, path: &str, ip: &str, limit: u64) {
    let headers = [("CF-Connecting-IP", ip)];
    for n in 1..=limit {
        let reply = s.send("GET", path, &headers, None);
        // Allowed: the request reaches app.rs (the upstream call is the user's code: 404 here).
        assert_ne!(
            reply.status,
            429,
            "request {n} of {limit} refused: {}",
            s.context(&reply)
        );
        assert_eq!(
            reply.header("x-ratelimit-remaining"),
            Some((limit - n).to_string().as_str()),
            "request {n}: {}",
            s.context(&reply)
        );
        let reset = reply.header("x-ratelimit-reset").unwrap_or_default();
        assert!(
            reset.len() == 24 && reset.ends_with('Z') && reset.as_bytes()[10] == b'T',
            "X-RateLimit-Reset is not an ISO 8601 date: {}",
            s.context(&reply)
        );
    }
    let reply = s.send("GET", path, &headers, None);
    let body = expect(s, &reply, 429);
    assert_eq!(
        body["error"],
        json!("Rate limited"),
        "{}",
        s.context(&reply)
    );
    assert_eq!(body["allowed"], json!(false));
    assert_eq!(body["remaining"], json!(0));
    assert!(
        body["resetTime"]
            .as_u64()
            .is_some_and(|t| t > now_ms() - 60_000),
        "{body}"
    );
    let retry: u64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("429 without Retry-After: {}", s.context(&reply)));
    assert!(
        (1..=60).contains(&retry),
        "Retry-After {retry}: {}",
        s.context(&reply)
    );
    assert_eq!(body["retryAfter"], json!(retry));
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("0"));
    // Another client has its own budget.
    let other = s.send("GET", path, &[("CF-Connecting-IP", "198.51.100.9")], None);
    assert_ne!(other.status, 429, "{}", s.context(&other));
}

fn audit_log(s: &DevServer) {
    // The seed's POST /log request body, verbatim.
    let seed_log = json!({
        "type": "wix_request",
        "action": "api_call",
        "userId": "user-123",
        "ip": "1.2.3.4",
        "details": {
            "path": "/api/wix/content",
            "method": "POST"
        }
    });
    // No token, a wrong token, another scheme: 401, and nothing logged.
    for headers in [
        vec![],
        vec![("Authorization", "Bearer wrong-token")],
        vec![("Authorization", "Basic ZTJlOmUyZQ==")],
        vec![("Authorization", "Bearer e2e-audit-admin-tokenX")],
    ] {
        for (method, path) in [
            ("POST", "/audit/log"),
            ("POST", "/audit/query"),
            ("GET", "/audit/export?format=csv"),
        ] {
            let body = (method == "POST").then_some(&seed_log);
            let reply = s.send(method, path, &headers, body);
            assert_eq!(reply.status, 401, "{headers:?}: {}", s.context(&reply));
        }
    }
    let logged = expect(s, &admin(s, "POST", "/audit/log", Some(&seed_log)), 200);
    assert_eq!(logged["success"], json!(true), "{logged}");
    let id = logged["id"]
        .as_str()
        .unwrap_or_else(|| panic!("id is not a string: {logged}"));
    let second = expect(
        s,
        &admin(
            s,
            "POST",
            "/audit/log",
            Some(
                &json!({ "type": "=cmd|' /C calc'!A0", "action": "@SUM(1+1)", "details": { "n": 1 } }),
            ),
        ),
        200,
    );
    assert_ne!(second["id"], logged["id"]);

    // The seed's POST /query body, verbatim: a range in 2021, so nothing of today matches.
    let seed_query = json!({
        "startTime": 1634567890000_u64,
        "endTime": 1634654290000_u64,
        "type": "wix_request",
        "limit": 100
    });
    let none = expect(s, &admin(s, "POST", "/audit/query", Some(&seed_query)), 200);
    assert_eq!(none, json!({ "entries": [], "count": 0 }));
    let mut today = seed_query.clone();
    today["startTime"] = json!(now_ms() - 3_600_000);
    today["endTime"] = json!(now_ms() + 60_000);
    let found = expect(s, &admin(s, "POST", "/audit/query", Some(&today)), 200);
    assert_eq!(found["count"], json!(1), "{found}");
    let entry = &found["entries"][0];
    assert_eq!(entry["id"], json!(id));
    for (field, value) in [
        ("type", json!("wix_request")),
        ("action", json!("api_call")),
        ("userId", json!("user-123")),
        ("ip", json!("1.2.3.4")),
        (
            "details",
            json!({ "path": "/api/wix/content", "method": "POST" }),
        ),
    ] {
        assert_eq!(entry[field], value, "{field}: {found}");
    }
    assert!(entry["timestamp"].as_u64().is_some(), "{found}");
    // Paging: limit 1 gives a cursor to the next entry.
    let page = expect(
        s,
        &admin(s, "POST", "/audit/query", Some(&json!({ "limit": 1 }))),
        200,
    );
    assert_eq!(page["count"], json!(1), "{page}");
    let cursor = page["nextCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("no nextCursor: {page}"));
    let next = expect(
        s,
        &admin(
            s,
            "POST",
            "/audit/query",
            Some(&json!({ "limit": 1, "cursor": cursor })),
        ),
        200,
    );
    assert_eq!(next["entries"][0]["id"], second["id"], "{next}");
    assert!(next.get("nextCursor").is_none(), "{next}");

    // GET /export?format=json → {entries, count}; csv → the seed's header, ISO times, no formulas.
    let exported = expect(s, &admin(s, "GET", "/audit/export?format=json", None), 200);
    assert_eq!(exported["count"], json!(2), "{exported}");
    assert_eq!(exported["entries"][0]["id"], json!(id), "{exported}");
    let reply = admin(s, "GET", "/audit/export?format=csv", None);
    assert_eq!(reply.status, 200, "{}", s.context(&reply));
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/csv")),
        "{}",
        s.context(&reply)
    );
    let lines: Vec<&str> = reply.body.lines().collect();
    assert_eq!(
        lines[0], "id,timestamp,type,action,userId,ip,details",
        "{}",
        reply.body
    );
    assert_eq!(lines.len(), 3, "{}", reply.body);
    let first: Vec<&str> = lines[1].splitn(3, ',').collect();
    assert_eq!(first[0], id, "{}", reply.body);
    assert!(
        first[1].len() == 24 && first[1].ends_with('Z'),
        "timestamp is not ISO 8601: {}",
        reply.body
    );
    assert!(
        lines[2].contains(",'=cmd|' /C calc'!A0,'@SUM(1+1),"),
        "formula cells are not neutralised: {}",
        reply.body
    );
}

fn audit_bounds(s: &DevServer) {
    let header = auth();
    let big = format!(
        "{{\"type\":\"x\",\"action\":\"y\",\"details\":{{\"blob\":\"{}\"}}}}",
        "a".repeat(70 * 1024)
    );
    let reply = s.send_raw(
        "POST",
        "/audit/log",
        &[
            ("Authorization", header.as_str()),
            ("content-type", "application/json"),
        ],
        Some(&big),
    );
    assert_eq!(reply.status, 413, "{}", s.context(&reply));
    // Field lengths and numbers a JavaScript client would round.
    let long = json!({ "type": "t".repeat(200), "action": "a" });
    expect(s, &admin(s, "POST", "/audit/log", Some(&long)), 400);
    let unsafe_number = r#"{"startTime": 9007199254740993}"#;
    let reply = s.send_raw(
        "POST",
        "/audit/query",
        &[
            ("Authorization", header.as_str()),
            ("content-type", "application/json"),
        ],
        Some(unsafe_number),
    );
    assert_eq!(reply.status, 400, "{}", s.context(&reply));
    let reply = admin(
        s,
        "POST",
        "/audit/log",
        Some(&json!({ "type": "t", "action": "a", "details": { "n": 9007199254740993_u64 } })),
    );
    assert_eq!(reply.status, 400, "{}", s.context(&reply));
    expect(s, &admin(s, "GET", "/audit/export?format=xml", None), 400);
    expect(
        s,
        &admin(s, "GET", "/audit/export?date=2024-02-30", None),
        400,
    );
}

fn audit_past_day(s: &DevServer) {
    let yesterday_ms = now_ms() - DAY_MS;
    let yesterday = utc_date(yesterday_ms);
    let entry = json!({ "type": "import", "action": "backfill", "timestamp": yesterday_ms });
    // Today's log does not take yesterday's entry; yesterday's does.
    expect(s, &admin(s, "POST", "/audit/log", Some(&entry)), 400);
    let path = format!("/audit/log?date={yesterday}");
    let logged = expect(s, &admin(s, "POST", &path, Some(&entry)), 200);
    let id = logged["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with(&yesterday.replace('-', "")), "{logged}");
    let query = format!("/audit/query?date={yesterday}");
    let found = expect(s, &admin(s, "POST", &query, Some(&json!({}))), 200);
    assert_eq!(found["count"], json!(1), "{found}");
    assert_eq!(found["entries"][0]["id"], json!(id));
    let export = format!("/audit/export?format=json&date={yesterday}");
    let exported = expect(s, &admin(s, "GET", &export, None), 200);
    assert_eq!(exported["entries"][0]["id"], json!(id), "{exported}");
    // Today's log does not hold it.
    let today = expect(
        s,
        &admin(
            s,
            "POST",
            "/audit/query",
            Some(&json!({ "type": "import" })),
        ),
        200,
    );
    assert_eq!(today["count"], json!(0), "{today}");
}
