//! The `doforge init --template rate-limiter` blueprint (blueprints/rate-limiter.yaml) generated
//! as it ships, built and served by `wrangler dev` in front of a tiny local upstream (a thread
//! here that records what it receives), plus the failure paths every generated Worker has:
//!
//! * the front door forwards allowed requests to `UPSTREAM_URL` with `UPSTREAM_TOKEN` as the
//!   bearer (method, path under the URL's own path, query, headers, body; the answer back as it
//!   is), the 101st request of a client is refused and never reaches the upstream, an upstream
//!   that fails is a generic 502 and one that hangs a 504, the cause logged with the request id;
//! * a rate limiter that fails lets the request through and logs it (seed 001: fail open); one
//!   with `on_failure: closed` answers 503;
//! * an internal error in a Durable Object answers a generic 500 with a request id and no
//!   internal text, the cause in the log; a panic reaches the log through the panic hook (its
//!   message and location) and never the client.
//!
//! The failures are injected into the generated project before it is built: a limiter fails for
//! the identifier `inject-failure`, and a `custom` class (added to the template's blueprint with
//! a second, `on_failure: closed` limiter) errs on `/error` and panics on `/panic`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::common::devserver::{self, poll, run_checks, DevServer, Reply};
use serde_json::{json, Value};

const TEMPLATE: &str = include_str!("../../blueprints/rate-limiter.yaml");
const UPSTREAM_TOKEN: &str = "e2e-upstream-token-51c2";
/// Text the injected failures carry; it must reach the log and never a client.
const INTERNAL: &str = "secret-internal-detail";
/// The template's `upstream.timeout`.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(10);

/// The template, with a limiter that fails closed and a class whose object fails on demand.
fn blueprint() -> String {
    let anchor = "\nbindings:\n";
    assert!(TEMPLATE.contains(anchor), "the template has no `bindings:`");
    TEMPLATE.replacen(
        anchor,
        r#"
  # Added by the test: a limiter that refuses when it fails, and an object that fails.
  - class_name: StrictLimiter
    kind: rate_limiter
    instances:
      route: "/strict/*"
      key: "{header:X-Api-Key}"
    options: { requests: 100, window: 60s, on_failure: closed }
  - class_name: Probe
    kind: custom
    instances:
      route: "/probe/:name/*"

bindings:
  - { name: STRICT_LIMITER, target: StrictLimiter }
  - { name: PROBE, target: Probe }
"#,
        1,
    )
}

/// Replace `anchor` (which must be there) in a generated file by `anchor` + `added`.
fn inject(project: &Path, file: &str, anchor: &str, added: &str) {
    let path = project.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(
        text.contains(anchor),
        "{file} changed: no {anchor:?} to inject at"
    );
    std::fs::write(&path, text.replacen(anchor, &format!("{anchor}{added}"), 1)).unwrap();
}

/// One request the upstream received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// Path and query.
    target: String,
    /// Names lower-cased.
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// The upstream: answers every request with a JSON echo, except `/base/api/drop` (the
/// connection is closed unanswered) and `/base/api/slow` (no answer before the timeout).
fn start_upstream() -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Log = Arc::default();
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || serve_one(stream, &seen));
        }
    });
    (port, log)
}

fn serve_one(stream: TcpStream, log: &Log) {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let seen = Seen {
        method: method.clone(),
        target: target.clone(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    log.lock().unwrap().push(seen);
    let mut stream = stream;
    match target.as_str() {
        "/base/api/drop" => return,
        "/base/api/slow" => {
            std::thread::sleep(UPSTREAM_TIMEOUT + Duration::from_secs(5));
            return;
        }
        _ => {}
    }
    let answer = json!({ "upstream": "echo", "method": method, "target": target }).to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Upstream: echo\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

/// What the upstream received for `target` so far.
fn seen(log: &Log, target: &str) -> Vec<Seen> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|s| s.target == target)
        .cloned()
        .collect()
}

static UPSTREAM: std::sync::OnceLock<Log> = std::sync::OnceLock::new();

fn upstream_log() -> &'static Log {
    UPSTREAM.get().expect("the upstream runs")
}

#[test]
fn rate_limiter_template_forwards_and_every_failure_is_generic() {
    let scratch = tempfile::tempdir().unwrap();
    let blueprint = scratch.path().join("blueprint.yaml");
    std::fs::write(&blueprint, self::blueprint()).unwrap();
    let project = scratch.path().join("gateway");
    devserver::generate(&blueprint, &project);
    for module in ["rate_limiter", "strict_limiter"] {
        inject(
            &project,
            &format!("src/objects/{module}.rs"),
            "                    Err(e) => return http::error(400, &e),\n                };\n",
            "                if body.identifier.as_deref().is_some_and(|i| i.contains(\"inject-failure\")) {\n                    return Err(worker::Error::RustError(\"injected limiter failure\".into()));\n                }\n",
        );
    }
    inject(
        &project,
        "src/objects/probe.rs",
        "        match (req.method(), req.path().as_str()) {\n",
        &format!(
            "            (Method::Get, \"/error\") => {{\n                return Err(worker::Error::RustError(\"injected failure: {INTERNAL}\".into()))\n            }}\n            (Method::Get, \"/panic\") => panic!(\"injected panic: {INTERNAL}\"),\n"
        ),
    );
    let (port, log) = start_upstream();
    UPSTREAM.set(log).unwrap();
    // `.dev.vars` also overrides the template's var for `wrangler dev` (as its README says).
    std::fs::write(
        project.join(".dev.vars"),
        format!("UPSTREAM_TOKEN={UPSTREAM_TOKEN}\nUPSTREAM_URL=http://127.0.0.1:{port}/base\n"),
    )
    .unwrap();
    let built = devserver::build(&project);
    eprintln!(
        "timing: worker-build --release --no-opt of the gateway: {:.1} s",
        built.elapsed.as_secs_f64()
    );
    let server = devserver::serve(&project, &scratch.path().join("state"), "gateway");
    run_checks(
        &server,
        &[
            ("forwarding", forwarding),
            ("the 101st request", limit),
            ("upstream failure and timeout", upstream_failures),
            ("limiter fails open", fails_open),
            ("limiter fails closed", fails_closed),
            ("internal error", internal_error),
        ],
    );
    // Last and alone: a panic may leave the object's instance unusable until it restarts.
    run_checks(&server, &[("panic", panic)]);
}

/// `X-Api-Key` and the client address: the template's limiter key.
fn client(key: &str) -> [(&str, &str); 2] {
    [("X-Api-Key", key), ("CF-Connecting-IP", "198.51.100.4")]
}

fn forwarding(s: &DevServer) {
    let body = json!({ "order": 17, "note": "ünïcode" });
    let headers = [
        ("X-Api-Key", "forward-key"),
        ("CF-Connecting-IP", "198.51.100.4"),
        ("Authorization", "Bearer the-clients-own-token"),
        ("X-Trace", "abc"),
    ];
    let reply = s.send("POST", "/api/orders?page=2&q=a%20b", &headers, Some(&body));
    // The upstream's answer, as it is (status, headers, body), with the limiter's headers.
    let answer = s.expect(&reply, 201);
    assert_eq!(answer["target"], json!("/base/api/orders?page=2&q=a%20b"));
    assert_eq!(reply.header("x-upstream"), Some("echo"), "{reply}");
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("99"), "{reply}");
    let got = seen(upstream_log(), "/base/api/orders?page=2&q=a%20b");
    assert_eq!(got.len(), 1, "{got:?}");
    let got = &got[0];
    assert_eq!(got.method, "POST");
    assert_eq!(serde_json::from_str::<Value>(&got.body).unwrap(), body);
    // The upstream's token replaces the client's; the client's other headers go through.
    let bearer = format!("Bearer {UPSTREAM_TOKEN}");
    assert_eq!(
        got.header("authorization"),
        Some(bearer.as_str()),
        "{got:?}"
    );
    assert_eq!(got.header("x-trace"), Some("abc"));
    assert_eq!(got.header("x-api-key"), Some("forward-key"));
    assert!(got.header("x-request-id").is_some_and(|id| !id.is_empty()));
    // A GET without a body, and the method kept.
    let reply = s.send("GET", "/api/items", &client("forward-key"), None);
    assert_eq!(s.expect(&reply, 201)["method"], json!("GET"));
}

fn limit(s: &DevServer) {
    let key = client("limit-key");
    for n in 1..=100 {
        let reply = s.send("GET", "/api/limited", &key, None);
        assert_eq!(reply.status, 201, "request {n}: {}", s.context(&reply));
    }
    let refused = s.send("GET", "/api/limited", &key, None);
    let body = s.expect(&refused, 429);
    assert_eq!(body["error"], json!("Rate limited"));
    assert!(refused.header("retry-after").is_some(), "{refused}");
    // The refused request never reached the upstream.
    assert_eq!(seen(upstream_log(), "/base/api/limited").len(), 100);
}

/// A generic error body: the error, the request id (also as a header), nothing else.
fn generic(s: &DevServer, reply: &Reply, status: u16, error: &str) -> String {
    let body = s.expect(reply, status);
    assert_eq!(body["error"], json!(error), "{reply}");
    let id = body["requestId"].as_str().unwrap_or_default().to_owned();
    assert!(!id.is_empty(), "{reply}");
    assert_eq!(reply.header("x-request-id"), Some(id.as_str()), "{reply}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{reply}");
    assert!(!reply.body.contains(INTERNAL) && !reply.body.contains("127.0.0.1"));
    id
}

/// The server log has a line with `id` and `cause`.
fn logged(s: &DevServer, id: &str, cause: &str) {
    let found = poll(Duration::from_secs(10), || {
        s.logs()
            .lines()
            .any(|l| l.contains(id) && l.contains(cause))
            .then_some(())
    });
    assert!(
        found.is_some(),
        "no log line with {id:?} and {cause:?}:\n{}",
        s.logs()
    );
}

fn upstream_failures(s: &DevServer) {
    let reply = s.send("GET", "/api/drop", &client("failure-key"), None);
    let id = generic(s, &reply, 502, "upstream unavailable");
    logged(s, &id, "upstream GET /base/api/drop");
    let reply = s.send("GET", "/api/slow", &client("failure-key"), None);
    let id = generic(s, &reply, 504, "upstream timed out");
    logged(s, &id, "no answer within 10000 ms");
}

fn fails_open(s: &DevServer) {
    let reply = s.send("GET", "/api/open", &client("inject-failure"), None);
    s.expect(&reply, 201);
    // Through, but uncounted: no limit headers.
    assert!(reply.header("x-ratelimit-remaining").is_none(), "{reply}");
    assert_eq!(seen(upstream_log(), "/base/api/open").len(), 1);
    logged(
        s,
        "rate limiter RATE_LIMITER failed",
        "injected limiter failure",
    );
}

fn fails_closed(s: &DevServer) {
    let reply = s.send(
        "GET",
        "/strict/closed",
        &[("X-Api-Key", "inject-failure")],
        None,
    );
    let body = s.expect(&reply, 503);
    assert_eq!(body["error"], json!("rate limiter unavailable"), "{reply}");
    assert!(seen(upstream_log(), "/base/strict/closed").is_empty());
    logged(
        s,
        "rate limiter STRICT_LIMITER failed",
        "injected limiter failure",
    );
    // An identifier that does not fail goes through that limiter to the upstream.
    let reply = s.send("GET", "/strict/ok", &[("X-Api-Key", "strict-key")], None);
    s.expect(&reply, 201);
    assert_eq!(reply.header("x-ratelimit-remaining"), Some("99"), "{reply}");
}

fn internal_error(s: &DevServer) {
    let reply = s.get("/probe/a/error");
    let id = generic(s, &reply, 500, "internal error");
    logged(s, &id, INTERNAL);
}

/// A panic aborts the wasm instance (workers-rs builds with `panic = "abort"`): the request that
/// panicked gets no answer of ours, so nothing can be leaked, and the panic hook puts the panic's
/// message and location in the log. (The generated code returns errors instead of panicking;
/// this proves the hook is installed in the objects too.)
fn panic(s: &DevServer) {
    let answered =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.get("/probe/b/panic")));
    if let Ok(reply) = answered {
        assert!(reply.status >= 500, "{reply}");
        assert!(!reply.body.contains(INTERNAL), "{reply}");
    }
    logged(s, "panicked at src/objects/probe.rs", "");
    logged(s, "injected panic", INTERNAL);
}
