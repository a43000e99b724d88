# Sourced by the bench scripts: `crowd_start N` starts N unrelated sleeping processes (one parent, N children,
# marker $crowd_marker), `crowd_stop` kills exactly those (by pid: the parent's children list, then the parent).
crowd_marker="crowd-$$-$RANDOM"
crowd_pid=""
crowd_start() {
  [ "${1:-0}" -gt 0 ] || return 0
  "$HELPER" "$crowd_marker" fan "$1" [ hang ] hang &
  crowd_pid=$!
  local n=0
  for _ in $(seq 1 600); do
    n=$(cat /proc/"$crowd_pid"/task/*/children 2>/dev/null | wc -w)
    [ "$n" -ge "$1" ] && break
    sleep 0.1
  done
  echo "bench: $n unrelated processes started ($(ls /proc | grep -c '^[0-9]') on the machine)" >&2
}
crowd_stop() {
  [ -n "$crowd_pid" ] || return 0
  local kids
  kids=$(cat /proc/"$crowd_pid"/task/*/children 2>/dev/null || true)
  kill -KILL $kids "$crowd_pid" 2>/dev/null || true
  wait "$crowd_pid" 2>/dev/null || true
  crowd_pid=""
}
