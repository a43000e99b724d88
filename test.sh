#!/usr/bin/env bash
# Runs everything CI runs: the AOT build (warnings are errors), the formatter check, and the test suite
# against the NativeAOT binary. Prints "N passed, N failed, N skipped" as its last line.
set -euo pipefail
cd "$(dirname "$0")"
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
total=$(awk '/^ *total:/ {print $2}' "$log" | tail -1)
failed=$(awk '/^ *failed:/ {print $2}' "$log" | tail -1)
passed=$(awk '/^ *succeeded:/ {print $2}' "$log" | tail -1)
skipped=$(awk '/^ *skipped:/ {print $2}' "$log" | tail -1)
if [ -z "$total" ] || [ "$total" = "0" ]; then
  echo "test.sh: no tests ran" >&2
  exit 1
fi
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
