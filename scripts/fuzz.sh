#!/usr/bin/env bash
# Fuzz doforge with cargo-fuzz (libFuzzer) for SECONDS per target (default 60).
#
#   ./scripts/fuzz.sh            # every target, 60 s each
#   ./scripts/fuzz.sh 600        # every target, 10 min each
#   ./scripts/fuzz.sh 60 generate check_blueprint   # only these targets
#
# Needs a nightly toolchain (`rustup toolchain install nightly`) and cargo-fuzz (installed here on
# first use from crates.io). Targets (fuzz/fuzz_targets/):
#   check_blueprint       blueprint YAML: load, schema, model, every rule, every renderer
#   check_wrangler_toml   the same for wrangler.toml
#   check_wrangler_jsonc  the same for wrangler.jsonc
#   generate              any blueprint that passes check: deterministic plan, every generated
#                         config loads again, written dir matches, regenerating is a no-op
#   fix_all               check --fix --unsafe-fixes on any config (first byte: 0 TOML, 1 JSONC,
#                         2 YAML): no panic, every fixed file loads
# Each target starts from the repository's fixtures (copied into target/fuzz/corpus/<target>, which
# keeps growing between runs). A crash leaves its input in fuzz/artifacts/<target>/; reproduce with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/crash-…
# then add it to tests/fixtures/hostile/fuzz/ (tests/hostile.rs checks every file there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(check_blueprint check_wrangler_toml check_wrangler_jsonc generate fix_all)

command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
root="$PWD"
corpus_root="$root/target/fuzz/corpus"


# Same-named fixtures overwrite each other in the flat corpus dir; use content-named copies.
seed_files() { # target, pattern…
  local target="$1"; shift
  local dir="$corpus_root/$target"
  mkdir -p "$dir"
  for pattern in "$@"; do
    find tests/fixtures examples -type f -name "$pattern" -print0
  done | while IFS= read -r -d '' f; do
    cp "$f" "$dir/seed-$(sha256sum "$f" | cut -c1-16)"
  done
}

# fix_all reads the format from the first byte: seed each fixture with its format's byte.
seed_fix_all() {
  local dir="$corpus_root/fix_all"
  mkdir -p "$dir"
  local byte pattern f
  for spec in '0:*.toml' '1:*.jsonc' '1:*.json' '2:*.yaml'; do
    byte="${spec%%:*}"; pattern="${spec#*:}"
    find tests/fixtures/fix tests/fixtures/rules tests/fixtures/seeds -type f -name "$pattern" -print0 |
      while IFS= read -r -d '' f; do
        { printf "\\x0$byte"; cat "$f"; } > "$dir/seed-$byte-$(sha256sum "$f" | cut -c1-16)"
      done
  done
}

status=0
for t in "${targets[@]}"; do
  case "$t" in
    check_blueprint | generate) seed_files "$t" '*.yaml' '*.yml' ;;
    check_wrangler_toml) seed_files "$t" '*.toml' ;;
    check_wrangler_jsonc) seed_files "$t" '*.jsonc' '*.json' ;;
    fix_all) seed_fix_all ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
  echo "== fuzz $t for ${seconds}s"
  # -rss_limit_mb: a runaway allocation is a finding; -timeout: so is a slow input (seconds).
  (cd fuzz && cargo +nightly fuzz run -O "$t" "$corpus_root/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
      -print_final_stats=1 2>&1 | tee "$root/target/fuzz/$t.log" | grep -E '^(#[0-9]+ +(DONE|INITED)|stat::|==[0-9]+==|SUMMARY|Test unit written)' ) || status=1
  grep -q 'Test unit written' "$root/target/fuzz/$t.log" && status=1
done
exit $status
