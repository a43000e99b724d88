#!/usr/bin/env bash
# Start path (issue 21, target 2): `rein run -- true`, `rein timeout 60 true` and `rein run --lock x -- true` against
# `timeout 60 true` and `flock -n F timeout 60 true`, and a bare start of the binary (`rein --version`), measured in
# ROUNDS alternating hyperfine batches (hyperfine runs one command's batch after another; alternating the batches
# spreads the machine's load over all of them). Reports, per command, the median wall time over all rounds and the
# mean user+sys CPU (the steadier figure on a shared machine), and each ratio to its peer.
# Extra rein binaries given as arguments are measured beside $REIN (`rein run -- true` and `rein --version` only),
# e.g. a build with IlcDehydrate=false or the previous commit's build.
# Usage: bench/start.sh [ROUNDS] [OTHER_REIN...]   (default 5 rounds of 40 runs per command)
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
rounds="${1:-5}"
shift || true
flockfile="$bench_tmp/flockfile"
: >"$flockfile"
"$REIN" run -- true
cmds=("timeout 60 true" "$REIN run -- true" "$REIN timeout 60 true" "flock -n $flockfile timeout 60 true"
  "$REIN run --lock benchx -- true" "$REIN --version")
for other in "$@"; do cmds+=("$other run -- true" "$other --version"); done
echo "load: $(uptime)"
for round in $(seq 1 "$rounds"); do
  hyperfine -N --warmup 5 --runs 40 --export-json "$bench_tmp/round$round.json" "${cmds[@]}" >/dev/null
done
echo "load: $(uptime)"
python3 - "$bench_tmp" "$rounds" <<'PY'
import json, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
times, cpu = {}, {}
for r in range(1, rounds + 1):
    for res in json.load(open(f"{tmp}/round{r}.json"))["results"]:
        c = res["command"]
        times.setdefault(c, []).extend(res["times"])
        cpu.setdefault(c, []).append(res["user"] + res["system"])
med = {c: statistics.median(v) * 1e3 for c, v in times.items()}
mcpu = {c: statistics.mean(v) * 1e3 for c, v in cpu.items()}
peer = {}
for c in med:
    peer[c] = next((p for p in med if p.startswith("flock")), None) if "--lock" in c else next(p for p in med if p.startswith("timeout"))
print(f"{'command':60} {'median':>8} {'cpu':>8} {'x wall':>7} {'x cpu':>6}")
for c in med:
    p = peer[c]
    print(f"{c[-60:]:60} {med[c]:7.2f}ms {mcpu[c]:7.2f}ms {med[c]/med[p]:6.2f}x {mcpu[c]/mcpu[p]:5.2f}x")
PY
