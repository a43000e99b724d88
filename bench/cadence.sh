#!/usr/bin/env bash
# Cadence benchmarks: what the model gates add to `rein run` (`--model m` against none), and `rein cadence acquire`
# against `rein run -- true`'s own start-up. The same-model interval is 0 so every run passes through the whole
# check-and-mark (and the release at its end) instead of being refused; the store is emptied before each run
# (--prepare, not timed) so it holds what a real machine's does (a few loads), not thousands of benchmark runs.
# Usage: bench/cadence.sh
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
export REIN_HOME="$bench_tmp/home" REIN_SAME_MODEL_INTERVAL=0
"$REIN" run -- true
reset="rm -f $REIN_HOME/cadence/loads"

echo "== rein run --model: the cadence, known-panic and fit gates"
hyperfine -N --warmup 20 --runs 300 --prepare "$reset" "$REIN run --model m -- true" "$REIN run -- true"

echo "== rein cadence acquire against rein run -- true"
hyperfine -N --warmup 20 --runs 300 --prepare "$reset" "$REIN cadence acquire m" "$REIN run -- true"

echo "== rein cadence acquire against rein mark pre (issue 21: within 1.2x)"
"$REIN" mark pre org/bench-model # the crumbs folder and this caller's file exist (a worker's steady state)
hyperfine -N --warmup 20 --runs 300 --prepare "$reset" "$REIN cadence acquire m" "$REIN mark pre org/bench-model"

echo "== the same with a store of 100 loads (the most it keeps)"
for i in $(seq 1 100); do "$REIN" cadence acquire "bench/model-$i" >/dev/null; done
hyperfine -N --warmup 20 --runs 300 "$REIN run --model m -- true" "$REIN run -- true"
