#!/usr/bin/env bash
# G2 at scale (issue 19, item 7): with N unrelated processes on the machine (default 10,000), SIGKILL rein while its
# run has a tree of TERM-ignoring processes (a fan, setsid escapees, a process that hops from pid to pid), and time
# how long until the whole tree is gone (the shim's last-resort kill). The promise: within 1 s.
# Usage: bench/keeper.sh [N] [RUNS]   (defaults 10000, 5)
source "$(dirname "$0")/helper.sh"
source "$(dirname "$0")/crowd.sh"
n="${1:-10000}"
runs="${2:-5}"
trap 'crowd_stop; rm -rf "$bench_tmp"' EXIT
crowd_start "$n"
for r in $(seq 1 "$runs"); do
  marker="keeper-$$-$r"
  pids="$bench_tmp/pids-$r" beacon="$bench_tmp/beacon-$r"
  "$REIN" run -- "$HELPER" "$marker" ignore-term fan 20 [ ignore-term pidfile "$pids" hang ] \
    fan 5 [ setsid [ ignore-term pidfile "$pids" hang ] hang ] bg [ ignore-term hop setsid "$beacon" ] hang 2>/dev/null &
  rein=$!
  for _ in $(seq 1 300); do [ "$(wc -l <"$pids" 2>/dev/null || echo 0)" -ge 25 ] && [ -e "$beacon" ] && break; sleep 0.1; done
  sleep 0.2
  start=$(date +%s%N)
  kill -KILL "$rein"
  # Gone: no recorded pid alive (a zombie counts as gone) and the hopper's beacon still for 100 ms.
  for _ in $(seq 1 200); do # at most ~20 s
    alive=0
    for pid in $(cat "$pids"); do
      s=$(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null || true)
      [ -n "$s" ] && [ "$s" != Z ] && alive=1 && break
    done
    if [ "$alive" = 0 ]; then
      m=$(stat -c %y "$beacon"); sleep 0.1
      [ "$m" = "$(stat -c %y "$beacon")" ] && break
    fi
  done
  end=$(date +%s%N)
  wait "$rein" 2>/dev/null || true
  echo "run $r: tree gone $(( (end - start) / 1000000 - 100 )) ms after SIGKILL of rein (resolution ~10 ms)"
done
