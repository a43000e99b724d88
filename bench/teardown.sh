#!/usr/bin/env bash
# Teardown speed (issue 21, target 5): from the expiry of --timeout, how long after the grace until every member of a
# tree of N TERM-ignoring processes is gone (rein exits only after verifying that), and the same with half of them
# setsid() escapees; against `timeout -k GRACE` (which leaves every escapee behind). Time after the grace =
# wall time - timeout - grace. Usage: bench/teardown.sh [N] [RUNS]   (defaults 200, 10)
source "$(dirname "$0")/helper.sh"
n="${1:-200}"
runs="${2:-10}"
half=$((n / 2))
marker="teardown-$$-$RANDOM"
flat=("$HELPER" "$marker" ignore-term fan "$n" [ ignore-term hang ] hang)
escapes=("$HELPER" "$marker" ignore-term fan "$half" [ ignore-term hang ] fan "$half" [ setsid [ ignore-term hang ] hang ] hang)
q() { echo "$*"; } # no argument has a space; hyperfine -N splits on whitespace
# The timeout is long enough for the whole tree to have forked on a loaded machine.
hyperfine -N -w 1 -r "$runs" -i --export-json "$bench_tmp/t.json" \
  "$REIN run --timeout 2s --grace 100ms -- $(q "${flat[@]}")" \
  "$REIN run --timeout 2s --grace 100ms -- $(q "${escapes[@]}")" \
  "timeout -k 0.1 2 $(q "${flat[@]}")" >&2
python3 - "$bench_tmp/t.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    after = sorted((t - 2.1) * 1000 for t in r["times"])
    print(f"{r['command'][:60]:60} after the grace: median {after[len(after)//2]:.0f} ms, max {after[-1]:.0f} ms")
PY
sleep 0.5
left=$(survivors "$marker")
echo "survivors after all runs (timeout -k leaves the escapees): $left"
# What timeout -k left behind is ours to clean: by pid, found by the marker in the command line.
for pid in $(pgrep -f -- "$marker" || true); do kill -KILL "$pid" 2>/dev/null || true; done
