#!/usr/bin/env python3
"""A read-only npm registry mirror of a directory of `npm pack` tarballs, on 127.0.0.1.

    python3 scripts/npm-mirror.py DIR --port-file FILE [--max-seconds N]

Serves what `npm install NAME@VERSION` reads from a registry: the package document at /NAME
(scoped: /@scope%2fname) with every version found in DIR, and the tarballs under /-/. Names it
does not hold get 404, as from a registry that does not have them. Used by the CI smoke tests
(scripts/npm-smoke.sh, scripts/precommit-smoke.sh) to install the doforge packages as users do —
from a registry, optionalDependencies resolved by npm's os/cpu matching — before they are
published, and with no other network. Writes the port it listens on to FILE, then serves until
killed or for at most --max-seconds (default 1800), so a forgotten mirror stops by itself.
"""

import argparse
import base64
import hashlib
import json
import os
import tarfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read_packages(directory):
    """{name: {version: manifest-with-dist}} for every .tgz in directory (npm pack's layout)."""
    packages = {}
    for file in sorted(os.listdir(directory)):
        if not file.endswith(".tgz"):
            continue
        path = os.path.join(directory, file)
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile("package/package.json")
            if member is None:
                raise SystemExit(f"npm-mirror: {file} has no package/package.json")
            manifest = json.load(member)
        with open(path, "rb") as f:
            data = f.read()
        manifest["dist"] = {
            "tarball": "/-/" + urllib.parse.quote(file),
            "shasum": hashlib.sha1(data).hexdigest(),
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
        }
        manifest["_file"] = path
        packages.setdefault(manifest["name"], {})[manifest["version"]] = manifest
    return packages


def make_handler(packages, tarballs):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # keep CI logs to what the tests print
            pass

        def send(self, status, body, content_type="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            if path.startswith("/-/"):
                file = tarballs.get(path[3:])
                if file is None:
                    return self.send(404, b'{"error":"not found"}')
                with open(file, "rb") as f:
                    return self.send(200, f.read(), "application/octet-stream")
            versions = packages.get(path.lstrip("/"))
            if versions is None:
                return self.send(404, b'{"error":"not found"}')
            base = f"http://{self.headers.get('Host')}"
            out = {}
            for version, manifest in versions.items():
                m = {k: v for k, v in manifest.items() if k != "_file"}
                m["dist"] = dict(m["dist"], tarball=base + m["dist"]["tarball"])
                out[version] = m
            latest = max(versions, key=lambda v: [int(p) if p.isdigit() else 0 for p in v.split(".")])
            doc = {"name": path.lstrip("/"), "dist-tags": {"latest": latest}, "versions": out}
            return self.send(200, json.dumps(doc).encode())

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--max-seconds", type=float, default=1800)
    args = parser.parse_args()
    packages = read_packages(args.directory)
    if not packages:
        raise SystemExit(f"npm-mirror: no .tgz in {args.directory}")
    tarballs = {
        os.path.basename(m["_file"]): m["_file"] for vs in packages.values() for m in vs.values()
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(packages, tarballs))
    timer = threading.Timer(args.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)  # readers never see a half-written port
    server.serve_forever()


if __name__ == "__main__":
    main()
