#!/usr/bin/env bash
# Packs the dotnet tool for this machine into a local feed folder: Rein.Tool.V.nupkg, the pointer package (no binary:
# it names Rein.Tool.linux-x64, Rein.Tool.linux-arm64 and Rein.Tool.osx-arm64), and Rein.Tool.RID.V.nupkg, this
# platform's NativeAOT rein built as ./build.sh builds it (static SQLite when the C compiler has libsqlite3.a, the C
# shim linked in, no test hooks). NativeAOT does not cross-compile here, so each platform packs its own RID (the
# release workflow runs this on each); the pointer package is the same on all of them.
# The version is MinVer's, from git (Directory.Build.props); REIN_VERSION=X.Y.Z stamps one instead, as for build.sh.
# Usage: packaging/dotnet-tool/pack.sh [FEED]   (default artifacts/nupkg); packaging/dotnet-tool/check.sh installs it.
set -euo pipefail
feed="${1:-artifacts/nupkg}"
mkdir -p "$feed"
feed="$(cd "$feed" && pwd)"
cd "$(dirname "$0")/../.."

rid="$(packaging/rid.sh)"
# As build.sh: SQLite linked into the binary when the C compiler has a static one (Debian: libsqlite3-dev), else
# libe_sqlite3 travels in the package beside rein.
sqlite=()
archive="$(${CC:-cc} -print-file-name=libsqlite3.a 2>/dev/null || true)"
if [ "${archive#/}" != "$archive" ] && [ -f "$archive" ]; then
  sqlite=(-p:ReinSqliteArchive="$archive")
else
  echo "pack.sh: no static SQLite (apt-get install libsqlite3-dev): libe_sqlite3 goes in the package beside rein" >&2
fi
version=()
[ -z "${REIN_VERSION:-}" ] || version=(-p:MinVerVersionOverride="$REIN_VERSION")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The RID package. A fresh PublishDir: the package takes everything publish leaves there, so nothing stale may be.
# ReinTestHooks=false: an environment variable of that name cannot make this a test build.
if ! dotnet pack src/Rein.Cli -c Release -r "$rid" -o "$feed" -nologo -p:ReinTestHooks=false \
  -p:PublishDir="$tmp/publish/" "${sqlite[@]}" "${version[@]}" >"$tmp/rid.log" 2>&1; then
  cat "$tmp/rid.log"
  echo "pack.sh: dotnet pack -r $rid failed" >&2
  exit 1
fi
# As build.sh: any IL trim/AOT analysis warning fails it.
if grep -E "warning IL[0-9]+|AOT analysis warning" "$tmp/rid.log"; then
  echo "pack.sh: NativeAOT/trim warnings above must be fixed" >&2
  exit 1
fi
ridpkg="$(sed -n "s/.*Successfully created package '\(.*\/Rein\.Tool\.$rid\.[^/]*\.nupkg\)'.*/\1/p" "$tmp/rid.log")"
[ -f "$ridpkg" ] || { cat "$tmp/rid.log"; echo "pack.sh: no Rein.Tool.$rid package in the pack's output" >&2; exit 1; }
v="${ridpkg##*/Rein.Tool.$rid.}"
v="${v%.nupkg}"

# The pointer package: RID-agnostic, no binary (the SDK packs no implementation when ToolPackageRuntimeIdentifiers
# is set and no RID is given).
if ! dotnet pack src/Rein.Cli -c Release -o "$feed" -nologo "${version[@]}" >"$tmp/pointer.log" 2>&1; then
  cat "$tmp/pointer.log"
  echo "pack.sh: dotnet pack (the pointer package) failed" >&2
  exit 1
fi
[ -f "$feed/Rein.Tool.$v.nupkg" ] ||
  { cat "$tmp/pointer.log"; echo "pack.sh: no pointer package Rein.Tool.$v.nupkg (versions differ?)" >&2; exit 1; }
size() { du -k "$1" | cut -f1; }
echo "pack.sh: $feed: Rein.Tool.$v.nupkg ($(size "$feed/Rein.Tool.$v.nupkg") KiB, pointer)" \
  "Rein.Tool.$rid.$v.nupkg ($(size "$ridpkg") KiB, NativeAOT rein)"
