#!/usr/bin/env bash
# Runs everything CI runs: the AOT build (warnings are errors), the formatter check, and the test suite
# against the NativeAOT binary. Prints "N passed, N failed, N skipped" as its last line.
set -euo pipefail
cd "$(dirname "$0")"
# The suite drives the test build (test hooks such as REIN_FAULT live); ./build.sh alone makes the shipped one.
export REIN_TEST_HOOKS=1
./build.sh
# macOS from Linux (docs/manual/platforms.md): Zig's C compiler with Apple's headers checks src/native and
# the C# side's constants, layouts and imports (tests/Rein.Tests/Platform/Apple); the managed code is built for osx-arm64.
# Zig comes from npm as its Linux x86_64 build; on a Mac those tests skip (the macOS job runs the real thing).
if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
  REIN_ZIG="$(tools/zig/install.sh)"
  export REIN_ZIG
  tools/macos-build.sh
fi
dotnet tool restore >/dev/null
dotnet csharpier check . >/dev/null || { dotnet csharpier check .; echo "test.sh: run 'dotnet csharpier format .'" >&2; exit 1; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
REIN_BIN="$PWD/out/rein" dotnet test tests/Rein.Tests -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The Python package's tests (python/tests, pytest from Debian's python3-pytest): against out/rein, then against
# the wheel build.sh made, installed into a fresh virtual environment (the API must find the wheel's own binary).
py=""
for candidate in "${PYTHON:-}" /usr/bin/python3 python3; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null && "$candidate" -c "import pytest" 2>/dev/null; then
    py="$(command -v "$candidate")"
    break
  fi
done
if [ -z "$py" ]; then
  echo "test.sh: no python3 with pytest for python/tests (Debian: apt-get install python3-pytest python3-venv)" >&2
  exit 1
fi
pylog="$(mktemp)"
venv="$(mktemp -d)"
trap 'rm -rf "$log" "$pylog" "$venv"' EXIT
set +e
REIN_BIN="$PWD/out/rein" "$py" -m pytest -q -p no:cacheprovider python/tests 2>&1 | tee "$pylog"
pystatus=${PIPESTATUS[0]}
pysummary="$(tail -1 "$pylog")"
wheel=$(ls out/rein_guard-*.whl 2>/dev/null | head -1)
if [ -n "$wheel" ] && "$py" -m venv --system-site-packages "$venv" && "$venv/bin/pip" install -q --no-index "$wheel"; then
  (cd "$venv" && env -u REIN_BIN REIN_TEST_WHEEL=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider \
    --rootdir "$OLDPWD/python" "$OLDPWD/python/tests") 2>&1 | tee "$pylog"
  wheelstatus=${PIPESTATUS[0]}
  wheelsummary="$(tail -1 "$pylog")"
else
  echo "test.sh: could not install the wheel ($wheel) into a fresh venv" >&2
  wheelstatus=1
  wheelsummary=""
fi
set -e
# pytest's own closing line ("12 passed, 1 failed, 2 skipped, 1 xfailed in 9.1s"): one count by word (an xfail is
# counted as skipped, a non-strict xpass as passed; a strict xpass is pytest's own "failed").
count() { { echo "$1" | grep -oE "[0-9]+ ($2)\b" || true; } | awk '{s+=$1} END {print s+0}'; }
pypassed=$(( $(count "$pysummary" 'passed|xpassed') + $(count "$wheelsummary" 'passed|xpassed') ))
pyfailed=$(( $(count "$pysummary" 'failed|errors?') + $(count "$wheelsummary" 'failed|errors?') ))
pyskipped=$(( $(count "$pysummary" 'skipped|xfailed') + $(count "$wheelsummary" 'skipped|xfailed') ))
# Exit 5 is "no tests collected": a run that tested nothing fails.
for s in "$pystatus" "$wheelstatus"; do
  if [ "$s" -ne 0 ]; then
    [ "$pyfailed" -gt 0 ] || pyfailed=1
    [ "$status" -ne 0 ] || status=$s
  fi
done

total=$(awk '/^ *total:/ {print $2}' "$log" | tail -1)
failed=$(awk '/^ *failed:/ {print $2}' "$log" | tail -1)
passed=$(awk '/^ *succeeded:/ {print $2}' "$log" | tail -1)
skipped=$(awk '/^ *skipped:/ {print $2}' "$log" | tail -1)
if [ -z "$total" ] || [ "$total" = "0" ]; then
  echo "test.sh: no tests ran" >&2
  exit 1
fi
echo "$(( ${passed:-0} + pypassed )) passed, $(( ${failed:-0} + pyfailed )) failed, $(( ${skipped:-0} + pyskipped )) skipped"
exit "$status"
