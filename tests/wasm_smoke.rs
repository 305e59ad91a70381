//! The wasm pipeline proven on a hand-written worker (tests/fixtures/wasm-smoke), independently
//! of the generator: worker-build builds it offline, `wrangler dev` serves it on 127.0.0.1, and
//! its Durable Object's SQLite storage, alarm and hibernating WebSockets work in the real runtime
//! (workerd), with state persisted across a restart of the dev server.
//!
//! Needs scripts/setup-wasm.sh and scripts/setup-oracle.sh (both run by scripts/test.sh).
//! Timings are printed (`cargo test --test wasm_smoke -- --nocapture`), never asserted.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::devserver::{self, DevServer};
use serde_json::{json, Value};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wasm-smoke")
}

/// How long to wait for an event the runtime delivers soon (a broadcast, an alarm).
const SOON: Duration = Duration::from_secs(15);

/// Poll `check` until it returns `Some`, every 100 ms, for at most `within`.
fn poll<T>(within: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn ok_json(server: &DevServer, reply: &devserver::Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", server.context(reply));
    reply.json()
}

#[test]
fn smoke_worker_runs_in_wrangler_dev() {
    let scratch = tempfile::tempdir().unwrap();
    let project = devserver::copy_project(&fixture(), &scratch.path().join("app"));
    let built = devserver::build(&project);
    eprintln!(
        "timing: worker-build --release --no-opt of wasm-smoke: {:.1} s",
        built.elapsed.as_secs_f64()
    );
    let state = scratch.path().join("state");

    {
        let server = DevServer::start(&project, "wrangler.toml", &state);
        eprintln!(
            "timing: wrangler dev start-up: {:.1} s",
            server.startup.as_secs_f64()
        );

        // The worker's own router answers unknown paths.
        let reply = server.get("/nowhere");
        assert_eq!(reply.status, 404, "{}", server.context(&reply));

        // SQLite storage: one counter per object name.
        for expected in 1..=3 {
            let reply = server.send("POST", "/smoke/a/hit", &[], None);
            assert_eq!(ok_json(&server, &reply), json!({ "hits": expected }));
        }
        assert_eq!(
            ok_json(&server, &server.get("/smoke/a/hits")),
            json!({ "hits": 3 })
        );
        assert_eq!(
            ok_json(&server, &server.get("/smoke/b/hits")),
            json!({ "hits": 0 })
        );

        // An alarm 200 ms ahead runs once and is then no longer pending.
        let scheduled = ok_json(
            &server,
            &server.send("POST", "/smoke/a/alarm?in_ms=200", &[], None),
        );
        assert!(scheduled["scheduled"].is_number(), "{scheduled}");
        let ran = poll(SOON, || {
            let v = ok_json(&server, &server.get("/smoke/a/alarm"));
            (v["runs"] == json!(1) && v["pending"].is_null()).then_some(v)
        });
        assert!(
            ran.is_some(),
            "the alarm did not run within {SOON:?}\n{}",
            server.logs()
        );

        // Hibernating WebSockets: messages reach every socket of the object, a close reaches the
        // others.
        let mut first = server.websocket("/smoke/room/ws", &[]);
        first.expect_json(SOON, "welcoming socket 1", |v| {
            v == &json!({ "welcome": 1 })
        });
        let mut second = server.websocket("/smoke/room/ws", &[]);
        second.expect_json(SOON, "welcoming socket 2", |v| {
            v == &json!({ "welcome": 2 })
        });
        first.send_text("hello from 1");
        let sent = json!({ "from": 1, "text": "hello from 1" });
        first.expect_json(SOON, "echoing socket 1's message", |v| v == &sent);
        second.expect_json(SOON, "relaying socket 1's message", |v| v == &sent);
        second.send_text("hi, 1");
        first.expect_json(SOON, "relaying socket 2's message", |v| {
            v == &json!({ "from": 2, "text": "hi, 1" })
        });
        second.close(SOON);
        first.expect_json(SOON, "saying socket 2 left", |v| v == &json!({ "left": 2 }));

        // Non-upgrade requests to the WebSocket endpoint are refused, not crashed on.
        let reply = server.get("/smoke/room/ws");
        assert_eq!(reply.status, 426, "{}", server.context(&reply));
    }

    // The same state directory after a restart: the data was persisted to disk.
    let server = DevServer::start(&project, "wrangler.toml", &state);
    assert_eq!(
        ok_json(&server, &server.get("/smoke/a/hits")),
        json!({ "hits": 3 })
    );
    assert_eq!(
        ok_json(&server, &server.get("/smoke/a/alarm")),
        json!({ "runs": 1, "pending": null })
    );
}

/// A dev server dropped while a test panics takes wrangler's Node process and workerd with it.
/// Served: a one-line JavaScript worker (no wasm build needed).
#[test]
fn dev_server_stops_its_processes_when_a_test_panics() {
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("js");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("index.js"),
        "export default { fetch() { return new Response('js ok'); } };\n",
    )
    .unwrap();
    std::fs::write(
        project.join("wrangler.toml"),
        "name = \"doforge-devserver-check\"\nmain = \"index.js\"\ncompatibility_date = \"2025-10-08\"\n",
    )
    .unwrap();

    let seen = Mutex::new(Vec::new());
    let outcome = std::panic::catch_unwind(|| {
        let server = DevServer::start(&project, "wrangler.toml", &scratch.path().join("state"));
        let reply = server.get("/");
        assert_eq!(reply.body, "js ok", "{}", server.context(&reply));
        seen.lock().unwrap().extend(server.process_ids());
        panic!("deliberate failure while the dev server runs");
    });
    assert!(outcome.is_err(), "the closure was meant to panic");
    let seen = seen.into_inner().unwrap();
    // wrangler's Node process and at least one workerd.
    assert!(
        seen.len() >= 2,
        "expected wrangler and workerd, saw {seen:?}"
    );
    let alive: Vec<u32> = seen
        .into_iter()
        .filter(|&p| devserver::is_alive(p))
        .collect();
    assert!(alive.is_empty(), "processes left running: {alive:?}");
}
