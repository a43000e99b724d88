#!/usr/bin/env bash
# Cost of a breadcrumb: `rein mark pre MODEL` (the whole process: start-up, caller's identity, one O_APPEND write,
# fsync of the file) against `rein run -- true` (the target: within 2x of it) and `true` (process start alone).
# hyperfine interleaves nothing by itself, so the three run as rounds of alternating batches.
# Usage: bench/mark.sh [ROUNDS]   (default 3 rounds of 100 runs each)
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
rounds="${1:-3}"
"$REIN" run -- true
"$REIN" mark pre org/bench-model # the crumbs folder and this caller's file exist: the steady state of a worker
for round in $(seq 1 "$rounds"); do
  echo "== round $round"
  hyperfine -N --warmup 10 --runs 100 --export-json "$bench_tmp/round$round.json" \
    "$REIN mark pre org/bench-model --note bench" "$REIN run -- true" "true"
done
python3 - "$bench_tmp" "$rounds" <<'PY'
import json, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
by = {}
for r in range(1, rounds + 1):
    for res in json.load(open(f"{tmp}/round{r}.json"))["results"]:
        by.setdefault(res["command"].split(" ")[1] if " " in res["command"] else res["command"], []).extend(res["times"])
mark, run = statistics.median(by["mark"]) * 1e3, statistics.median(by["run"]) * 1e3
print(f"medians over {rounds} rounds: mark {mark:.2f} ms, run -- true {run:.2f} ms, true {statistics.median(by['true'])*1e3:.2f} ms; mark/run = {mark/run:.2f}")
PY
