#!/usr/bin/env bash
# rein doctor with the machine's normal process count, then with 2,000 extra sleeping processes (issue 21, target 6:
# at most 1.5x its idle time). Prints hyperfine's mean wall time and user+sys CPU for each, and the ratios.
# Usage: bench/doctor.sh
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
export REIN_HOME="$bench_tmp/home"
"$REIN" run -- true
echo "processes now: $(ls -d /proc/[0-9]* | wc -l); load: $(uptime)"
hyperfine -N --warmup 3 --runs 20 --export-json "$bench_tmp/idle.json" "$REIN doctor --json"
marker="bench-doctor-sleepers-$$"
# Its own process group, so that the end can kill exactly the sleepers (and nothing else) in one step.
setsid "$HELPER" "$marker" fan 2000 [ hang ] hang &
sleepers=$!
trap 'kill -KILL -- -$sleepers 2>/dev/null; rm -rf "$bench_tmp"' EXIT
while [ "$(pgrep -fc -- "$marker")" -lt 2001 ]; do sleep 0.2; done
echo "processes now: $(ls -d /proc/[0-9]* | wc -l); load: $(uptime)"
hyperfine -N --warmup 3 --runs 20 --export-json "$bench_tmp/busy.json" "$REIN doctor --json"
python3 - "$bench_tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
idle, busy = (json.load(open(f"{tmp}/{n}.json"))["results"][0] for n in ("idle", "busy"))
cpu = lambda r: (r["user"] + r["system"]) * 1e3
print(f"idle: mean {idle['mean']*1e3:.1f} ms, cpu {cpu(idle):.1f} ms; 2,000 extra: mean {busy['mean']*1e3:.1f} ms, "
      f"cpu {cpu(busy):.1f} ms; ratio wall {busy['mean']/idle['mean']:.2f}x, cpu {cpu(busy)/cpu(idle):.2f}x")
PY
