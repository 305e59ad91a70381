#!/usr/bin/env bash
# Ensure pre-commit (PyPI, 4.x) is installed in target/oracle/pre-commit-venv and print the venv's
# directory. Used by scripts/precommit-smoke.sh (pre-commit) and scripts/npm-smoke.sh (its PyYAML,
# for scripts/action-smoke.py).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${DOFORGE_ORACLE_DIR:-$repo/target/oracle}/pre-commit-venv"
if [ ! -x "$venv/bin/pre-commit" ]; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==4.*" >&2
fi
echo "$venv"
