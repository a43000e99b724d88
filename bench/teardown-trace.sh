#!/usr/bin/env bash
# Teardown phases (issue 21, target 5), from the kernel's own trace rather than wall time (which also holds rein's
# start): for N TERM-ignoring processes in the run's group, per run, how long sending the polite signal took, and
# the time from the end of the grace (the last SIGCONT that follows SIGTERM + GRACE) to rein's first SIGKILL, to the
# exit of the last member, and to rein's own exit.
# Needs perf and root (system-wide tracepoints signal:signal_generate, sched:sched_process_exit).
# Usage: bench/teardown-trace.sh [N] [RUNS] [GRACE_MS]   (defaults 200, 5, 100)
source "$(dirname "$0")/helper.sh"
command -v perf >/dev/null || { echo "bench: apt-get install linux-perf" >&2; exit 1; }
n="${1:-200}"
runs="${2:-5}"
grace="${3:-100}"
for i in $(seq 1 "$runs"); do
  marker="tdtrace-$$-$i"
  perf record -q -a -e signal:signal_generate -e sched:sched_process_exit -o "$bench_tmp/p.data" -- \
    "$REIN" run --timeout 2s --grace "${grace}ms" -- "$HELPER" "$marker" ignore-term fan "$n" [ ignore-term hang ] \
    hang 2>/dev/null || true
  perf script -i "$bench_tmp/p.data" -F comm,pid,time,event,trace 2>/dev/null >"$bench_tmp/p.txt"
  python3 - "$bench_tmp/p.txt" "$grace" <<'PY'
import re, sys
term = cont = kill = last = rein_exit = None
for line in open(sys.argv[1]):
    m = re.match(r"\s*(.+?)\s+(\d+)\s+([\d.]+):\s+(\S+):\s+(.*)", line)
    if not m:
        continue
    comm, pid, t, ev, rest = m.group(1), int(m.group(2)), float(m.group(3)), m.group(4), m.group(5)
    if ev == "signal:signal_generate" and "comm=rein-testhelper" in rest:
        if "sig=15 " in rest and term is None:
            term = t
        if "sig=18 " in rest and kill is None:
            cont = t
        if "sig=9 " in rest and kill is None:
            kill = t
    if ev == "sched:sched_process_exit" and "comm=rein-testhelper" in rest:
        last = t
    if ev == "sched:sched_process_exit" and comm == "rein" and "group_dead=true" in rest:
        rein_exit = t
# The grace runs from when the polite signal (TERM, then CONT) has been sent to every member.
grace_end = cont + int(sys.argv[2]) / 1000
ms = lambda t: (t - grace_end) * 1000
print(f"TERM+CONT sent in {(cont - term) * 1000:5.1f} ms; after the grace: first SIGKILL {ms(kill):6.1f} ms, last member gone {ms(last):6.1f} ms, rein exits {ms(rein_exit):6.1f} ms")
PY
done
sleep 0.2
echo "survivors: $(survivors tdtrace-$$)"
