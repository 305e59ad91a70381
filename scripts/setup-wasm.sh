#!/usr/bin/env bash
# Install what building a workers-rs project to wasm and serving it with `wrangler dev` needs,
# offline-capable (worker-build's own downloads come from GitHub, which CI cannot reach):
#
#   * the rustup target wasm32-unknown-unknown (also used by tests/generate_rust_build.rs);
#   * wasm-bindgen-cli at EXACTLY the wasm-bindgen version locked by the wasm smoke fixture
#     (tests/fixtures/wasm-smoke/Cargo.lock) — the CLI refuses a .wasm made by another version,
#     and tests pin every project they build to it (tests/common/devserver.rs);
#   * worker-build at WORKER_BUILD_VERSION (below), from crates.io.
#
# Node 22 + wrangler come from scripts/setup-oracle.sh (target/oracle); esbuild is fetched from the
# npm registry by worker-build itself on first use (cached under $XDG_CACHE_HOME/worker-build).
#
#   scripts/setup-wasm.sh              # installs into <repo>/target/wasm-tools
#   DOFORGE_WASM_TOOLS=/x scripts/setup-wasm.sh
#
# Idempotent: does nothing when both tools are installed at the right versions. Prints how long
# each install took (the numbers quoted in docs/testing-wasm.md).
set -euo pipefail

# worker-build releases in step with the `worker` crate (0.8.x); the generated build command uses
# "worker-build@^0.8", tests pin one version so CI is reproducible.
WORKER_BUILD_VERSION=0.8.7

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${DOFORGE_WASM_TOOLS:-$repo/target/wasm-tools}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
fixture="$repo/tests/fixtures/wasm-smoke"

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "wasm: rustup target wasm32-unknown-unknown already installed"
else
    echo "wasm: rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# The locked wasm-bindgen version, read by cargo from the committed lock file (no network).
bindgen_version="$(cargo pkgid --offline --manifest-path "$fixture/Cargo.toml" wasm-bindgen 2>/dev/null ||
    cargo pkgid --manifest-path "$fixture/Cargo.toml" wasm-bindgen)"
bindgen_version="${bindgen_version##*@}"
case "$bindgen_version" in
    [0-9]*.[0-9]*.[0-9]*) ;;
    *) echo "wasm: could not read the wasm-bindgen version from $fixture/Cargo.lock" >&2; exit 2 ;;
esac

# The last word of the first line of `tool --version` ("wasm-bindgen 0.2.130", "0.8.7").
installed_version() {
    [ -x "$dir/bin/$1" ] || return 0
    "$dir/bin/$1" --version 2>/dev/null | awk 'NR==1 {print $NF}'
}

# Not --locked: the lock files shipped in these crates can name versions the registry no longer
# serves (wasm-bindgen-cli 0.2.130 locks a webpki-roots release missing from the index).
install() { # name version
    local start=$SECONDS
    echo "wasm: cargo install $1@$2 into $dir"
    # --debug: both tools only orchestrate or rewrite a ~1.5 MB module, so optimising them is
    # not worth it: the two installs take ~2.7x less CPU (3m40 s instead of 10 min on this
    # 2-core machine) and wasm-bindgen runs 0.6 s instead of 0.1 s per build.
    # One build directory for both tools: they share many dependencies (clap, serde, ureq, …),
    # and a version bump rebuilds only what changed.
    cargo install --quiet --debug --root "$dir" --target-dir "$dir/build" --version "=$2" "$1"
    echo "wasm: installed $1 $2 in $((SECONDS - start)) s"
}

if [ "$(installed_version wasm-bindgen)" = "$bindgen_version" ]; then
    echo "wasm: wasm-bindgen-cli $bindgen_version already installed"
else
    install wasm-bindgen-cli "$bindgen_version"
fi
if [ "$(installed_version worker-build)" = "$WORKER_BUILD_VERSION" ]; then
    echo "wasm: worker-build $WORKER_BUILD_VERSION already installed"
else
    install worker-build "$WORKER_BUILD_VERSION"
fi

echo "wasm: wasm-bindgen $(installed_version wasm-bindgen) at $dir/bin/wasm-bindgen"
echo "wasm: worker-build $(installed_version worker-build) at $dir/bin/worker-build"
