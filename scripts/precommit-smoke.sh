#!/usr/bin/env bash
# Runs the repository's pre-commit hooks (.pre-commit-hooks.yaml) the way users get them, with the
# real pre-commit (from PyPI into target/oracle/):
#
#   scripts/precommit-smoke.sh NPM_DIR    # NPM_DIR: the tarballs of scripts/npm-pack.sh
#
# 1. `doforge-check` (language: node, the doforge npm package) through `pre-commit try-repo` on a
#    sample repository, with no cargo on PATH: once with a broken wrangler config (the hook must
#    fail and name the rule), once with a clean one (it must pass). npm installs
#    `doforge@VERSION` from scripts/npm-mirror.py serving NPM_DIR (a registry that has the
#    unpublished packages, and nothing else).
# 2. docs/getting-started.md's pre-commit walkthrough as written, with the real pre-commit
#    (`cargo test --test walkthrough` with DOFORGE_WALKTHROUGH_PRE_COMMIT set; same registry).
# 3. `doforge-check-rust` (language: rust, `cargo install` of this revision) the same way as 1.
#    Its build shares target/ (CARGO_TARGET_DIR) with `cargo run --release`, so only doforge
#    itself compiles, not its dependencies.
#
# DOFORGE_SMOKE_HOOKS="node walkthrough rust" (the default) picks the parts.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 1 ] || { echo "usage: scripts/precommit-smoke.sh NPM_DIR (scripts/npm-pack.sh writes it)" >&2; exit 2; }
npm_dir="$(cd "$1" && pwd)"
parts="${DOFORGE_SMOKE_HOOKS:-node walkthrough rust}"
pre_commit="$(bash "$repo/scripts/pre-commit-venv.sh")/bin/pre-commit"

work="$(mktemp -d)"
mirror_pid=
cleanup() {
    [ -z "$mirror_pid" ] || kill "$mirror_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export PRE_COMMIT_HOME="$work/pre-commit-home"

python3 "$repo/scripts/npm-mirror.py" "$npm_dir" --port-file "$work/port" --max-seconds 1200 &
mirror_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "precommit-smoke: the registry mirror did not start" >&2; exit 1; }
npm_env=(
    "npm_config_registry=http://127.0.0.1:$(cat "$work/port")/"
    "npm_config_cache=$work/npm-cache" npm_config_audit=false npm_config_fund=false
    npm_config_update_notifier=false
)
# PATH without cargo and rustc: the node hook must not need them.
no_rust_path=
IFS=: read -r -a entries <<<"$PATH"
for e in "${entries[@]}"; do
    [ -n "$e" ] && [ ! -x "$e/cargo" ] && [ ! -x "$e/rustc" ] && no_rust_path="${no_rust_path:+$no_rust_path:}$e"
done

sample="$work/sample"
mkdir "$sample"
git -C "$sample" init -q
git -C "$sample" config user.email ci@example.com
git -C "$sample" config user.name ci
mkdir "$sample/svc"

# try_hook HOOK [VAR=VALUE...]: the hook fails on a broken config and passes on a clean one.
try_hook() {
    local hook="$1" out code start
    shift
    cat > "$sample/svc/wrangler.toml" <<'TOML'
name = "svc"
main = "src/index.js"
compatibility_date = "2026-06-01"

[durable_objects]
classes = [{ binding = "ROOM", class_name = "Room" }]
TOML
    git -C "$sample" add -A && git -C "$sample" commit -qm broken
    start=$SECONDS
    set +e
    out="$(cd "$sample" && env "$@" "$pre_commit" try-repo "$repo" "$hook" --all-files 2>&1)"
    code=$?
    set -e
    echo "$out" | tail -20
    if [ "$code" -eq 0 ] || ! grep -q "unknown-field" <<<"$out"; then
        echo "precommit-smoke: $hook should have failed with unknown-field (exit $code)" >&2
        exit 1
    fi
    echo "precommit-smoke: $hook: install + run in $((SECONDS - start)) s"
    cat > "$sample/svc/wrangler.toml" <<'TOML'
name = "svc"
main = "src/index.js"
compatibility_date = "2026-06-01"
TOML
    git -C "$sample" commit -qam clean
    (cd "$sample" && env "$@" "$pre_commit" try-repo "$repo" "$hook" --all-files)
    echo "precommit-smoke: $hook ok (fails on a broken config, passes on a clean one)"
}

for part in $parts; do
    case "$part" in
        node)
            echo "== pre-commit try-repo: doforge-check (language: node; no cargo on PATH)"
            try_hook doforge-check "${npm_env[@]}" "PATH=$no_rust_path"
            ;;
        walkthrough)
            echo "== docs/getting-started.md's pre-commit walkthrough with the real pre-commit"
            (cd "$repo" && env "${npm_env[@]}" DOFORGE_WALKTHROUGH_PRE_COMMIT="$pre_commit" \
                cargo test --locked --quiet --test walkthrough)
            ;;
        rust)
            echo "== pre-commit try-repo: doforge-check-rust (language: rust)"
            try_hook doforge-check-rust "CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}"
            ;;
        *) echo "precommit-smoke: unknown part $part" >&2; exit 2 ;;
    esac
done
