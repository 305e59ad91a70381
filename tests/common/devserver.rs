//! Workers built for real and served locally: build a workers-rs project to wasm with
//! `worker-build` ([`build`]), serve it with `wrangler dev` on 127.0.0.1 ([`DevServer`]), and talk
//! to it over HTTP ([`DevServer::send`]) and WebSocket ([`DevServer::websocket`]).
//!
//! Everything runs offline once `scripts/setup-wasm.sh` (wasm32 target, wasm-bindgen CLI,
//! worker-build, under `target/wasm-tools`) and `scripts/setup-oracle.sh` (wrangler + Node 22,
//! under `target/oracle`) have run; both are called by `scripts/test.sh`. Without them the
//! helpers panic and say what to run: a test that needs the runtime never passes silently.
//!
//! Every wait is bounded: builds by [`BUILD_TIMEOUT`], start-up by [`START_TIMEOUT`], each HTTP
//! request by [`HTTP_TIMEOUT`], each WebSocket read by the deadline its caller gives. A
//! [`DevServer`] stops its whole process tree (wrangler's Node and the workerd it spawns) when
//! dropped, also while a failing test unwinds; failure messages carry the server's log.
//!
//! ```ignore
//! let project = devserver::copy_project(&fixture, &scratch.path().join("app"));
//! let built = devserver::build(&project);
//! let server = devserver::DevServer::start(&project, "wrangler.toml", &scratch.path().join("state"));
//! let reply = server.send("POST", "/counter/a/increment", &[], None);
//! assert_eq!(reply.status, 200, "{}", server.context(&reply));
//! ```

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::client::IntoClientRequest;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;
use tungstenite::{Message, WebSocket};

use super::wrangler;

/// How long one wasm build may take (cold release build: ~50 s alone on 2 cores, several
/// minutes when the machine is busy).
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// How long `wrangler dev` may take to answer its first request (~3 s alone).
pub const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long one HTTP request to the dev server may take.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of the server log a failure message shows (the whole log is in [`DevServer::logs`]).
const CONTEXT_LINES: usize = 30;
/// How long a stopped server's processes get to exit after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The tools `scripts/setup-wasm.sh` installs.
#[derive(Debug, Clone)]
pub struct Tools {
    pub worker_build: PathBuf,
    pub wasm_bindgen: PathBuf,
    /// The CLI's version: every project built is pinned to this wasm-bindgen version.
    pub wasm_bindgen_version: String,
    /// worker-build's download cache (esbuild from the npm registry), kept under target/.
    pub cache_home: PathBuf,
}

/// Where `scripts/setup-wasm.sh` installed the tools.
pub fn tools_dir() -> PathBuf {
    match std::env::var_os("DOFORGE_WASM_TOOLS") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => repo().join("target").join("wasm-tools"),
    }
}

/// The installed tools; panics (saying what to run) when they are missing.
pub fn tools() -> Tools {
    let dir = tools_dir();
    let bin = dir.join("bin");
    let worker_build = bin.join("worker-build");
    let wasm_bindgen = bin.join("wasm-bindgen");
    for tool in [&worker_build, &wasm_bindgen] {
        assert!(
            tool.is_file(),
            "{} is not installed: run scripts/setup-wasm.sh (or set DOFORGE_WASM_TOOLS to an \
             existing install)",
            tool.display()
        );
    }
    let out = Command::new(&wasm_bindgen)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("could not run {}: {e}", wasm_bindgen.display()));
    let wasm_bindgen_version = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !wasm_bindgen_version.is_empty(),
        "{} --version printed no version",
        wasm_bindgen.display()
    );
    Tools {
        worker_build,
        wasm_bindgen,
        wasm_bindgen_version,
        cache_home: dir.join("cache"),
    }
}

/// The one `CARGO_TARGET_DIR` every wasm build shares, so the `worker` crate compiles once.
pub fn wasm_target_dir() -> PathBuf {
    repo().join("target").join("wasm-build")
}

/// Copy a project directory (sources and configs; not `target/`, `build/`, `.wrangler/` or
/// `node_modules/`) to `to`, which must not exist yet. Returns `to`.
pub fn copy_project(from: &Path, to: &Path) -> PathBuf {
    assert!(!to.exists(), "{} already exists", to.display());
    for entry in walkdir::WalkDir::new(from).into_iter().filter_entry(|e| {
        e.depth() == 0
            || !matches!(
                e.file_name().to_str(),
                Some("target" | "build" | ".wrangler" | "node_modules")
            )
    }) {
        let entry = entry.unwrap_or_else(|e| panic!("walk {}: {e}", from.display()));
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
    to.to_path_buf()
}

/// What one bounded command did.
#[derive(Debug)]
pub struct Ran {
    pub status: Option<ExitStatus>,
    pub output: String,
    pub elapsed: Duration,
}

impl Ran {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

/// Run `cmd` with both streams in `log` and no stdin, killing it after `timeout`.
fn run_bounded(cmd: &mut Command, timeout: Duration, log: &Path) -> Ran {
    let file = std::fs::File::create(log).expect("create the log file");
    cmd.stdin(Stdio::null())
        .stdout(file.try_clone().expect("clone the log file"))
        .stderr(file)
        .process_group(0);
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {cmd:?}: {e}"));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the command") {
            break Some(status);
        }
        if start.elapsed() > timeout {
            stop_tree(&mut child);
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut output = String::from_utf8_lossy(&std::fs::read(log).unwrap_or_default()).into_owned();
    if status.is_none() {
        output.push_str(&format!("\n[killed after {timeout:?}]"));
    }
    Ran {
        status,
        output: wrangler::strip_ansi(&output),
        elapsed: start.elapsed(),
    }
}

/// A cargo command in `project` with the shared wasm target dir.
fn cargo(project: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(project)
        .env("CARGO_TARGET_DIR", wasm_target_dir())
        .env("CARGO_TERM_COLOR", "never");
    cmd
}

/// Run a quick cargo command (lock-file work) offline first, then online when the offline run
/// fails (a dependency not in the local cache yet); panics with both outputs when both fail.
fn cargo_lock_step(project: &Path, args: &[&str], what: &str) {
    let log = project.join(".doforge-cargo.log");
    let offline = run_bounded(
        cargo(project).args(args).arg("--offline"),
        BUILD_TIMEOUT,
        &log,
    );
    if offline.succeeded() {
        return;
    }
    let online = run_bounded(cargo(project).args(args), BUILD_TIMEOUT, &log);
    assert!(
        online.succeeded(),
        "{what} failed in {}\n--- offline\n{}\n--- online\n{}",
        project.display(),
        offline.output,
        online.output
    );
}

/// The wasm-bindgen version locked in `project`'s Cargo.lock.
fn locked_wasm_bindgen(project: &Path) -> String {
    let out = cargo(project)
        .args(["pkgid", "--offline", "wasm-bindgen"])
        .output()
        .expect("run cargo pkgid");
    assert!(
        out.status.success(),
        "{} locks no wasm-bindgen (is `worker` a dependency?): {}",
        project.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    id.rsplit_once('@')
        .map(|(_, v)| v.to_owned())
        .unwrap_or_else(|| panic!("unexpected cargo pkgid output {id:?}"))
}

/// The result of [`build`].
#[derive(Debug)]
pub struct Built {
    /// `worker-build`'s own time (cargo build + wasm-bindgen + esbuild).
    pub elapsed: Duration,
    pub output: String,
}

/// Build the workers-rs project at `project` (a throwaway copy: `build/`, `Cargo.lock` and a log
/// are written into it) with `worker-build --release --no-opt`, offline:
///
/// * a missing Cargo.lock is resolved, and the locked wasm-bindgen is pinned to the installed
///   CLI's version (`cargo update --precise`), since the CLI only reads modules made by its own
///   version;
/// * `WASM_BINDGEN_BIN` points worker-build at that CLI (it would download one from GitHub);
///   `--no-opt` skips wasm-opt (also a GitHub download);
/// * the shared [`wasm_target_dir`] keeps the `worker` crate compiled across projects.
///
/// Panics with worker-build's output when the build fails or `build/index.js` is missing.
pub fn build(project: &Path) -> Built {
    let tools = tools();
    if !project.join("Cargo.lock").is_file() {
        cargo_lock_step(project, &["generate-lockfile"], "cargo generate-lockfile");
    }
    let locked = locked_wasm_bindgen(project);
    if locked != tools.wasm_bindgen_version {
        cargo_lock_step(
            project,
            &[
                "update",
                "--package",
                &format!("wasm-bindgen@{locked}"),
                "--precise",
                &tools.wasm_bindgen_version,
            ],
            &format!(
                "pinning wasm-bindgen {locked} to the installed CLI's {} (re-run \
                 scripts/setup-wasm.sh after updating tests/fixtures/wasm-smoke/Cargo.lock)",
                tools.wasm_bindgen_version
            ),
        );
    }
    std::fs::create_dir_all(&tools.cache_home).expect("create worker-build's cache");
    let ran = run_bounded(
        Command::new(&tools.worker_build)
            .current_dir(project)
            .args(["--release", "--no-opt"])
            .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
            .env("CARGO_TARGET_DIR", wasm_target_dir())
            .env("CARGO_TERM_COLOR", "never")
            // esbuild is cached here, not in the user's ~/.cache.
            .env("XDG_CACHE_HOME", &tools.cache_home)
            .env("NO_COLOR", "1"),
        BUILD_TIMEOUT,
        &project.join(".doforge-worker-build.log"),
    );
    assert!(
        ran.succeeded(),
        "worker-build failed in {} ({:?}):\n{}",
        project.display(),
        ran.status,
        ran.output
    );
    // worker-build falls back to downloading its own CLI when WASM_BINDGEN_BIN does not resolve.
    assert!(
        ran.output
            .contains("Using custom Wasm Bindgen from WASM_BINDGEN_BIN"),
        "worker-build did not use the installed wasm-bindgen CLI:\n{}",
        ran.output
    );
    for file in ["build/index.js", "build/index_bg.wasm"] {
        assert!(
            project.join(file).is_file(),
            "worker-build succeeded but wrote no {file} in {}:\n{}",
            project.display(),
            ran.output
        );
    }
    Built {
        elapsed: ran.elapsed,
        output: ran.output,
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics (showing the body) when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} {} → {}: body is not JSON ({e}): {}",
                self.method, self.path, self.status, self.body
            )
        })
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} → {}", self.method, self.path, self.status)?;
        for (n, v) in &self.headers {
            write!(f, "\n  {n}: {v}")?;
        }
        write!(f, "\n  {}", self.body)
    }
}

/// `wrangler dev` serving a built project on 127.0.0.1, stopped (process tree and all) on drop.
pub struct DevServer {
    child: Child,
    pub port: u16,
    /// How long start-up took, until the first answer.
    pub startup: Duration,
    log: PathBuf,
    http: ureq::Agent,
}

impl DevServer {
    /// Serve `project` (already built by [`build`]; its config `config`, relative to `project`,
    /// gets its build command emptied so wrangler does not rebuild) with `wrangler dev` in local
    /// mode, state persisted in `state` (keep the directory to restart with the same data), and
    /// wait until it answers. Panics with the server's log when it exits or does not answer
    /// within [`START_TIMEOUT`].
    pub fn start(project: &Path, config: &str, state: &Path) -> DevServer {
        wrangler::empty_build_commands_in(&project.join(config));
        std::fs::create_dir_all(state).expect("create the state directory");
        let scratch = state.join(".devserver");
        std::fs::create_dir_all(&scratch).expect("create the scratch directory");
        let port = free_port();
        let inspector_port = free_port();
        let log = scratch.join(format!("wrangler-dev-{port}.log"));
        let file = std::fs::File::create(&log).expect("create the server log");
        let mut cmd = Command::new(wrangler::wrangler_bin());
        cmd.current_dir(project)
            .args(["dev", "--config", config, "--ip", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .arg("--inspector-port")
            .arg(inspector_port.to_string())
            .arg("--persist-to")
            .arg(state)
            .args([
                "--local",
                "--show-interactive-dev-session=false",
                "--live-reload=false",
            ])
            .env("WRANGLER_SEND_METRICS", "false")
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .env("WRANGLER_LOG_PATH", scratch.join("logs"))
            .env("XDG_CONFIG_HOME", scratch.join("config"))
            .env_remove("CLOUDFLARE_API_TOKEN")
            .env_remove("CLOUDFLARE_ACCOUNT_ID")
            .env_remove("CLOUDFLARE_ENV")
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("clone the server log"))
            .stderr(file)
            // Its own process group: Drop stops wrangler and everything it started together.
            .process_group(0);
        let start = Instant::now();
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("could not start wrangler dev: {e}"));
        let http = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .timeout_global(Some(HTTP_TIMEOUT))
                .http_status_as_error(false)
                .build(),
        );
        let mut server = DevServer {
            child,
            port,
            startup: Duration::ZERO,
            log,
            http,
        };
        server.wait_ready(start);
        server.startup = start.elapsed();
        server
    }

    /// Poll until the server answers any HTTP request (a 404 is an answer).
    fn wait_ready(&mut self, start: Instant) {
        let probe = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(5)))
                .http_status_as_error(false)
                .build(),
        );
        let url = self.url("/__doforge_ready");
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for wrangler dev") {
                panic!(
                    "wrangler dev exited ({status}) before answering on port {}:\n{}",
                    self.port,
                    self.logs()
                );
            }
            if probe.get(&url).call().is_ok() {
                return;
            }
            if start.elapsed() > START_TIMEOUT {
                panic!(
                    "wrangler dev did not answer on port {} within {START_TIMEOUT:?}:\n{}",
                    self.port,
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What wrangler dev (and the worker's console) printed so far.
    pub fn logs(&self) -> String {
        wrangler::strip_ansi(&String::from_utf8_lossy(
            &std::fs::read(&self.log).unwrap_or_default(),
        ))
    }

    /// A failure message: the reply and the end of the server's log.
    pub fn context(&self, reply: &Reply) -> String {
        let logs = self.logs();
        let lines: Vec<&str> = logs.lines().collect();
        let tail = lines[lines.len().saturating_sub(CONTEXT_LINES)..].join("\n");
        format!("{reply}\n--- end of the wrangler dev log\n{tail}")
    }

    /// Send one request (`body` as JSON with its content type), bounded by [`HTTP_TIMEOUT`].
    /// Panics (with the server log) only when no HTTP answer comes back.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        match body {
            Some(json) => {
                let mut with_type = headers.to_vec();
                with_type.push(("content-type", "application/json"));
                self.send_raw(method, path, &with_type, Some(&json.to_string()))
            }
            None => self.send_raw(method, path, headers, None),
        }
    }

    /// [`DevServer::send`] with a body sent as is (e.g. malformed JSON).
    pub fn send_raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(self.url(path));
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        let result = match body {
            Some(text) => self
                .http
                .run(req.body(text.to_owned()).expect("build the request")),
            None => self.http.run(req.body(()).expect("build the request")),
        };
        let mut response = result.unwrap_or_else(|e| {
            panic!(
                "{method} {path}: no answer from wrangler dev ({e})\n--- wrangler dev log\n{}",
                self.logs()
            )
        });
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| format!("<unreadable body: {e}>"));
        Reply {
            method: method.to_owned(),
            path: path.to_owned(),
            status: response.status().as_u16(),
            headers,
            body,
        }
    }

    /// The reply's JSON body (`null` when empty), after checking its status; panics with the
    /// reply and the server log otherwise.
    pub fn expect(&self, reply: &Reply, status: u16) -> Value {
        assert_eq!(reply.status, status, "{}", self.context(reply));
        if reply.body.is_empty() {
            Value::Null
        } else {
            reply.json()
        }
    }

    /// A JSON error body `{"error": "…"}` with the given status: its message.
    pub fn expect_error(&self, reply: &Reply, status: u16) -> String {
        let body = self.expect(reply, status);
        body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no \"error\" string in {}", self.context(reply)))
            .to_owned()
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, &[], Some(body))
    }

    /// Open a WebSocket to `path` (extra request headers allowed); the handshake is bounded by
    /// [`HTTP_TIMEOUT`]. Panics with the server log when the upgrade fails.
    pub fn websocket(&self, path: &str, headers: &[(&str, &str)]) -> WsClient {
        let url = format!("ws://127.0.0.1:{}{path}", self.port);
        let mut request = url
            .as_str()
            .into_client_request()
            .expect("a valid WebSocket URL");
        for (n, v) in headers {
            request.headers_mut().insert(
                tungstenite::http::HeaderName::from_bytes(n.as_bytes()).expect("header name"),
                v.parse().expect("header value"),
            );
        }
        let addr = ("127.0.0.1", self.port)
            .to_socket_addrs()
            .expect("resolve 127.0.0.1")
            .next()
            .unwrap();
        let stream = TcpStream::connect_timeout(&addr, HTTP_TIMEOUT).expect("connect");
        stream.set_read_timeout(Some(HTTP_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(HTTP_TIMEOUT)).unwrap();
        match tungstenite::client(request, stream) {
            Ok((socket, _)) => WsClient {
                socket,
                path: path.to_owned(),
                log: self.log.clone(),
            },
            Err(e) => panic!(
                "WebSocket upgrade of {path} failed: {e}\n--- wrangler dev log\n{}",
                self.logs()
            ),
        }
    }

    /// The ids of the server's processes still alive (its process group and every descendant).
    pub fn process_ids(&self) -> BTreeSet<u32> {
        tree(self.child.id())
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        stop_tree(&mut self.child);
    }
}

/// Every process in `root`'s process group or descended from `root` (read from /proc).
fn tree(root: u32) -> BTreeSet<u32> {
    let mut procs: Vec<(u32, u32, u32)> = Vec::new(); // (pid, ppid, pgrp)
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.filter_map(Result::ok) {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // A zombie is already gone; it only waits to be reaped.
            if fields.first() == Some(&"Z") {
                continue;
            }
            if let (Some(ppid), Some(pgrp)) = (
                fields.get(1).and_then(|s| s.parse().ok()),
                fields.get(2).and_then(|s| s.parse().ok()),
            ) {
                procs.push((pid, ppid, pgrp));
            }
        }
    }
    let mut out: BTreeSet<u32> = procs
        .iter()
        .filter(|&&(pid, _, pgrp)| pid == root || pgrp == root)
        .map(|&(pid, _, _)| pid)
        .collect();
    loop {
        let before = out.len();
        for &(pid, ppid, _) in &procs {
            if out.contains(&ppid) {
                out.insert(pid);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// Stop `child` (started as the leader of its own process group) and everything it started:
/// SIGTERM to the group and to every descendant (one may have moved to another group), SIGKILL
/// to whatever is left after [`STOP_GRACE`], then reap the child.
fn stop_tree(child: &mut Child) {
    let root = child.id();
    let signal_all = |signal: i32| {
        let pids = tree(root);
        // SAFETY: kill(2) with a process group id / pid; it only sends a signal.
        unsafe {
            libc::kill(-(root as i32), signal);
            for pid in &pids {
                libc::kill(*pid as i32, signal);
            }
        }
        pids
    };
    signal_all(libc::SIGTERM);
    let deadline = Instant::now() + STOP_GRACE;
    loop {
        let _ = child.try_wait();
        if tree(root).is_empty() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    signal_all(libc::SIGKILL);
    let _ = child.wait();
}

/// A WebSocket client whose every read is bounded by a deadline.
pub struct WsClient {
    socket: WebSocket<TcpStream>,
    path: String,
    /// The dev server's log, shown when a read fails.
    log: PathBuf,
}

impl WsClient {
    fn logs(&self) -> String {
        wrangler::strip_ansi(&String::from_utf8_lossy(
            &std::fs::read(&self.log).unwrap_or_default(),
        ))
    }

    pub fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::text(text))
            .unwrap_or_else(|e| panic!("{}: send failed: {e}", self.path));
    }

    pub fn send_json(&mut self, value: &Value) {
        self.send_text(&value.to_string());
    }

    /// The next text message, or `None` when none arrives within `within`. Pings are answered;
    /// a close from the server panics.
    pub fn next_text(&mut self, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.socket
                .get_mut()
                .set_read_timeout(Some(left))
                .expect("set the read timeout");
            match self.socket.read() {
                Ok(Message::Text(t)) => return Some(t.as_str().to_owned()),
                Ok(Message::Binary(b)) => return Some(String::from_utf8_lossy(&b).into_owned()),
                Ok(Message::Close(frame)) => panic!(
                    "{}: the server closed the socket: {frame:?}\n--- wrangler dev log\n{}",
                    self.path,
                    self.logs()
                ),
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    return None
                }
                Err(e) => panic!(
                    "{}: read failed: {e}\n--- wrangler dev log\n{}",
                    self.path,
                    self.logs()
                ),
            }
        }
    }

    /// The first JSON message within `within` for which `wanted` holds, skipping others (history,
    /// heartbeats, other events). Panics, listing what was skipped, when none comes.
    pub fn expect_json(
        &mut self,
        within: Duration,
        what: &str,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        let mut skipped = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(text) = self.next_text(left) else {
                panic!(
                    "{}: no message {what} within {within:?}; received meanwhile: {skipped:#?}\n\
                     --- wrangler dev log\n{}",
                    self.path,
                    self.logs()
                );
            };
            match serde_json::from_str::<Value>(&text) {
                Ok(v) if wanted(&v) => return v,
                _ => skipped.push(text),
            }
        }
    }

    /// Close the socket (code 1000) and read until the server's close frame or `within` passes.
    pub fn close(mut self, within: Duration) {
        let _ = self.socket.close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        }));
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            let _ = self.socket.get_mut().set_read_timeout(Some(left));
            match self.socket.read() {
                Ok(_) => continue,
                Err(_) => return,
            }
        }
    }
}

/// Poll `check` every 100 ms until it returns `Some`, for at most `within`.
pub fn poll<T>(within: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
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

/// Whether process `pid` still runs (a zombie, waiting to be reaped, does not).
pub fn is_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

// ------------------------------------------------------------------------------------------
// The set-up every `wrangler dev` end-to-end test shares: generate, build, serve, check.

/// `doforge generate BLUEPRINT --out PROJECT` with the blueprint's own defaults, asserting it
/// succeeded and wrote a Rust project; the generation's stderr (its warnings) is returned.
pub fn generate(blueprint: &Path, project: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_doforge"))
        .arg("generate")
        .arg(blueprint)
        .arg("--out")
        .arg(project)
        .output()
        .expect("run doforge generate");
    assert!(
        out.status.success(),
        "doforge generate {} failed:\n{}{}",
        blueprint.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        project.join("Cargo.toml").is_file() && project.join("package.json").is_file(),
        "{} generated no Rust project (Cargo.toml, package.json)",
        blueprint.display()
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// [`generate`], write `dev_vars` (the secrets, as `wrangler dev` reads them) when given, and
/// [`build`]; prints the build time as `timing: worker-build of NAME`.
pub fn generate_and_build(
    blueprint: &Path,
    project: &Path,
    dev_vars: Option<&str>,
    name: &str,
) -> Built {
    generate(blueprint, project);
    if let Some(vars) = dev_vars {
        std::fs::write(project.join(".dev.vars"), vars).expect("write .dev.vars");
    }
    let built = build(project);
    eprintln!(
        "timing: worker-build --release --no-opt of {name}: {:.1} s",
        built.elapsed.as_secs_f64()
    );
    built
}

/// [`DevServer::start`] on the project's generated `wrangler.jsonc`, printing the start-up time.
pub fn serve(project: &Path, state: &Path, name: &str) -> DevServer {
    let server = DevServer::start(project, "wrangler.jsonc", state);
    eprintln!(
        "timing: wrangler dev start-up ({name}): {:.1} s",
        server.startup.as_secs_f64()
    );
    server
}

/// One named check against a running server.
pub type Check = (&'static str, fn(&DevServer));

/// Run independent checks side by side against one server (their waits overlap) and report
/// every one that failed, not just the first, with the server's log.
pub fn run_checks(server: &DevServer, checks: &[Check]) {
    let started = Instant::now();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = checks
            .iter()
            .map(|&(name, check)| (name, scope.spawn(move || check(server))))
            .collect();
        handles
            .into_iter()
            .filter_map(|(name, h)| {
                h.join()
                    .err()
                    .map(|payload| format!("{name}: {}", panic_message(payload.as_ref())))
            })
            .collect()
    });
    eprintln!(
        "timing: {} checks in {:.1} s",
        checks.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n\n{}\n\n--- wrangler dev log\n{}",
        failures.len(),
        checks.len(),
        failures.join("\n\n"),
        server.logs()
    );
}

/// The message of a caught panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}
