#!/usr/bin/env bash
# Builds the NativeAOT `rein` binary into ./out (override with OUT=dir) and fails on any trim/AOT warning.
# REIN_TEST_HOOKS=1 builds the test build instead (test.sh): it reads test hooks such as REIN_FAULT, which a
# normal build compiles out. Never ship a test build.
set -euo pipefail
cd "$(dirname "$0")"
out="${OUT:-out}"
hooks=()
kind="rein"
if [ "${REIN_TEST_HOOKS:-}" = "1" ]; then
  hooks=(-p:ReinTestHooks=true)
  kind="the TEST build of rein (test hooks live; not for use)"
fi
# One file: a static SQLite (the C compiler's libsqlite3.a; Debian: libsqlite3-dev) is linked into the binary, so
# rein works copied alone. Without one, SQLite stays libe_sqlite3 beside the binary and travels with it.
sqlite=()
archive="$(${CC:-cc} -print-file-name=libsqlite3.a 2>/dev/null || true)"
if [ "${archive#/}" != "$archive" ] && [ -f "$archive" ]; then
  sqlite=(-p:ReinSqliteArchive="$archive")
else
  echo "build.sh: no static SQLite (apt-get install libsqlite3-dev): libe_sqlite3 stays beside the binary" >&2
fi
# The version comes from git tags (MinVer, Directory.Build.props); REIN_VERSION=0.2.0 stamps one instead (a build
# outside a git clone, or a release's check): `rein --version` and the wheel follow it.
version=()
[ -z "${REIN_VERSION:-}" ] || version=(-p:MinVerVersionOverride="$REIN_VERSION")
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
rm -f "$out"/libe_sqlite3.*
if ! dotnet publish src/Rein.Cli -c Release -o "$out" -nologo "${hooks[@]}" "${sqlite[@]}" "${version[@]}" >"$log" 2>&1; then
  cat "$log"
  echo "build.sh: publish failed" >&2
  exit 1
fi
# AOT cleanliness is a guarantee of the build, not a hope: any IL trim/AOT analysis warning fails it.
if grep -E "warning IL[0-9]+|AOT analysis warning" "$log"; then
  echo "build.sh: NativeAOT/trim warnings above must be fixed" >&2
  exit 1
fi
# Debug symbols: .dbg (Linux), .dSYM bundles (macOS), .pdb.
rm -rf "$out"/*.dbg "$out"/*.dSYM "$out"/*.pdb
# Linked in: the package's copy of the library would only mislead.
[ ${#sqlite[@]} -eq 0 ] || rm -f "$out"/libe_sqlite3.*
# This platform's Python wheel (rein-guard), carrying the binary: pip install out/rein_guard-*.whl (test.sh
# installs the test build's to test the package; ship only a normal build's).
py="$(command -v /usr/bin/python3 || command -v python3 || true)"
rm -f "$out"/rein_guard-*.whl
if [ -n "$py" ]; then
  "$py" python/build_wheel.py --binary "$out/rein" --out "$out" >/dev/null
else
  echo "build.sh: no python3: skipped the wheel (python/build_wheel.py)" >&2
fi
echo "build.sh: built $kind: $out/rein ($(du -h "$out/rein" | cut -f1)) with $(ls "$out" | tr '\n' ' ')"
