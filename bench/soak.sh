#!/usr/bin/env bash
# Soak: N adversarial guarded runs (TERM-ignoring trees, setsid escapes, double-forked daemons, crashes,
# interrupts, SIGKILL of rein itself with escapees that cleared their environment, a tree that keeps escaping its group while being killed), then count processes that survived. The only acceptable answer is 0.
# Usage: bench/soak.sh [N]   (default 200)
source "$(dirname "$0")/helper.sh"
n="${1:-200}"
marker="soak-$$-$RANDOM"
start=$(date +%s)
# SIGKILL of rein (case 6): its escapees cleared their environment, which only a Linux subreaper shim finds. macOS has
# no subreaper (docs/manual/platforms.md): there the escapees keep REIN_RUN_ID, which the keeper finds through KERN_PROCARGS2.
hidden=clearenv
[ "$(uname -s)" = Darwin ] && hidden=""
for i in $(seq 1 "$n"); do
  case $((i % 8)) in
    0) "$REIN" run --timeout 200ms --grace 100ms -- "$HELPER" "$marker" ignore-term fan 4 [ ignore-term hang ] hang ;;
    1) "$REIN" run --timeout 200ms --grace 100ms -- "$HELPER" "$marker" setsid [ ignore-term hang ] daemon [ hang ] hang ;;
    2) "$REIN" run -- "$HELPER" "$marker" daemon [ ignore-term hang ] bg [ setsid [ hang ] hang ] exit 0 ;;
    3) "$REIN" run -- "$HELPER" "$marker" fan 3 [ hang ] die 11 ;;
    4) "$REIN" run --idle-timeout 200ms -- "$HELPER" "$marker" print hi fan 2 [ hang ] hang ;;
    5) "$REIN" run -- "$HELPER" "$marker" fan 3 [ sleep 0.1 ] sleep 0.15 & r=$!; sleep 0.05; kill -INT "$r"; wait "$r" ;;
    6) "$REIN" run -- "$HELPER" "$marker" ignore-term fan 3 [ ignore-term hang ] daemon [ $hidden hang ] setsid [ $hidden ignore-term hang ] hang & r=$!; sleep 0.1; kill -KILL "$r"; wait "$r"; sleep 1.1 ;;
    7) "$REIN" run --timeout 200ms --grace 100ms -- "$HELPER" "$marker" ignore-term spawnloop ;;
  esac >/dev/null 2>&1 || true
done
sleep 0.5
left=$(survivors "$marker")
echo "soak: $n adversarial runs in $(( $(date +%s) - start ))s; surviving processes: $left"
[ "$left" = 0 ] || { ps ax -o pid=,stat=,command= | grep -F -- "$marker" | grep -v grep; pkill -KILL -f -- "$marker"; exit 1; }
