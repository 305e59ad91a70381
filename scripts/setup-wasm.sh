#!/usr/bin/env bash
# The wasm32 target the generated Rust projects are checked against (tests/generate_rust_build.rs).
# Idempotent: rustup does nothing when the target is installed.
set -euo pipefail
rustup target add wasm32-unknown-unknown
