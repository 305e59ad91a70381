//! End to end: `doforge generate` a Rust project holding every Durable Object kind
//! (tests/fixtures/e2e/all-kinds.yaml), build it to wasm with worker-build, serve it with
//! `wrangler dev` on 127.0.0.1, and drive each kind through the generated router over HTTP and
//! WebSocket, exactly as docs/generated-project.md specifies:
//!
//! * counter: increments persist (also across a restart of the dev server);
//! * rate limiter (as middleware): 200 until the limit, then 429 with `Retry-After`;
//! * chat room (seed 002's frames): history first, join, messages with increasing timestamps,
//!   leave, `/history` newest first;
//! * audit log: stores, queries, exports CSV, and its alarm deletes exactly the expired entries;
//! * session (seed 003's body): created, read, updated, deleted, expires (alarm) and answers 404
//!   afterwards;
//! * custom: the skeleton stores and returns JSON.
//!
//! Needs scripts/setup-wasm.sh and scripts/setup-oracle.sh (both run by scripts/test.sh). Every
//! wait is bounded (polling with a deadline); timings are printed (`-- --nocapture`), never
//! asserted.

mod common;
#[path = "generate_e2e/gateway.rs"]
mod gateway;
#[path = "generate_e2e/seed_001.rs"]
mod seed_001;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::devserver::{self, poll, run_checks, DevServer, Reply};
use serde_json::{json, Value};

/// Time options of the fixture blueprint (keep in sync with all-kinds.yaml; `SESSION_TTL` is
/// `ShortSession`'s).
const AUDIT_RETENTION: Duration = Duration::from_secs(3);
const SESSION_TTL: Duration = Duration::from_secs(2);
const LIMIT: u64 = 3;
const WINDOW_SECS: u64 = 3600;
/// How long to wait for something the runtime delivers soon (a broadcast, an alarm run).
const SOON: Duration = Duration::from_secs(20);
/// The audit log's bearer token (the fixture's secret AUDIT_TOKEN, set in `.dev.vars`).
const AUDIT_TOKEN: &str = "all-kinds-audit-token";
const AUDIT_AUTH: (&str, &str) = ("Authorization", "Bearer all-kinds-audit-token");

fn blueprint() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e/all-kinds.yaml")
}

/// The reply's JSON body, after checking its status.
fn expect(server: &DevServer, reply: &Reply, status: u16) -> Value {
    server.expect(reply, status)
}

/// A JSON error body `{"error": "…"}` with the given status.
fn expect_error(server: &DevServer, reply: &Reply, status: u16) -> String {
    server.expect_error(reply, status)
}

#[test]
fn every_kind_works_through_the_generated_router() {
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("app");
    devserver::generate_and_build(
        &blueprint(),
        &project,
        Some(&format!("AUDIT_TOKEN={AUDIT_TOKEN}\n")),
        "all-kinds",
    );

    let state = scratch.path().join("state");
    {
        let server = devserver::serve(&project, &state, "all-kinds");
        // Independent instances: the kinds run side by side (the alarm waits overlap).
        run_checks(
            &server,
            &[
                ("router errors", router_errors),
                ("counter", counter),
                ("rate limiter", rate_limiter),
                ("input bounds", input_bounds),
                ("chat room", chat_room),
                ("audit log", audit_log),
                ("audit log retention", audit_retention),
                ("session", session),
                ("session expiry", session_expiry),
                ("custom", custom),
            ],
        );
    }

    // A new dev server on the same state: the counter's value was persisted.
    let server = DevServer::start(&project, "wrangler.jsonc", &state);
    let reply = server.get("/counter/visits");
    assert_eq!(expect(&server, &reply, 200), json!({ "value": 7 }));
}

fn router_errors(s: &DevServer) {
    // No route: the default app.rs answers 404 JSON.
    let reply = s.get("/nowhere");
    expect_error(s, &reply, 404);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{}",
        s.context(&reply)
    );
    // A known path with a method it does not take.
    let reply = s.send("DELETE", "/counter/errors/increment", &[], None);
    expect_error(s, &reply, 405);
    assert!(
        reply.header("allow").is_some_and(|a| a.contains("POST")),
        "405 without an Allow header naming POST: {}",
        s.context(&reply)
    );
    // An unknown path inside an object, a bad parameter, a bad JSON body.
    expect_error(s, &s.get("/counter/errors/nothing-here"), 404);
    expect_error(
        s,
        &s.send("POST", "/counter/errors/increment?amount=lots", &[], None),
        400,
    );
    expect_error(
        s,
        &s.send_raw(
            "POST",
            "/counter/errors/increment",
            &[("content-type", "application/json")],
            Some("{\"amount\": "),
        ),
        400,
    );
    expect_error(
        s,
        &s.post("/counter/errors/increment", &json!({ "amount": "lots" })),
        400,
    );
    // Nothing above changed the counter.
    assert_eq!(
        expect(s, &s.get("/counter/errors"), 200),
        json!({ "value": 0 })
    );
}

fn counter(s: &DevServer) {
    let value = |reply: Reply| expect(s, &reply, 200);
    assert_eq!(value(s.get("/counter/visits")), json!({ "value": 0 }));
    assert_eq!(
        value(s.send("POST", "/counter/visits/increment", &[], None)),
        json!({ "value": 1 })
    );
    assert_eq!(
        value(s.send("POST", "/counter/visits/increment?amount=5", &[], None)),
        json!({ "value": 6 })
    );
    assert_eq!(
        value(s.post("/counter/visits/increment", &json!({ "amount": 2 }))),
        json!({ "value": 8 })
    );
    assert_eq!(
        value(s.send("POST", "/counter/visits/decrement", &[], None)),
        json!({ "value": 7 })
    );
    assert_eq!(value(s.get("/counter/visits/")), json!({ "value": 7 }));
    // Instances are separate; reset sets the value.
    assert_eq!(
        value(s.send("POST", "/counter/other/increment?amount=3", &[], None)),
        json!({ "value": 3 })
    );
    assert_eq!(
        value(s.send("POST", "/counter/other/reset", &[], None)),
        json!({ "value": 0 })
    );
    assert_eq!(
        value(s.post("/counter/other/reset", &json!({ "amount": 42 }))),
        json!({ "value": 42 })
    );
    assert_eq!(value(s.get("/counter/visits")), json!({ "value": 7 }));
}

fn rate_limiter(s: &DevServer) {
    let alice = [("X-Client", "alice")];
    for n in 1..=LIMIT {
        let reply = s.send("POST", "/counter/limited/increment", &alice, None);
        assert_eq!(expect(s, &reply, 200), json!({ "value": n }));
        assert_eq!(
            reply.header("x-ratelimit-limit"),
            Some(LIMIT.to_string().as_str()),
            "{}",
            s.context(&reply)
        );
        assert_eq!(
            reply.header("x-ratelimit-remaining"),
            Some((LIMIT - n).to_string().as_str()),
            "{}",
            s.context(&reply)
        );
        assert!(
            reply
                .header("x-ratelimit-reset")
                .is_some_and(|r| r.len() == 24 && r.ends_with('Z')),
            "X-RateLimit-Reset is not an ISO 8601 date: {}",
            s.context(&reply)
        );
    }
    // Over the limit: 429, not forwarded to the counter.
    let reply = s.send("POST", "/counter/limited/increment", &alice, None);
    let body = expect(s, &reply, 429);
    let retry_after: u64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("429 without a numeric Retry-After: {}", s.context(&reply)));
    // A sliding window forgets the previous window's count gradually, so the wait can exceed one
    // window (at most two).
    assert!(
        (1..=2 * WINDOW_SECS).contains(&retry_after),
        "Retry-After {retry_after} outside 1..={} s: {}",
        2 * WINDOW_SECS,
        s.context(&reply)
    );
    assert_eq!(
        body["error"],
        json!("Rate limited"),
        "{}",
        s.context(&reply)
    );
    assert_eq!(body["allowed"], json!(false), "{}", s.context(&reply));
    assert_eq!(body["remaining"], json!(0), "{}", s.context(&reply));
    assert!(
        body["resetTime"].as_u64().is_some(),
        "{}",
        s.context(&reply)
    );
    assert_eq!(
        body["retryAfter"],
        json!(retry_after),
        "{}",
        s.context(&reply)
    );
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("0"));
    // Another client has its own budget, and sees that the refused request did not count.
    let reply = s.send("GET", "/counter/limited", &[("X-Client", "bob")], None);
    assert_eq!(expect(s, &reply, 200), json!({ "value": LIMIT }));
    // The limiter's key needs the header.
    let reply = s.send("POST", "/counter/limited/increment", &[], None);
    let error = expect_error(s, &reply, 400);
    assert!(error.contains("X-Client"), "{}", s.context(&reply));
}

/// Bodies over 64 KiB are refused before any object sees them; long paths too.
fn input_bounds(s: &DevServer) {
    let big = format!("{{\"data\": \"{}\"}}", "x".repeat(65 * 1024));
    let reply = s.send_raw(
        "PUT",
        "/notes/too-big",
        &[("content-type", "application/json")],
        Some(&big),
    );
    expect_error(s, &reply, 413);
    let long = format!("/notes/{}", "n".repeat(3000));
    expect_error(s, &s.get(&long), 414);
    // Nothing was stored.
    assert_eq!(
        expect(s, &s.get("/notes/too-big"), 200),
        json!({ "value": null })
    );
}

fn is_type(v: &Value, ty: &str) -> bool {
    v["type"] == json!(ty)
}

fn chat_room(s: &DevServer) {
    // Seed 002's contract: the upgrade is on the room path; the joiner gets its history first.
    let mut alice = s.websocket("/room/lobby?name=alice", &[]);
    let first = alice.expect_json(SOON, "history to alice", |_| true);
    assert_eq!(first, json!({ "type": "history", "messages": [] }));

    let mut bob = s.websocket("/room/lobby?name=bob", &[]);
    let first = bob.expect_json(SOON, "history to bob", |_| true);
    assert!(is_type(&first, "history"), "bob's first frame: {first}");
    alice.expect_json(SOON, "bob joined", |v| {
        is_type(v, "join") && v["name"] == json!("bob") && v["timestamp"].is_u64()
    });
    let members = expect(s, &s.get("/room/lobby/members"), 200);
    let members = members["members"].as_array().cloned().unwrap_or_default();
    assert!(
        members.contains(&json!("alice")) && members.contains(&json!("bob")),
        "{members:?}"
    );

    // Each receives the other's message (and the sender its own), with an id and a timestamp.
    alice.send_json(&json!({ "type": "message", "text": "hello, bob" }));
    let from_alice = |v: &Value| {
        is_type(v, "message") && v["name"] == json!("alice") && v["text"] == json!("hello, bob")
    };
    let seen = bob.expect_json(SOON, "alice's message", from_alice);
    let own = alice.expect_json(SOON, "alice's own message", from_alice);
    assert_eq!(seen, own);
    assert_eq!(
        seen["id"],
        json!(format!("message:{}", seen["timestamp"])),
        "{seen}"
    );
    bob.send_json(&json!({ "type": "message", "text": "hi alice, \"quoted\" & ünïcode" }));
    let reply = alice.expect_json(SOON, "bob's message", |v| {
        is_type(v, "message")
            && v["name"] == json!("bob")
            && v["text"] == json!("hi alice, \"quoted\" & ünïcode")
    });
    assert!(
        reply["timestamp"].as_u64() > seen["timestamp"].as_u64(),
        "timestamps increase: {seen} then {reply}"
    );
    alice.send_json(&json!({ "type": "ping" }));
    alice.expect_json(SOON, "pong", |v| is_type(v, "pong"));
    alice.send_text("{not json");
    alice.expect_json(SOON, "an error frame for a bad frame", |v| {
        is_type(v, "error")
    });

    // bob leaves: alice is told.
    bob.close(SOON);
    alice.expect_json(SOON, "bob left", |v| {
        is_type(v, "leave") && v["name"] == json!("bob")
    });

    // History: newest first over HTTP, oldest first in the joiner's history frame.
    let history = expect(s, &s.get("/room/lobby/history"), 200);
    let texts: Vec<&Value> = history
        .as_array()
        .map(|m| m.iter().map(|m| &m["text"]).collect())
        .unwrap_or_default();
    assert_eq!(
        texts,
        [
            &json!("hi alice, \"quoted\" & ünïcode"),
            &json!("hello, bob")
        ],
        "{history}"
    );
    let mut carol = s.websocket("/room/lobby?name=carol", &[]);
    let first = carol.expect_json(SOON, "history to carol", |_| true);
    let mut oldest_first = history.as_array().cloned().unwrap_or_default();
    oldest_first.reverse();
    assert_eq!(first["messages"], json!(oldest_first), "{first}");
    // Rooms are separate.
    assert_eq!(expect(s, &s.get("/room/elsewhere/history"), 200), json!([]));
    // The room path without an upgrade.
    expect_error(s, &s.get("/room/lobby"), 426);
    carol.close(SOON);
    alice.close(SOON);
}

/// Parse RFC 4180 CSV (quoted fields may hold commas, doubled quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// An audit-log request with the bearer token.
fn audit(s: &DevServer, method: &str, path: &str, body: Option<&Value>) -> Reply {
    s.send(method, path, &[AUDIT_AUTH], body)
}

fn audit_log(s: &DevServer) {
    // Commas and quotes (control characters such as line breaks are refused in `userId`).
    let tricky_user = "Smith, \"J\" & ünïcode";
    // Private by default: no token, a wrong token.
    let entry = json!({ "type": "login", "action": "password", "userId": tricky_user, "details": { "ip": "10.0.0.1" } });
    expect_error(s, &s.post("/audit/acme/log", &entry), 401);
    expect_error(
        s,
        &s.send(
            "POST",
            "/audit/acme/log",
            &[("Authorization", "Bearer nope")],
            Some(&entry),
        ),
        401,
    );
    let first = expect(s, &audit(s, "POST", "/audit/acme/log", Some(&entry)), 200);
    let second = expect(
        s,
        &audit(
            s,
            "POST",
            "/audit/acme/log",
            Some(&json!({ "type": "logout", "action": "button", "userId": "u2" })),
        ),
        200,
    );
    assert_eq!(first["success"], json!(true), "{first}");
    assert!(first["id"].is_string(), "{first}");
    assert_ne!(first["id"], second["id"]);

    // Query: everything, by type, with a limit, by time range.
    let all = expect(
        s,
        &audit(s, "POST", "/audit/acme/query", Some(&json!({}))),
        200,
    );
    let entries = all["entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 2, "{all}");
    assert_eq!(all["count"], json!(2), "{all}");
    assert_eq!(entries[0]["type"], json!("login"), "oldest first: {all}");
    assert_eq!(entries[0]["userId"], json!(tricky_user), "{all}");
    assert_eq!(entries[0]["details"], json!({ "ip": "10.0.0.1" }), "{all}");
    assert_eq!(entries[1]["details"], Value::Null, "{all}");
    let logins = expect(
        s,
        &audit(
            s,
            "POST",
            "/audit/acme/query",
            Some(&json!({ "type": "login" })),
        ),
        200,
    );
    assert_eq!(logins["count"], json!(1), "{logins}");
    let limited = expect(
        s,
        &audit(s, "POST", "/audit/acme/query", Some(&json!({ "limit": 1 }))),
        200,
    );
    assert_eq!(limited["entries"], json!([entries[0]]), "{limited}");
    assert!(limited["nextCursor"].is_string(), "{limited}");
    let after = entries[1]["timestamp"].as_i64().unwrap() + 1;
    let none = expect(
        s,
        &audit(
            s,
            "POST",
            "/audit/acme/query",
            Some(&json!({ "startTime": after })),
        ),
        200,
    );
    assert_eq!(none["entries"], json!([]), "{none}");

    // Export: JSON is {entries, count}; CSV escapes commas, quotes and line breaks.
    let exported = expect(
        s,
        &audit(s, "GET", "/audit/acme/export?format=json", None),
        200,
    );
    assert_eq!(exported, json!({ "entries": entries, "count": 2 }));
    let reply = audit(s, "GET", "/audit/acme/export?format=csv", None);
    assert_eq!(reply.status, 200, "{}", s.context(&reply));
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/csv")),
        "{}",
        s.context(&reply)
    );
    assert!(
        reply.body.contains("\"Smith, \"\"J\"\" & ünïcode\""),
        "the user is not quoted with doubled quotes: {}",
        reply.body
    );
    let rows = parse_csv(&reply.body);
    assert_eq!(
        rows.first().map(Vec::as_slice),
        Some(
            &[
                "id",
                "timestamp",
                "type",
                "action",
                "userId",
                "ip",
                "details"
            ]
            .map(String::from)[..]
        ),
        "{}",
        reply.body
    );
    assert_eq!(rows.len(), 3, "{}", reply.body);
    for (row, entry) in rows[1..].iter().zip(&entries) {
        assert_eq!(
            Some(row[0].as_str()),
            entry["id"].as_str(),
            "{}",
            reply.body
        );
        assert!(
            row[1].ends_with('Z') && row[1].len() == 24,
            "{}",
            reply.body
        );
        assert_eq!(
            Some(row[2].as_str()),
            entry["type"].as_str(),
            "{}",
            reply.body
        );
        assert_eq!(
            Some(row[3].as_str()),
            entry["action"].as_str(),
            "{}",
            reply.body
        );
        assert_eq!(
            row[4],
            entry["userId"].as_str().unwrap_or(""),
            "{}",
            reply.body
        );
    }
    let details: Value = serde_json::from_str(&rows[1][6]).expect("details column is JSON");
    assert_eq!(details, json!({ "ip": "10.0.0.1" }));
    expect_error(
        s,
        &audit(s, "GET", "/audit/acme/export?format=xml", None),
        400,
    );
    expect_error(
        s,
        &audit(
            s,
            "POST",
            "/audit/acme/log",
            Some(&json!({ "action": "no type" })),
        ),
        400,
    );
    // A log never written answers empty (and a read writes nothing).
    let empty = expect(s, &audit(s, "GET", "/audit/never/export", None), 200);
    assert_eq!(empty, json!({ "entries": [], "count": 0 }));
}

/// Entry types present in the log of `tenant`.
fn audit_types(s: &DevServer, tenant: &str) -> Vec<String> {
    let all = expect(
        s,
        &audit(
            s,
            "POST",
            &format!("/audit/{tenant}/query"),
            Some(&json!({})),
        ),
        200,
    );
    all["entries"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| e["type"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn audit_retention(s: &DevServer) {
    // Two entries half the retention apart: the alarm deletes the older one when it expires
    // while the newer one stays, then re-arms and deletes the newer one too.
    let old = expect(
        s,
        &audit(
            s,
            "POST",
            "/audit/retention/log",
            Some(&json!({ "type": "old", "action": "a" })),
        ),
        200,
    );
    std::thread::sleep(AUDIT_RETENTION / 2);
    let new = expect(
        s,
        &audit(
            s,
            "POST",
            "/audit/retention/log",
            Some(&json!({ "type": "new", "action": "a" })),
        ),
        200,
    );
    assert_eq!(audit_types(s, "retention"), ["old", "new"]);
    let within = AUDIT_RETENTION + SOON;
    let after_first = poll(within, || {
        let types = audit_types(s, "retention");
        (!types.contains(&"old".to_owned())).then_some(types)
    })
    .unwrap_or_else(|| panic!("the expired entry {old} was not deleted within {within:?}"));
    assert_eq!(
        after_first,
        ["new"],
        "only the expired entry may go (new entry: {new})"
    );
    poll(within, || {
        audit_types(s, "retention").is_empty().then_some(())
    })
    .unwrap_or_else(|| panic!("the re-armed alarm did not delete {new} within {within:?}"));
}

/// Seed 003's create body for session `id`.
fn new_session(id: &str, metadata: Value) -> Value {
    json!({ "chittyId": "01-C-PROD-0001-P-2501-A-X", "sessionId": id, "metadata": metadata })
}

fn session(s: &DevServer) {
    let created = expect(
        s,
        &s.post(
            "/session/s1",
            &new_session("s1", json!({ "user": "u1", "theme": "dark" })),
        ),
        201,
    );
    assert_eq!(created["sessionId"], json!("s1"), "{created}");
    assert_eq!(
        created["metadata"],
        json!({ "user": "u1", "theme": "dark" }),
        "{created}"
    );
    for key in ["createdAt", "updatedAt", "expiresAt"] {
        assert!(created[key].is_number(), "{key} missing: {created}");
    }
    expect_error(
        s,
        &s.post("/session/s1", &new_session("s1", json!({}))),
        409,
    );
    // A read answers the session and writes nothing (its expiry does not move).
    let read = expect(s, &s.get("/session/s1"), 200);
    assert_eq!(read, created);
    // PATCH merges; null deletes a key.
    let patched = expect(
        s,
        &s.send(
            "PATCH",
            "/session/s1",
            &[],
            Some(&json!({ "metadata": { "theme": null, "lang": "en" } })),
        ),
        200,
    );
    assert_eq!(
        patched["metadata"],
        json!({ "user": "u1", "lang": "en" }),
        "{patched}"
    );
    assert_eq!(expect(s, &s.get("/session/s1"), 200), patched);
    // PUT replaces the metadata.
    let replaced = expect(
        s,
        &s.send(
            "PUT",
            "/session/s1",
            &[],
            Some(&json!({ "metadata": { "only": 1 } })),
        ),
        200,
    );
    assert_eq!(replaced["metadata"], json!({ "only": 1 }), "{replaced}");
    // DELETE, then 404.
    let reply = s.send("DELETE", "/session/s1", &[], None);
    assert_eq!(reply.status, 204, "{}", s.context(&reply));
    expect_error(s, &s.get("/session/s1"), 404);
    expect_error(s, &s.send("DELETE", "/session/s1", &[], None), 404);
    expect_error(s, &s.get("/session/never-created"), 404);
    expect_error(
        s,
        &s.send(
            "PATCH",
            "/session/never-created",
            &[],
            Some(&json!({ "metadata": {} })),
        ),
        404,
    );
    expect_error(
        s,
        &s.post("/session/bad", &json!({ "sessionId": "bad" })),
        400,
    );
}

fn session_expiry(s: &DevServer) {
    expect(
        s,
        &s.post(
            "/short-session/short",
            &new_session("short", json!({ "step": 1 })),
        ),
        201,
    );
    // Live updates over a hibernating WebSocket, then the expiry alarm.
    let mut live = s.websocket("/short-session/short/websocket", &[]);
    expect(
        s,
        &s.send(
            "PATCH",
            "/short-session/short",
            &[],
            Some(&json!({ "metadata": { "step": 2 } })),
        ),
        200,
    );
    live.expect_json(SOON, "the session update", |v| {
        v["type"] == json!("session") && v["session"]["metadata"] == json!({ "step": 2 })
    });
    let start = Instant::now();
    live.expect_json(SESSION_TTL + SOON, "the expiry", |v| {
        v["type"] == json!("expired")
    });
    assert!(
        start.elapsed() + Duration::from_millis(200) >= SESSION_TTL,
        "expired after {:?}, before the {SESSION_TTL:?} TTL",
        start.elapsed()
    );
    expect_error(s, &s.get("/short-session/short"), 404);
}

fn custom(s: &DevServer) {
    assert_eq!(
        expect(s, &s.get("/notes/n1"), 200),
        json!({ "value": null })
    );
    let stored = json!({ "title": "a \"note\"", "tags": ["x", "y"] });
    assert_eq!(
        expect(s, &s.send("PUT", "/notes/n1", &[], Some(&stored)), 200),
        json!({ "value": stored })
    );
    assert_eq!(
        expect(s, &s.get("/notes/n1"), 200),
        json!({ "value": stored })
    );
    assert_eq!(
        expect(s, &s.get("/notes/n2"), 200),
        json!({ "value": null })
    );
}
