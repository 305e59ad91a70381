#!/usr/bin/env bash
# Install the npm tarballs of scripts/npm-pack.sh the way a user without Rust does, and use them:
#
#   scripts/npm-smoke.sh DIR      # DIR holds doforge-VERSION.tgz and doforge-cli-*.tgz
#
# Everything runs with no cargo or rustc on PATH and a fresh npm cache, with the registry set to
# scripts/npm-mirror.py serving DIR on 127.0.0.1 (so the optional platform packages not built
# here are looked up there and skipped, and nothing else is reached). In empty projects:
#   1. `npm install ./doforge-*.tgz ./doforge-cli-<this platform>-*.tgz` (the tarballs given);
#      `npx doforge --version` says Cargo.toml's version and this commit; `npx doforge check` of a
#      shipped example exits 0, of the seed configs exits 1 naming a rule;
#   2. `npm install doforge@VERSION` from the registry: npm picks the platform package itself;
#   3. the same with `--omit=optional`: the launcher explains what is missing and exits 2;
#   4. the GitHub Action (action.yml, run by scripts/action-smoke.py): its install step installs
#      the package from the registry, its check step writes SARIF for a shipped example and
#      fails with annotations on the seed configs.
# Prints each install's wall time (cold cache).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 1 ] || { echo "usage: scripts/npm-smoke.sh TARBALL_DIR" >&2; exit 2; }
dir="$(cd "$1" && pwd)"
version="$(cd "$repo" && cargo pkgid --offline 2>/dev/null || cargo pkgid)"
version="${version##*@}"
commit="$(git -C "$repo" rev-parse HEAD | cut -c1-12)"
commit="${DOFORGE_COMMIT:-$commit}"
platform="$(node -p 'process.platform + "-" + process.arch')"
launcher="$dir/doforge-$version.tgz"
native="$dir/doforge-cli-$platform-$version.tgz"
for f in "$launcher" "$native"; do
    [ -f "$f" ] || { echo "npm-smoke: no $f (run scripts/npm-pack.sh $dir)" >&2; exit 2; }
done

venv="$(bash "$repo/scripts/pre-commit-venv.sh")" # PyYAML for scripts/action-smoke.py
work="$(mktemp -d)"
mirror_pid=
cleanup() {
    [ -z "$mirror_pid" ] || kill "$mirror_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
python3 "$repo/scripts/npm-mirror.py" "$dir" --port-file "$work/port" --max-seconds 600 &
mirror_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "npm-smoke: the registry mirror did not start" >&2; exit 1; }

# No Rust toolchain from here on: drop every PATH entry that has cargo or rustc.
path=
IFS=: read -r -a entries <<<"$PATH"
for e in "${entries[@]}"; do
    [ -n "$e" ] && [ ! -x "$e/cargo" ] && [ ! -x "$e/rustc" ] && path="${path:+$path:}$e"
done
export PATH="$path"
if command -v cargo >/dev/null || command -v rustc >/dev/null; then
    echo "npm-smoke: cargo is still on PATH" >&2
    exit 1
fi
export npm_config_registry="http://127.0.0.1:$(cat "$work/port")/"
export npm_config_cache="$work/npm-cache" npm_config_audit=false npm_config_fund=false
export npm_config_update_notifier=false NO_COLOR=1

ms() { date +%s%3N; }
# new_project NAME: an empty npm project in $work/NAME, made the current directory.
new_project() {
    mkdir "$work/$1"
    cd "$work/$1"
    npm init -y >/dev/null
}
# timed_install LABEL ARGS...: npm install ARGS, and how long it took.
timed_install() {
    local label="$1" start
    shift
    start=$(ms)
    npm install --no-progress --loglevel=error "$@" >/dev/null
    echo "npm-smoke: $label: npm install in $(($(ms) - start)) ms"
}
expect_version() {
    local said
    said="$(npx --no-install doforge --version)"
    if [ "$said" != "doforge $version (commit $commit)" ]; then
        echo "npm-smoke: npx doforge --version says '$said', expected 'doforge $version (commit $commit)'" >&2
        exit 1
    fi
    echo "npm-smoke: npx doforge --version: $said"
}

echo "== npm install of the tarballs (no cargo on PATH)"
new_project tarballs
timed_install "tarballs" "$launcher" "$native"
expect_version
cp -R "$repo/examples/01-butterfly-house" .
npx --no-install doforge check
echo "npm-smoke: npx doforge check (examples/01-butterfly-house in the project): exit 0"
set +e
out="$(npx --no-install doforge check "$repo/tests/fixtures/seeds/" 2>&1)"
code=$?
set -e
if [ "$code" -ne 1 ] || ! grep -q "placeholder-id" <<<"$out"; then
    echo "$out" | tail -20
    echo "npm-smoke: doforge check of the seed configs should exit 1 with placeholder-id (exit $code)" >&2
    exit 1
fi
echo "npm-smoke: npx doforge check tests/fixtures/seeds/: exit 1, $(grep -c "" <<<"$out") lines of findings"

echo "== npm install doforge@$version from a registry"
new_project registry
timed_install "registry" "doforge@$version"
[ -x "node_modules/@doforge/cli-$platform/bin/doforge" ] ||
    { echo "npm-smoke: npm did not install @doforge/cli-$platform" >&2; exit 1; }
expect_version

echo "== npm install --omit=optional: the launcher says what is missing"
new_project no-optional
timed_install "--omit=optional" --omit=optional "doforge@$version"
set +e
out="$(npx --no-install doforge --version 2>&1)"
code=$?
set -e
if [ "$code" -ne 2 ] || ! grep -q "@doforge/cli-$platform@$version" <<<"$out"; then
    echo "$out"
    echo "npm-smoke: without the platform package the launcher should exit 2 naming it (exit $code)" >&2
    exit 1
fi
echo "== the GitHub Action (action.yml): install from the registry, check"
mkdir -p "$work/action/repo" "$work/action/seeds"
cp -R "$repo/examples/01-butterfly-house" "$work/action/repo/"
cp -R "$repo/tests/fixtures/seeds/." "$work/action/seeds/"
action() { # WORKDIR INPUT=VALUE...: action.yml with a cold npm cache
    local dir="$1"
    shift
    npm_config_cache="$work/action-cache-$RANDOM" "$venv/bin/python" \
        "$repo/scripts/action-smoke.py" "$dir" "$@"
}
action "$work/action/repo" format=sarif output=doforge.sarif
node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (s.version !== "2.1.0" || s.runs[0].tool.driver.name !== "doforge") process.exit(1);
' "$work/action/repo/doforge.sarif" ||
    { echo "npm-smoke: the action did not write a doforge SARIF 2.1.0 report" >&2; exit 1; }
echo "npm-smoke: action: SARIF report written"
set +e
out="$(action "$work/action/seeds" format=github 2>&1)"
code=$?
set -e
if [ "$code" -ne 1 ] || ! grep -q "^::\(error\|warning\) file=" <<<"$out"; then
    echo "$out" | tail -20
    echo "npm-smoke: the action should fail with ::error/::warning annotations on the seed configs (exit $code)" >&2
    exit 1
fi
grep "^action-smoke:\|installed in" <<<"$out"
echo "npm-smoke: ok"
