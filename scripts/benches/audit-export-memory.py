#!/usr/bin/env python3
"""Peak memory of local workerd while a generated audit log exports N entries.

Generates a one-class project (kind audit_log) with the given doforge binary, builds it to wasm
(worker-build --release --no-opt, the shared target/wasm-build), serves it with `wrangler dev`,
logs N entries of about SIZE bytes each, then reads GET /export?format=json to the end while
sampling workerd's resident memory (VmRSS) every 20 ms. Prints one line per phase.

The first entries go through `POST /log` (the contract); the rest are written straight into
the object's SQLite file while the server is stopped (100,000 requests through `wrangler dev`
take over an hour on a busy machine), with the same columns and values the object writes.

    scripts/benches/audit-export-memory.py [--doforge target/debug/doforge] [--contract new|old]
        [--entries 100000] [--size 1250]

`--contract old` speaks the contract doforge generated before issue 11 (`{type, actor, data}`,
no auth), to measure the old build with the same script. Needs DOFORGE_ORACLE_DIR and
DOFORGE_WASM_TOOLS (or target/oracle and target/wasm-tools): scripts/setup-oracle.sh and
scripts/setup-wasm.sh. Standard library only.
"""

import argparse
import http.client
import json
import os
import re
import signal
import sqlite3
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "bench-token"


def blueprint(contract):
    auth = ', auth: { bearer: BENCH_TOKEN }' if contract == "new" else ""
    secrets = "secrets: [BENCH_TOKEN]\n" if contract == "new" else ""
    return f"""project_name: audit-export-bench
provider: cloudflare
compatibility_date: "2025-10-08"
resources:
  - id: app
    type: cloudflare_worker
    config: {{ workers_dev: true }}
durable_objects:
  - class_name: AuditLog
    kind: audit_log
    instances: {{ route: "/audit/*", key: "bench"{auth} }}
    options: {{ retention: 30d }}
bindings:
  - {{ name: AUDIT_LOG, target: AuditLog }}
{secrets}"""


def run(cmd, cwd, env=None, what=""):
    out = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if out.returncode != 0:
        sys.exit(f"{what or cmd[0]} failed:\n{out.stdout.decode(errors='replace')}")
    return out.stdout.decode(errors="replace")


def build(project, tools):
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(REPO, "target", "wasm-build"))
    run(["cargo", "generate-lockfile", "--offline"], project, env, "cargo generate-lockfile")
    pkgid = run(["cargo", "pkgid", "--offline", "wasm-bindgen"], project, env).strip()
    locked = pkgid.rsplit("@", 1)[-1]
    cli = run([os.path.join(tools, "bin", "wasm-bindgen"), "--version"], project).split()[-1]
    if locked != cli:
        run(["cargo", "update", "--offline", "--package", f"wasm-bindgen@{locked}",
             "--precise", cli], project, env, "pinning wasm-bindgen")
    env.update(WASM_BINDGEN_BIN=os.path.join(tools, "bin", "wasm-bindgen"),
               XDG_CACHE_HOME=os.path.join(tools, "cache"), NO_COLOR="1")
    start = time.time()
    run([os.path.join(tools, "bin", "worker-build"), "--release", "--no-opt"], project, env,
        "worker-build")
    return time.time() - start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(root):
    """Pids of root's process group and every descendant (from /proc)."""
    procs = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        procs.append((int(pid), int(fields[1]), int(fields[2])))
    out = {p for p, _, g in procs if p == root or g == root}
    while True:
        more = {p for p, pp, _ in procs if pp in out} - out
        if not more:
            return out
        out |= more


def workerd_pids(root):
    out = []
    for pid in sorted(descendants(root)):
        try:
            if "workerd" in open(f"/proc/{pid}/comm").read():
                out.append(pid)
        except OSError:
            pass
    return out


def rss_mb(pids, field="VmRSS"):
    """Resident memory of the workerd processes together (MB)."""
    total = 0.0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith(field + ":"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def request(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    conn.request(method, path, body=body, headers=headers)
    return conn, conn.getresponse()


def log_entries(port, count, size, contract, threads=8):
    pad = "x" * max(0, size - 200)
    errors = []

    def worker(first):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        for i in range(first, count, threads):
            if contract == "new":
                entry = {"type": "wix_request", "action": "api_call", "userId": f"user-{i}",
                         "ip": "203.0.113.7", "details": {"path": "/api/wix/content", "n": i,
                                                          "pad": pad}}
            else:
                entry = {"type": "wix_request", "actor": f"user-{i}",
                         "data": {"path": "/api/wix/content", "n": i, "pad": pad}}
            conn.request("POST", "/audit/log", body=json.dumps(entry), headers=headers)
            reply = conn.getresponse()
            reply.read()
            if reply.status not in (200, 201):
                errors.append(reply.status)
                return

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        sys.exit(f"POST /audit/log answered {errors[0]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doforge", default=os.path.join(REPO, "target", "debug", "doforge"))
    ap.add_argument("--contract", choices=["new", "old"], default="new")
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--size", type=int, default=1250)
    ap.add_argument("--http-entries", type=int, default=20)
    args = ap.parse_args()
    oracle = os.environ.get("DOFORGE_ORACLE_DIR", os.path.join(REPO, "target", "oracle"))
    tools = os.environ.get("DOFORGE_WASM_TOOLS", os.path.join(REPO, "target", "wasm-tools"))

    scratch = tempfile.mkdtemp(prefix="audit-bench-")
    bp = os.path.join(scratch, "blueprint.yaml")
    open(bp, "w").write(blueprint(args.contract))
    project = os.path.join(scratch, "app")
    run([args.doforge, "generate", bp, "--out", project], scratch, what="doforge generate")
    open(os.path.join(project, ".dev.vars"), "w").write(f"BENCH_TOKEN={TOKEN}\n")
    print(f"build: {build(project, tools):.1f} s", flush=True)
    config = os.path.join(project, "wrangler.jsonc")
    text = open(config).read()
    open(config, "w").write(re.sub(r'"command":\s*"(?:[^"\\]|\\.)*"', '"command": ""', text))

    state = os.path.join(scratch, "state")
    server, port = start_server(project, config, state, oracle, scratch)
    try:
        pid = workerd_pids(server.pid)
        print(f"workerd {pid}: {rss_mb(pid):.0f} MB after start-up", flush=True)
        first = min(args.http_entries, args.entries)
        log_entries(port, first, args.size, args.contract)
    finally:
        stop_server(server)
    start = time.time()
    bulk_insert(state, args.entries - first, first, args.size, args.contract)
    print(f"logged {first} entries through POST /log and {args.entries - first} into SQLite "
          f"({time.time() - start:.0f} s), ~{args.size} B each", flush=True)
    server, port = start_server(project, config, state, oracle, scratch)
    try:
        pid = workerd_pids(server.pid)
        # Wake the object (a one-entry query) so the baseline includes it.
        conn, reply = request(port, "POST", "/audit/query", body=json.dumps({"limit": 1}))
        reply.read()
        time.sleep(2)
        before = rss_mb(pid)
        peak = [before]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb(pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        start = time.time()
        conn, reply = request(port, "GET", "/audit/export?format=json")
        total = 0
        while True:
            chunk = reply.read(1 << 16)
            if not chunk:
                break
            total += len(chunk)
        done.set()
        sampler.join()
        print(f"export: HTTP {reply.status}, {total / 1e6:.1f} MB in {time.time() - start:.1f} s; "
              f"workerd RSS {before:.0f} MB before, peak {peak[0]:.0f} MB during", flush=True)
    finally:
        stop_server(server)


def start_server(project, config, state, oracle, scratch):
    port, inspector = free_port(), free_port()
    log = open(os.path.join(scratch, f"wrangler-dev-{port}.log"), "w")
    env = dict(os.environ, WRANGLER_SEND_METRICS="false", CI="true", NO_COLOR="1",
               XDG_CONFIG_HOME=os.path.join(scratch, "config"))
    server = subprocess.Popen(
        [os.path.join(oracle, "bin", "wrangler"), "dev", "--config", config, "--local",
         "--ip", "127.0.0.1", "--port", str(port), "--inspector-port", str(inspector),
         "--persist-to", state, "--show-interactive-dev-session=false",
         "--live-reload=false"],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 120
    while True:
        try:
            conn, reply = request(port, "GET", "/__ready")
            reply.read()
            return server, port
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                stop_server(server)
                sys.exit(f"wrangler dev did not start; see {log.name}")
            time.sleep(0.2)


def stop_server(server):
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


def bulk_insert(state, count, offset, size, contract):
    """Rows as the object writes them, into the one audit object's SQLite file."""
    folder = os.path.join(state, "v3", "do", "audit-export-bench-AuditLog")
    files = [f for f in os.listdir(folder) if f.endswith(".sqlite") and f != "metadata.sqlite"]
    if len(files) != 1:
        sys.exit(f"expected one object database in {folder}, found {files}")
    db = sqlite3.connect(os.path.join(folder, files[0]))
    pad = "x" * max(0, size - 200)
    now = int(time.time() * 1000)

    def rows():
        for i in range(offset, offset + count):
            ts = now - (offset + count - i)  # one per ms, oldest first, all today
            details = json.dumps({"path": "/api/wix/content", "n": i, "pad": pad},
                                 separators=(",", ":"))
            if contract == "new":
                yield (ts, "wix_request", "api_call", f"user-{i}", "203.0.113.7", details)
            else:
                yield (ts, "wix_request", f"user-{i}", details)

    if contract == "new":
        db.executemany("INSERT INTO audit_log (ts, type, action, user_id, ip, details) "
                       "VALUES (?, ?, ?, ?, ?, ?)", rows())
    else:
        db.executemany("INSERT INTO audit_entries (ts, type, actor, data) VALUES (?, ?, ?, ?)",
                       rows())
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
