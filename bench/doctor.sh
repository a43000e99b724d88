#!/usr/bin/env bash
# rein doctor wall time with the machine's normal process count, then with 2,000 extra sleeping processes.
# Usage: bench/doctor.sh
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
export REIN_HOME="$bench_tmp/home"
echo "processes now: $(ls -d /proc/[0-9]* | wc -l)"
hyperfine -N --warmup 3 --runs 20 "$REIN doctor --json"
"$HELPER" bench-doctor-sleepers fan 2000 [ hang ] hang &
sleepers=$!
trap 'pkill -KILL -f bench-doctor-sleepers; rm -rf "$bench_tmp"' EXIT
while [ "$(pgrep -fc bench-doctor-sleepers)" -lt 2001 ]; do sleep 0.2; done
echo "processes now: $(ls -d /proc/[0-9]* | wc -l)"
hyperfine -N --warmup 3 --runs 20 "$REIN doctor --json"
