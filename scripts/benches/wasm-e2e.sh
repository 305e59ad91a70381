#!/usr/bin/env bash
# Timings of the wasm end-to-end tests (docs/testing-wasm.md): tool installs, worker-build, the
# start-up of `wrangler dev`, and the checks of every Durable Object kind.
#   scripts/benches/wasm-e2e.sh              # warm tools; cold + warm wasm builds
#   scripts/benches/wasm-e2e.sh --cold-tools # also installs the tools from scratch into a
#                                            # temporary directory (several minutes)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ "${1:-}" = "--cold-tools" ]; then
  tools="$(mktemp -d)"
  trap 'rm -rf "$tools"' EXIT
  echo "== cold tool install (into $tools)"
  start=$(date +%s)
  DOFORGE_WASM_TOOLS="$tools" bash scripts/setup-wasm.sh | grep -E "installed|already"
  echo "tools: $(( $(date +%s) - start )) s"
fi
bash scripts/setup-oracle.sh >/dev/null
bash scripts/setup-wasm.sh >/dev/null
cargo test --locked -q --test wasm_smoke --test generate_e2e --no-run
for run in cold warm; do
  if [ "$run" = cold ]; then rm -rf target/wasm-build; fi
  echo "== $run wasm build"
  start=$(date +%s)
  cargo test --locked -q --test wasm_smoke --test generate_e2e -- --nocapture --test-threads=1 2>&1 | grep -E "^timing:"
  echo "$run: $(( $(date +%s) - start )) s"
done
