#!/usr/bin/env bash
# The --idle-timeout output relay (issue 21, target 3: within 1.2x of direct): 500 MB of random bytes from `cat FILE`
# into a pipe read by `cat >/dev/null`, directly, through `rein run` without a relay (the command writes into the
# pipe itself), and through `rein run --idle-timeout` (rein relays every byte). The file is in the page cache
# (warm-up runs). Extra rein binaries given as arguments are measured the same way (the relay only).
# Usage: bench/relay.sh [OTHER_REIN...]
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
data="$bench_tmp/random"
head -c 500M /dev/urandom >"$data"
cmds=("cat $data | cat >/dev/null" "$REIN run -- cat $data | cat >/dev/null"
  "$REIN run --idle-timeout 60s -- cat $data | cat >/dev/null")
for other in "$@"; do cmds+=("$other run --idle-timeout 60s -- cat $data | cat >/dev/null"); done
echo "load: $(uptime)"
hyperfine --warmup 2 --runs 15 "${cmds[@]}"
echo "load: $(uptime)"
