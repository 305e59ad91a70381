//! End to end: hooks and typed clients in a generated Rust Worker. `doforge generate` the
//! blueprint of tests/fixtures/e2e/hooks/, replace its user-owned `src/hooks.rs` and
//! `src/app.rs` with the fixture's (an API-key check on every object route, CORS preflight and
//! header, seed 001's background audit of every object request; an app using the rate
//! limiter, counter and audit log clients), build it to wasm with worker-build, serve it with
//! `wrangler dev`, and check from outside:
//!
//! * every object route (counter, chat history, chat WebSocket, audit log) is refused 401
//!   without the key, whatever the blueprint says; the blueprint's own bearer secret still
//!   applies after the hook;
//! * every response — the objects', app.rs's, the hook's, the router's 401/404/413 — carries
//!   the CORS header `after` adds; a preflight is answered by `before`;
//! * the app's clients: the counter client reaches the instance `/counter/visits` reaches, the
//!   limiter client's third call in the window is refused, the audit client's entries are read
//!   back through the router, and the entries `before` logged under `ctx.wait_until` arrive.
//!
//! Needs scripts/setup-wasm.sh and scripts/setup-oracle.sh. Waits are bounded polls; timings
//! are printed (`--nocapture`), never asserted.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::devserver::{self, poll, DevServer, Reply};
use serde_json::{json, Value};

const API_KEY: &str = "hooks-api-key";
const AUDIT_TOKEN: &str = "hooks-audit-token";
const KEY: (&str, &str) = ("X-Api-Key", API_KEY);
const BEARER: (&str, &str) = ("Authorization", "Bearer hooks-audit-token");
/// How long to wait for background work (`ctx.wait_until`) to land.
const SOON: Duration = Duration::from_secs(20);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/e2e/hooks")
        .join(name)
}

fn cors(s: &DevServer, reply: &Reply) {
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("*"),
        "the after hook's CORS header is missing: {}",
        s.context(reply)
    );
}

/// 401 from the hook (or the router), with the CORS header.
fn unauthorized(s: &DevServer, reply: &Reply) {
    assert_eq!(s.expect_error(reply, 401), "unauthorized");
    cors(s, reply);
}

#[test]
fn hooks_guard_every_object_route_and_clients_speak_the_contracts() {
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("app");
    let out = Command::new(env!("CARGO_BIN_EXE_doforge"))
        .arg("generate")
        .arg(fixture("blueprint.yaml"))
        .arg("--out")
        .arg(&project)
        .output()
        .expect("run doforge generate");
    assert!(
        out.status.success(),
        "doforge generate failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The user's files: what a user writes after the first generation.
    for file in ["hooks.rs", "app.rs"] {
        let generated = project.join("src").join(file);
        assert!(generated.is_file(), "doforge generate wrote no src/{file}");
        std::fs::copy(fixture(file), &generated).unwrap();
    }
    std::fs::write(
        project.join(".dev.vars"),
        format!("API_KEY={API_KEY}\nAUDIT_TOKEN={AUDIT_TOKEN}\n"),
    )
    .unwrap();
    let built = devserver::build(&project);
    eprintln!(
        "timing: worker-build --release --no-opt: {:.1} s",
        built.elapsed.as_secs_f64()
    );
    let server = DevServer::start(&project, "wrangler.jsonc", &scratch.path().join("state"));
    eprintln!(
        "timing: wrangler dev start-up: {:.1} s",
        server.startup.as_secs_f64()
    );
    let started = Instant::now();
    let s = &server;

    // Every object route needs the key, before anything else runs.
    unauthorized(s, &s.get("/counter/visits"));
    unauthorized(s, &s.send("POST", "/counter/visits/increment", &[], None));
    unauthorized(
        s,
        &s.send("GET", "/counter/visits", &[("X-Api-Key", "wrong")], None),
    );
    unauthorized(s, &s.get("/room/lobby/history"));
    // The audit log: the hook first (even with the blueprint's bearer), then the blueprint's
    // own secret (even with the key).
    unauthorized(
        s,
        &s.send("POST", "/audit/query", &[BEARER], Some(&json!({}))),
    );
    let reply = s.send("POST", "/audit/query", &[KEY], Some(&json!({})));
    unauthorized(s, &reply);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    // A refused request reached no object: the counter is still 0.
    let reply = s.send("GET", "/counter/visits", &[KEY], None);
    assert_eq!(s.expect(&reply, 200), json!({ "value": 0 }));
    cors(s, &reply);

    // CORS: the preflight is the hook's (no key needed), every answer has the header.
    let reply = s.send("OPTIONS", "/counter/visits/increment", &[], None);
    assert_eq!(reply.status, 204, "{}", s.context(&reply));
    cors(s, &reply);
    assert!(
        reply
            .header("access-control-allow-headers")
            .is_some_and(|h| h.contains("X-Api-Key")),
        "{}",
        s.context(&reply)
    );
    let reply = s.get("/nowhere");
    s.expect_error(&reply, 404);
    cors(s, &reply);
    let big = "x".repeat(70 * 1024);
    let reply = s.send_raw("POST", "/app/visit", &[], Some(&big));
    s.expect_error(&reply, 413);
    cors(s, &reply);

    // The app's typed clients.
    let client = ("X-Client", "alice");
    let first = s.send("POST", "/app/visit", &[client], None);
    let first = s.expect(&first, 200);
    assert_eq!(first["value"], 1, "{first}");
    assert_eq!(first["remaining"], 1, "{first}");
    let second = s.send("POST", "/app/visit", &[client], None);
    let second = s.expect(&second, 200);
    assert_eq!(second["value"], 2, "{second}");
    assert_eq!(second["remaining"], 0, "{second}");
    let third = s.send("POST", "/app/visit", &[client], None);
    cors(s, &third);
    let third = s.expect(&third, 429);
    assert!(
        third["retryAfter"].as_u64().is_some_and(|r| r >= 1),
        "{third}"
    );
    // Another client has its own budget; the counter is shared.
    let bob = s.send("POST", "/app/visit", &[("X-Client", "bob")], None);
    let bob = s.expect(&bob, 200);
    assert_eq!(bob["value"], 3, "{bob}");
    // The counter client reached the instance the router reaches for /counter/visits.
    let reply = s.send("GET", "/counter/visits", &[KEY], None);
    assert_eq!(s.expect(&reply, 200), json!({ "value": 3 }));

    // The audit client's entries, read through the router (key and bearer) …
    let query = |kind: &str| {
        let reply = s.send(
            "POST",
            "/audit/query",
            &[KEY, BEARER],
            Some(&json!({ "type": kind })),
        );
        s.expect(&reply, 200)
    };
    let visits = query("app");
    assert_eq!(visits["count"], 3, "{visits}");
    let ids: Vec<&Value> = visits["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(
        ids,
        [&first["auditId"], &second["auditId"], &bob["auditId"]]
    );
    assert_eq!(visits["entries"][0]["userId"], "alice");
    assert_eq!(visits["entries"][0]["details"], json!({ "value": 1 }));
    // … and through the app's query client: the same entries.
    let reply = s.get("/app/audit?type=app");
    let page = s.expect(&reply, 200);
    assert_eq!(page["count"], 3, "{page}");
    assert_eq!(
        page["ids"].as_array().unwrap().iter().collect::<Vec<_>>(),
        ids
    );

    // Seed 001's pattern: `before` logged every authorized object request in the background
    // (the counter reads above: two with the key), never the audit log's own.
    let audited = poll(SOON, || {
        let page = query("api_request");
        let paths: Vec<String> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["details"]["path"].as_str().map(str::to_owned))
            .collect();
        (paths.iter().filter(|p| *p == "/counter/visits").count() >= 2).then_some(page)
    })
    .unwrap_or_else(|| {
        panic!(
            "the background audit entries did not arrive within {SOON:?}: {}\n{}",
            query("api_request"),
            s.logs()
        )
    });
    let entry = &audited["entries"][0];
    assert_eq!(entry["action"], "GET", "{entry}");
    assert_eq!(entry["details"]["class"], "Counter", "{entry}");
    assert_eq!(entry["details"]["instance"], "counter:visits", "{entry}");
    assert!(
        audited["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["details"]["path"]
                .as_str()
                .unwrap_or("")
                .starts_with("/audit")),
        "the audit log's own requests were audited: {audited}"
    );

    // A WebSocket upgrade goes through both hooks (after copies the 101's headers) and works.
    let mut ws = s.websocket("/room/lobby?name=Ann", &[KEY]);
    let history = ws.expect_json(SOON, "history", |v| v["type"] == "history");
    assert_eq!(history["messages"], json!([]));
    ws.send_json(&json!({ "type": "message", "text": "hello" }));
    let message = ws.expect_json(SOON, "message", |v| v["type"] == "message");
    assert_eq!(message["text"], "hello");
    ws.close(SOON);
    let reply = s.send("GET", "/room/lobby/history", &[KEY], None);
    cors(s, &reply);
    assert_eq!(s.expect(&reply, 200)[0]["text"], "hello");

    eprintln!(
        "timing: hook and client checks: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
