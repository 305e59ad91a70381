#!/usr/bin/env bash
# Whole-process timings of doforge (docs/performance.md): prints a table of medians.
#
#   ./scripts/bench.sh            # everything (needs the wrangler oracle: scripts/setup-oracle.sh)
#   ./scripts/bench.sh --quick    # fewer runs, no wrangler
#
# Cases: `doforge check` on a seed config vs the real `wrangler deploy --dry-run` on the same
# file (offline, stub entry point); a tree of 1,000 configs; blueprints with 10 / 100 / 1,000 /
# 10,000 Durable Object classes (2x input must stay <= 2.2x time); `doforge generate` of a seed
# blueprint. Uses hyperfine when installed (Debian: `apt-get install hyperfine`), else a timing
# loop in Python (median of N runs of the same command).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
quick=0
[ "${1:-}" = "--quick" ] && quick=1
runs=$([ $quick = 1 ] && echo 10 || echo 40)

cargo build --release --locked --quiet
doforge="$root/target/release/doforge"
work="$root/target/bench"
rm -rf "$work" && mkdir -p "$work"

# median_ms RUNS COMMAND… : "MEDIAN CPU" — median wall time and mean user+system CPU time, in
# milliseconds, of RUNS runs after 3 warm-ups. $PREPARE (a shell command) runs before each run,
# untimed. CPU time is the steadier number on a loaded machine.
median_ms() {
  local runs="$1"; shift
  if command -v hyperfine >/dev/null; then
    local prepare=()
    [ -n "${PREPARE:-}" ] && prepare=(--prepare "$PREPARE")
    hyperfine -N -i --warmup 3 --runs "$runs" "${prepare[@]}" --export-json "$work/h.json" -- "$*" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f %.2f" % (r["median"]*1000, (r["user"]+r["system"])*1000))' "$work/h.json"
  else
    python3 - "$runs" "$@" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
prepare = os.environ.get("PREPARE")
def once():
    if prepare: subprocess.run(prepare, shell=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
for _ in range(3): once()
samples = [once() for _ in range(runs)]
print("%.2f %.2f" % (statistics.median(w for w, _ in samples) * 1000, statistics.mean(c for _, c in samples) * 1000))
PY
  fi
}

rows=()
# row CASE "MEDIAN CPU" NOTE
row() {
  local median cpu
  read -r median cpu <<<"$2"
  rows+=("$(printf '| %-56s | %10s | %8s | %s |' "$1" "$median" "${cpu:--}" "$3")")
}
wall() { echo "${1%% *}"; }

# 1. A seed config, in a scratch copy outside any git repository (as a fresh checkout would be
#    checked in a pre-commit hook, the migration-history rule then compares with HEAD; see
#    docs/performance.md for the in-repository number).
seed="$work/seed"
mkdir -p "$seed/src"
cp tests/fixtures/seeds/002-template/wrangler.toml "$seed/wrangler.toml"
cat > "$seed/src/index.ts" <<'TS'
export class ChatRoom { constructor(state, env) {} async fetch() { return new Response("ok"); } }
export class RateLimiter { constructor(state, env) {} async fetch() { return new Response("ok"); } }
export class Counter { constructor(state, env) {} async fetch() { return new Response("ok"); } }
export default { async fetch() { return new Response("ok"); } };
TS
check_seed=$(median_ms "$runs" "$doforge" check --exit-zero "$seed/wrangler.toml")
row "doforge check seed 002 wrangler.toml" "$check_seed" "target <= 5 ms"
check_seed_git=$(median_ms "$runs" "$doforge" check --exit-zero "$root/tests/fixtures/seeds/002-template/wrangler.toml")
row "doforge check seed 002, in this git repository" "$check_seed_git" "target <= 5 ms"

wrangler="$root/target/oracle/bin/wrangler"
if [ $quick = 0 ] && [ -x "$wrangler" ]; then
  export WRANGLER_SEND_METRICS=false CI=true NO_COLOR=1 XDG_CONFIG_HOME="$work/wrangler-config" \
    WRANGLER_LOG_PATH="$work/wrangler-logs" NODE_COMPILE_CACHE="$root/target/oracle-node-cache"
  unset CLOUDFLARE_API_TOKEN CLOUDFLARE_ACCOUNT_ID CLOUDFLARE_ENV WRANGLER_LOG || true
  (cd "$seed" && "$wrangler" deploy --dry-run --outdir "$work/wrangler-out" >/dev/null 2>&1) \
    || { echo "wrangler deploy --dry-run failed on the seed copy:" >&2; (cd "$seed" && "$wrangler" deploy --dry-run --outdir "$work/wrangler-out") >&2; exit 1; }
  wr=$(cd "$seed" && median_ms 5 "$wrangler" deploy --dry-run --outdir "$work/wrangler-out")
  row "wrangler deploy --dry-run, same config" "$wr" "$(python3 -c "print('doforge is %.0fx faster' % ($(wall "$wr") / $(wall "$check_seed")))")"
else
  row "wrangler deploy --dry-run" "skipped" "scripts/setup-oracle.sh"
fi

# 2. A tree of 1,000 configs (the seeds and examples' configs, copied round-robin).
tree="$work/tree"
python3 - "$tree" tests/fixtures/seeds <<'PY'
import os, shutil, sys
dest, seeds = sys.argv[1], sys.argv[2]
configs = sorted(os.path.join(d, f) for d, _, fs in os.walk(seeds) for f in fs
                 if f.startswith("wrangler.") and f.endswith((".toml", ".json", ".jsonc")))
for i in range(1000):
    src = configs[i % len(configs)]
    d = os.path.join(dest, "svc-%04d" % i)
    os.makedirs(d)
    shutil.copy(src, os.path.join(d, os.path.basename(src)))
PY
tree_ms=$(median_ms "$([ $quick = 1 ] && echo 3 || echo 10)" "$doforge" check --exit-zero --format json "$tree")
row "doforge check, tree of 1,000 configs ($(nproc) cores)" "$tree_ms" "target <= 1000 ms"

# 3. Blueprints with N Durable Object classes (each bound once), same shape as benches/check.rs.
prev=""
for n in 10 100 1000 10000; do
  python3 - "$n" > "$work/classes-$n.blueprint.yaml" <<'PY'
import sys
n = int(sys.argv[1])
print('project_name: bench-%d\nprovider: cloudflare\ncompatibility_date: "2025-10-08"' % n)
print("resources:\n  - { id: worker, type: cloudflare_worker }\ndurable_objects:")
for i in range(n):
    print('  - { class_name: Counter%d, kind: counter, instances: { route: "/c%d/:name", key: "{name}" } }' % (i, i))
print("bindings:")
for i in range(n):
    print("  - { name: COUNTER_%d, target: Counter%d }" % (i, i))
PY
  ms=$(median_ms "$([ $n -ge 10000 ] && echo 5 || echo "$runs")" "$doforge" check --exit-zero --today 2026-06-01 "$work/classes-$n.blueprint.yaml")
  note="target <= 1000 ms at 10,000"
  [ -n "$prev" ] && note="$(python3 -c "print('%.1fx the time for 10x input' % ($(wall "$ms") / $(wall "$prev")))")"
  row "doforge check, blueprint with $n DO classes" "$ms" "$note"
  prev="$ms"
done
# 2x input must take at most 2.2x the time.
python3 - "$work/classes-5000.blueprint.yaml" 5000 <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write('project_name: bench-%d\nprovider: cloudflare\ncompatibility_date: "2025-10-08"\n' % n)
    f.write("resources:\n  - { id: worker, type: cloudflare_worker }\ndurable_objects:\n")
    for i in range(n):
        f.write('  - { class_name: Counter%d, kind: counter, instances: { route: "/c%d/:name", key: "{name}" } }\n' % (i, i))
    f.write("bindings:\n")
    for i in range(n):
        f.write("  - { name: COUNTER_%d, target: Counter%d }\n" % (i, i))
PY
half=$(median_ms 5 "$doforge" check --exit-zero --today 2026-06-01 "$work/classes-5000.blueprint.yaml")
row "doforge check, blueprint with 5000 DO classes" "$half" "$(python3 -c "print('10,000 takes %.2fx (target <= 2.2x)' % ($(wall "$prev") / $(wall "$half")))")"

# 4. generate of a seed blueprint (examples/03: seed 002's system), into a fresh directory each run.
gen="$work/gen"
mkdir -p "$gen"
cp examples/03-realtime-template/blueprint.yaml "$gen/blueprint.yaml"
gen_ms=$(PREPARE="rm -rf '$gen/out'" median_ms "$runs" "$doforge" generate "$gen/blueprint.yaml" --out "$gen/out" --config both --lang rust)
row "doforge generate examples/03 (fresh dir, both formats, Rust project)" "$gen_ms" "target <= 20 ms"

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load:$(uptime | sed 's/.*load average://')"
echo "timer: $(command -v hyperfine >/dev/null && hyperfine --version || echo 'python loop')"
echo
printf '| %-56s | %10s | %8s | %s |\n' "case" "median ms" "cpu ms" "note"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..58})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..10})" "------"
printf '%s\n' "${rows[@]}"
