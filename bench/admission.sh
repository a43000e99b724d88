#!/usr/bin/env bash
# Admission benchmarks: `rein run --lock` against `flock -n FILE timeout 60 true`; lock hand-off latency under
# 50 contenders; reaction time of the polled memory cap. Usage: bench/admission.sh
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
export REIN_HOME="$bench_tmp/home"
"$REIN" run -- true

echo "== lock overhead"
hyperfine -N --warmup 20 --runs 300 "$REIN run --lock x -- true" "flock -n $bench_tmp/flockfile timeout 60 true"

echo "== hand-off latency, 50 contenders on one slot (each run: stamp at start, stamp at end)"
stamps="$bench_tmp/stamps"
for i in $(seq 1 50); do
  "$REIN" run --lock handoff --wait 120s -- "$HELPER" bench-handoff stamp "$stamps.start" sleep 0.02 stamp "$stamps.end" &
done
wait
python3 - "$stamps" <<'PY'
import sys, statistics
p = sys.argv[1]
starts = sorted(int(x) for x in open(p + ".start"))
ends = sorted(int(x) for x in open(p + ".end"))
# hand-off i: from the end of run i (its command's last stamp) to the start of run i+1's command,
# i.e. teardown + journal end + unlock + the next waiter noticing + its journal start + spawn.
gaps = [(s - e) / 1e6 for e, s in zip(ends[:-1], starts[1:])]
assert all(g > 0 for g in gaps), "runs overlapped"
print(f"hand-offs: {len(gaps)}  median {statistics.median(gaps):.1f} ms  p90 {sorted(gaps)[int(len(gaps)*0.9)]:.1f} ms  max {max(gaps):.1f} ms")
PY

echo "== polled memory cap: from crossing 64 MiB to rein having stopped the tree"
for i in $(seq 1 10); do
  rm -f "$bench_tmp/cross"
  "$REIN" run --memory 64M --cap-method poll -- "$HELPER" bench-mem alloc 70 stamp "$bench_tmp/cross" hang >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(( (end - $(cat "$bench_tmp/cross")) / 1000000 ))
done | python3 -c "import sys, statistics; v=[int(x) for x in sys.stdin]; print(f'reaction: median {statistics.median(v)} ms, max {max(v)} ms over {len(v)} runs')"
