# Sourced by the bench scripts: builds the C test helper into a temp dir and sets $HELPER and $REIN.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REIN="${REIN_BIN:-$root/out/rein}"
[ -x "$REIN" ] || { echo "bench: $REIN not found; run ./build.sh first" >&2; exit 1; }
bench_tmp="$(mktemp -d)"
trap 'rm -rf "$bench_tmp"' EXIT
HELPER="$bench_tmp/rein-testhelper"
# Benchmarks and the soak repeat the same timing-out commands on purpose: a private state directory, and the
# retry breaker off (it would rightly refuse the second identical run after a timeout).
export REIN_HOME="${REIN_HOME:-$bench_tmp/home}" REIN_BREAKER_COOLDOWN=0
cc -O2 -o "$HELPER" "$root/tests/helper/rein-testhelper.c"
survivors() { # live (non-zombie) processes whose command line contains $1
  local n=0 pid state
  for pid in $(pgrep -f -- "$1" || true); do
    # ps -o stat= is the same keyword in procps and BSD ps (no /proc on macOS); gone or Z is not a survivor.
    state="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
    case "$state" in "" | Z*) ;; *) n=$((n + 1)) ;; esac
  done
  echo "$n"
}
