#!/usr/bin/env bash
# Soak: N adversarial guarded runs (TERM-ignoring trees, setsid escapes, double-forked daemons, crashes,
# interrupts, SIGKILL of rein itself with escapees that cleared their environment, a tree that keeps escaping its group while being killed,
# hopping processes that fork and exit every ~200 µs on every end path: exit, timeout, cgroup memory cap, SIGKILL of rein;
# arguments that are not UTF-8), then count
# processes that survived, hoppers still hopping (their beacon files keep changing) and the runs' leaked cgroups. The only acceptable
# answer is 0, 0, 0.
# Usage: bench/soak.sh [N]   (default 200)
source "$(dirname "$0")/helper.sh"
n="${1:-200}"
marker="soak-$$-$RANDOM"
start=$(date +%s)
# SIGKILL of rein (case 6): its escapees cleared their environment, which only a Linux subreaper shim finds. macOS has
# no subreaper (docs/manual/platforms.md): there the escapees keep REIN_RUN_ID, which the keeper finds through KERN_PROCARGS2.
hidden=clearenv
[ "$(uname -s)" = Darwin ] && hidden=""
# The cgroup memory cap (case 11) needs root and a cgroup v1 memory hierarchy (or a delegated v2 one); elsewhere it is a timeout.
cap=(--timeout 300ms)
[ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/memory ] && cap=(--memory 32M --cap-method cgroup)
beacons="$bench_tmp/beacons"
mkdir -p "$beacons"
for i in $(seq 1 "$n"); do
  b="$beacons/$i"
  case $((i % 13)) in
    0) "$REIN" run --timeout 200ms --grace 100ms -- "$HELPER" "$marker" ignore-term fan 4 [ ignore-term hang ] hang ;;
    1) "$REIN" run --timeout 200ms --grace 100ms -- "$HELPER" "$marker" setsid [ ignore-term hang ] daemon [ hang ] hang ;;
    2) "$REIN" run -- "$HELPER" "$marker" daemon [ ignore-term hang ] bg [ setsid [ hang ] hang ] exit 0 ;;
    3) "$REIN" run -- "$HELPER" "$marker" fan 3 [ hang ] die 11 ;;
    4) "$REIN" run --idle-timeout 200ms -- "$HELPER" "$marker" print hi fan 2 [ hang ] hang ;;
    5) "$REIN" run -- "$HELPER" "$marker" fan 3 [ sleep 0.1 ] sleep 0.15 & r=$!; sleep 0.05; kill -INT "$r"; wait "$r" ;;
    6) "$REIN" run -- "$HELPER" "$marker" ignore-term fan 3 [ ignore-term hang ] daemon [ $hidden hang ] setsid [ $hidden ignore-term hang ] hang & r=$!; sleep 0.1; kill -KILL "$r"; wait "$r"; sleep 1.1 ;;
    7) "$REIN" run --timeout 200ms --grace 100ms -- "$HELPER" "$marker" ignore-term spawnloop ;;
    8) "$REIN" run --timeout 200ms --grace 100ms -- "$HELPER" "$marker" ignore-term bg [ ignore-term hop setsid "$b" ] hang ;;
    9) "$REIN" run --grace 100ms -- "$HELPER" "$marker" bg [ ignore-term hop group "$b" ] sleep 0.05 exit 0 ;;
    10) "$REIN" run -- "$HELPER" "$marker" ignore-term bg [ ignore-term hop closefds "$b" ] hang & r=$!; sleep 0.2; kill -KILL "$r"; wait "$r"; sleep 1.1 ;;
    11) "$REIN" run "${cap[@]}" --grace 100ms -- "$HELPER" "$marker" bg [ ignore-term hop setsid "$b" ] sleep 0.1 alloc 200 hang ;;
    # Arguments that are not UTF-8 (the membership and the marker scan read them from /proc).
    12) "$REIN" run --timeout 200ms --grace 100ms -- "$HELPER" "$marker" tag "$(printf 'caf\351\377')" ignore-term fan 2 [ ignore-term hang ] hang ;;
  esac >/dev/null 2>&1 || true
done
sleep 0.5
left=$(survivors "$marker")
# A hopper's pid changes every ~200 µs, so a scan of the process table may miss it: its beacon file tells.
hopping=0
declare -A seen
for f in "$beacons"/*; do [ -e "$f" ] && seen[$f]=$(stat -c %Y.%y "$f" 2>/dev/null || stat -f %m "$f"); done
sleep 0.5
for f in "${!seen[@]}"; do
  [ "${seen[$f]}" = "$(stat -c %Y.%y "$f" 2>/dev/null || stat -f %m "$f")" ] || hopping=$((hopping + 1))
done
# The runs' cgroups (rein-<run id>) that are still there.
leaked=0
if [ -d /sys/fs/cgroup ]; then
  for id in $("$REIN" journal --last 100000 --json | grep -o '"run_id": "[^"]*"' | cut -d'"' -f4); do
    [ -z "$(find /sys/fs/cgroup -maxdepth 8 -type d -name "rein-$id" 2>/dev/null | head -1)" ] || leaked=$((leaked + 1))
  done
fi
echo "soak: $n adversarial runs in $(( $(date +%s) - start ))s; surviving processes: $left; hopping: $hopping; leaked cgroups: $leaked"
[ "$left" = 0 ] && [ "$hopping" = 0 ] && [ "$leaked" = 0 ] || { ps ax -o pid=,stat=,command= | grep -F -- "$marker" | grep -v grep; pkill -KILL -f -- "$marker"; exit 1; }
