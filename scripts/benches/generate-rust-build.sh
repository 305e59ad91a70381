#!/usr/bin/env bash
# Cold and warm timings of the Rust build oracle (tests/generate_rust_build.rs): every generated
# project checked, tested, linted and checked for wasm32 with one shared CARGO_TARGET_DIR.
#   scripts/benches/generate-rust-build.sh          # cold (empties the shared target dir) + warm
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash scripts/setup-wasm.sh >/dev/null
cargo test --locked --test generate_rust_build --no-run -q
for run in cold warm; do
  if [ "$run" = cold ]; then rm -rf target/generate-rust-build/target; fi
  echo "== $run"
  start=$(date +%s)
  cargo test --locked -q --test generate_rust_build -- --nocapture 2>&1 | grep -E "^[a-z0-9-]+:$|cargo |total|all projects"
  echo "$run: $(( $(date +%s) - start )) s"
done
