#!/usr/bin/env bash
# Idle guard cost (issue 21, target 1): CPU time of an idle `rein run -- sleep` (rein and its shim, all threads) over
# a window, with no extra processes and with N unrelated ones on the machine (default 2,000). The guard must cost
# O(its run): the two numbers should be the same, and at most 0.2 % of a core.
# Usage: bench/idle.sh [N] [WINDOW_SECONDS]   (REIN_BIN=... to measure another build, e.g. the previous main)
source "$(dirname "$0")/helper.sh"
source "$(dirname "$0")/crowd.sh"
n="${1:-2000}"
window="${2:-30}"
trap 'crowd_stop; rm -rf "$bench_tmp"' EXIT
cpu_ns() { # CPU time of the given processes, exited threads included (utime + stime of /proc/PID/stat, in ticks)
  local total=0 hz
  hz=$(getconf CLK_TCK)
  for pid in "$@"; do
    total=$((total + $(awk '{ print $14 + $15 }' /proc/"$pid"/stat)))
  done
  echo $((total * 1000000000 / hz))
}
measure() {
  "$REIN" run -- sleep $((window + 10)) &
  local rein=$! shim
  sleep 2 # past start-up and the first samples
  shim=$(cat /proc/"$rein"/task/*/children | tr ' ' '\n' | grep -v '^$' | head -1)
  local a b
  a=$(cpu_ns "$rein" "$shim")
  sleep "$window"
  b=$(cpu_ns "$rein" "$shim")
  kill -TERM "$rein"
  wait "$rein" 2>/dev/null || true
  awk -v d=$((b - a)) -v w="$window" 'BEGIN { printf "%.3f %% of a core (%.0f ms CPU in %d s; resolution 10 ms)", d / 1e7 / w, d / 1e6, w }'
}
echo "idle rein run -- sleep, ${window}s window, $(uname -sr)"
echo "  no extra processes:      $(measure)"
crowd_start "$n"
echo "  $n extra processes:    $(measure)"
crowd_stop
