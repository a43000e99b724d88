#!/usr/bin/env bash
# The Python package's benchmarks (bench/python_bench.py): rein.inference against an fsync'd append and against
# two `rein mark` processes; rein.cadence against `rein cadence acquire` + `release`; the event loop's worst lag
# while a rein.Supervisor worker crash-loops. Then the shell's acquire+release pair with hyperfine, for reference.
# Usage: bench/python.sh [breadcrumbs|cadence|lag ...]   (ROUNDS=5 N=200 RESTARTS=50)
source "$(dirname "$0")/helper.sh"
py="$(command -v /usr/bin/python3 || command -v python3)"
PYTHONPATH="$root/python/src" REIN_BIN="$REIN" "$py" "$root/bench/python_bench.py" "$@"
if [ $# -eq 0 ] || [[ " $* " == *" cadence "* ]]; then
  command -v hyperfine >/dev/null || exit 0
  echo "== shell, for reference: rein cadence acquire m && rein cadence release m (with sh's own start-up)"
  REIN_SAME_MODEL_INTERVAL=0 hyperfine --warmup 5 --runs 100 --prepare "rm -f $REIN_HOME/cadence/loads" \
    "$REIN cadence acquire m >/dev/null && $REIN cadence release m"
fi
