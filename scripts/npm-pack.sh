#!/usr/bin/env bash
# Build the doforge binaries with the `dist` profile (Cargo.toml: fat LTO, one codegen unit,
# stripped) and write the npm packages as `npm pack` tarballs:
#
#   scripts/npm-pack.sh OUTDIR                  # this machine's Linux platform (static musl)
#   scripts/npm-pack.sh OUTDIR --all-targets    # every platform of npm/platforms.json
#   scripts/npm-pack.sh OUTDIR --target aarch64-unknown-linux-musl ...
#
# Writes OUTDIR/doforge-VERSION.tgz (the launcher) and OUTDIR/doforge-cli-OS-CPU-VERSION.tgz
# (one per platform built), and prints their paths, one per line, on stdout; progress goes to
# stderr. VERSION is Cargo.toml's. Install them with
# `npm install $(scripts/npm-pack.sh out)` or serve them as a registry (scripts/npm-mirror.py).
#
# Targets: rustup adds the Rust target when it is missing. The host's musl target links with the
# system C compiler (Rust ships musl's libc and start files); every other target links with zig
# through cargo-zigbuild, both from PyPI (`ziglang`, `cargo-zigbuild`) into target/dist-tools/
# (DOFORGE_DIST_TOOLS to move it). Each binary built is run with `--version` when this machine can
# run it (natively, or aarch64 Linux under qemu-aarch64-static from Debian's qemu-user-static
# when it is installed), and must print this version and commit.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

usage() { echo "usage: scripts/npm-pack.sh OUTDIR [--all-targets] [--target TRIPLE]..." >&2; exit 2; }
[ $# -ge 1 ] || usage
out="$1"
shift
targets=()
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) host=x86_64-unknown-linux-musl ;;
    Linux-aarch64 | Linux-arm64) host=aarch64-unknown-linux-musl ;;
    *) echo "npm-pack: builds on Linux x86_64 or aarch64 (this is $(uname -sm))" >&2; exit 2 ;;
esac
while [ $# -gt 0 ]; do
    case "$1" in
        --all-targets)
            mapfile -t targets < <(node -e '
                const { platforms } = require(process.argv[1]);
                for (const p of platforms) console.log(p.target);' "$repo/npm/platforms.json")
            ;;
        --target) [ $# -ge 2 ] || usage; targets+=("$2"); shift ;;
        *) usage ;;
    esac
    shift
done
[ ${#targets[@]} -gt 0 ] || targets=("$host")

version="$(cargo pkgid --offline 2>/dev/null || cargo pkgid)"
version="${version##*@}"
commit="$(git rev-parse HEAD 2>/dev/null | cut -c1-12)"
commit="${DOFORGE_COMMIT:-${commit:-unknown}}"
log() { echo "npm-pack: $*" >&2; }

tools="${DOFORGE_DIST_TOOLS:-$repo/target/dist-tools}"
zig_tools() {
    if [ ! -x "$tools/bin/cargo-zigbuild" ]; then
        log "installing ziglang + cargo-zigbuild from PyPI into $tools"
        python3 -m venv "$tools"
        "$tools/bin/pip" install --quiet --disable-pip-version-check ziglang cargo-zigbuild
    fi
}

# Run a freshly built binary's --version where this machine can; prints why not otherwise.
check_version() { # target binary
    local runner=()
    case "$1" in
        "$host") ;;
        aarch64-unknown-linux-musl)
            if command -v qemu-aarch64-static >/dev/null; then runner=(qemu-aarch64-static)
            else log "$1: not run (no qemu-aarch64-static)"; return 0; fi ;;
        *) log "$1: not run (another OS)"; return 0 ;;
    esac
    local said
    said="$("${runner[@]}" "$2" --version)"
    if [ "$said" != "doforge $version (commit $commit)" ]; then
        log "$1: --version says '$said', expected 'doforge $version (commit $commit)'"
        exit 1
    fi
    log "$1: ran ${runner[*]:-natively}: $said"
}

binaries=()
for t in "${targets[@]}"; do
    exe=doforge
    case "$t" in *windows*) exe=doforge.exe ;; esac
    if ! rustup target list --installed 2>/dev/null | grep -qx "$t"; then
        log "rustup target add $t"
        rustup target add "$t" >&2
    fi
    start=$SECONDS
    if [ "$t" = "$host" ]; then
        build=(cargo build)
    else
        zig_tools
        export PATH="$tools/bin:$PATH"
        build=(cargo zigbuild)
    fi
    log "$t: ${build[*]} --profile dist"
    nice -n 10 "${build[@]}" --locked --quiet --profile dist --target "$t" --bin doforge >&2
    bin="${CARGO_TARGET_DIR:-$repo/target}/$t/dist/$exe"
    log "$t: built in $((SECONDS - start)) s, $(stat -c %s "$bin") bytes"
    check_version "$t" "$bin"
    binaries+=("$t=$bin")
done

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
out="$(cd "$out" && pwd)"
node npm/stage.js --version "$version" --out "$stage" "${binaries[@]}" >/dev/null
for dir in "$stage"/*/; do
    name="$(cd "$dir" && npm pack --silent --pack-destination "$out")"
    echo "$out/$name"
done
