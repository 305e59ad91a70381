#!/usr/bin/env bash
# Runs the repository's pre-commit hook (.pre-commit-hooks.yaml) the way users get it:
# `pre-commit try-repo` on a sample repository, once with a broken wrangler config (the hook must
# fail and name the rule) and once with a clean one (the hook must pass).
# pre-commit comes from PyPI into target/oracle/; its build of doforge is cached there too.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oracle="${DOFORGE_ORACLE_DIR:-$repo/target/oracle}"
venv="$oracle/pre-commit-venv"
if [ ! -x "$venv/bin/pre-commit" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==4.*"
fi
export PRE_COMMIT_HOME="$oracle/pre-commit-home"
# pre-commit builds the hook with `cargo install` (release profile); skip LTO to keep CI fast.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16

sample="$(mktemp -d)"
trap 'rm -rf "$sample"' EXIT
cd "$sample"
git init -q
git config user.email ci@example.com
git config user.name ci
mkdir svc
cat > svc/wrangler.toml <<'TOML'
name = "svc"
main = "src/index.js"
compatibility_date = "2026-06-01"

[durable_objects]
classes = [{ binding = "ROOM", class_name = "Room" }]
TOML
git add -A && git commit -qm sample

set +e
out="$("$venv/bin/pre-commit" try-repo "$repo" doforge-check --all-files 2>&1)"
code=$?
set -e
echo "$out" | tail -20
if [ "$code" -eq 0 ] || ! grep -q "unknown-field" <<<"$out"; then
    echo "precommit-smoke: the hook should have failed with unknown-field (exit $code)" >&2
    exit 1
fi

cat > svc/wrangler.toml <<'TOML'
name = "svc"
main = "src/index.js"
compatibility_date = "2026-06-01"
TOML
git commit -qam clean
"$venv/bin/pre-commit" try-repo "$repo" doforge-check --all-files
echo "precommit-smoke: ok (hook fails on a broken config, passes on a clean one)"
