#!/usr/bin/env bash
# Whole-process benchmarks (hyperfine): rein's overhead against timeout(1), and teardown latency of a
# 50-process TERM-ignoring tree. Results go to BENCHMARKS.md by hand, with this command.
# Usage: bench/compare.sh
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
echo "== start-up overhead"
hyperfine -N --warmup 20 --runs 300 "$REIN run -- true" "timeout 60 true"
echo "== teardown: timeout 1s, 50-process tree that ignores SIGTERM, --grace 0 (subtract 1000 ms)"
marker="bench-$$"
hyperfine --warmup 1 --runs 10 -i \
  "$REIN run --timeout 1s --grace 0 -- $HELPER $marker ignore-term fan 49 [ ignore-term hang ] hang"
echo "surviving processes after the teardown runs: $(survivors "$marker")"
