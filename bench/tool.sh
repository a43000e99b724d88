#!/usr/bin/env bash
# The dotnet tool against ./build.sh's binary (issue 22): `rein run -- true` and `rein --version` through an
# installed Rein.Tool (the command `dotnet tool install` put on PATH: a link into its .store) and through $REIN
# (out/rein), measured in ROUNDS hyperfine batches whose order alternates (tool first, then out/rein first), so the
# machine's load falls on both alike. Reports per command the median wall time over all rounds and the mean user+sys
# CPU, and the tool's ratio to out/rein. Other installed rein commands (e.g. an older tool) may follow; they are
# measured beside, once per round.
# Usage: bench/tool.sh ROUNDS TOOL_REIN [OTHER_REIN...]   (30 runs per command per round)
# e.g.   packaging/dotnet-tool/pack.sh /tmp/feed &&
#        dotnet tool install --tool-path /tmp/tool --add-source /tmp/feed Rein.Tool --version V &&
#        bench/tool.sh 5 /tmp/tool/rein
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
rounds="${1:?usage: bench/tool.sh ROUNDS TOOL_REIN [OTHER_REIN...]}"
tool="${2:?usage: bench/tool.sh ROUNDS TOOL_REIN [OTHER_REIN...]}"
shift 2
"$REIN" run -- true
"$tool" run -- true
echo "load: $(uptime)"
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    cmds=("$tool run -- true" "$REIN run -- true" "$tool --version" "$REIN --version")
  else
    cmds=("$REIN run -- true" "$tool run -- true" "$REIN --version" "$tool --version")
  fi
  for other in "$@"; do cmds+=("$other run -- true" "$other --version"); done
  hyperfine -N --warmup 3 --runs 30 --export-json "$bench_tmp/round$round.json" "${cmds[@]}" >/dev/null 2>&1
done
echo "load: $(uptime)"
python3 - "$bench_tmp" "$rounds" "$tool" "$REIN" <<'PY'
import json, statistics, sys
tmp, rounds, tool, rein = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
times, cpu = {}, {}
for r in range(1, rounds + 1):
    for res in json.load(open(f"{tmp}/round{r}.json"))["results"]:
        c = res["command"]
        times.setdefault(c, []).extend(res["times"])
        cpu.setdefault(c, []).append(res["user"] + res["system"])
med = {c: statistics.median(v) * 1e3 for c, v in times.items()}
mcpu = {c: statistics.mean(v) * 1e3 for c, v in cpu.items()}
print(f"{'command':64} {'runs':>5} {'median':>9} {'cpu':>9}")
for c in sorted(med, key=lambda c: (c.split(" ", 1)[1], c)):
    print(f"{c[-64:]:64} {len(times[c]):5} {med[c]:7.2f}ms {mcpu[c]:7.2f}ms")
for verb in ("run -- true", "--version"):
    t, o = f"{tool} {verb}", f"{rein} {verb}"
    print(f"tool/out-rein `{verb}`: wall {med[t]/med[o]:.3f}x, cpu {mcpu[t]/mcpu[o]:.3f}x")
PY
