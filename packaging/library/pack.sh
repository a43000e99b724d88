#!/usr/bin/env bash
# Packs the library, NuGet package Rein (assembly Rein.Core), into a feed folder with the native parts a host needs
# under runtimes/RID/native/ (rein-shim, libreinnative): those of every NATIVE_ROOT/RID/native/ that
# packaging/library/native.sh made (the release workflow gathers one per platform), else this machine's alone.
# The version is MinVer's, from git; REIN_VERSION=X.Y.Z stamps one instead.
# Usage: packaging/library/pack.sh [FEED] [NATIVE_ROOT]   (default FEED: artifacts/nupkg)
set -euo pipefail
feed="${1:-artifacts/nupkg}"
mkdir -p "$feed"
feed="$(cd "$feed" && pwd)"
native="${2:-}"
[ -z "$native" ] || native="$(cd "$native" && pwd)"
cd "$(dirname "$0")/../.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ -z "$native" ]; then
  native="$tmp/native"
  packaging/library/native.sh "$native" >/dev/null
fi
rids=()
for d in "$native"/*/native; do
  rid="$(basename "$(dirname "$d")")"
  [ -f "$d/rein-shim" ] && ls "$d"/libreinnative.* >/dev/null 2>&1 ||
    { echo "pack.sh: $d lacks rein-shim or libreinnative" >&2; exit 1; }
  rids+=("$rid")
done
[ ${#rids[@]} -gt 0 ] || { echo "pack.sh: no RID/native/ folder in $native" >&2; exit 1; }
version=()
[ -z "${REIN_VERSION:-}" ] || version=(-p:MinVerVersionOverride="$REIN_VERSION")
if ! dotnet pack src/Rein -c Release -o "$feed" -nologo -p:ReinNativePackDir="$native" "${version[@]}" \
  >"$tmp/pack.log" 2>&1; then
  cat "$tmp/pack.log"
  echo "pack.sh: dotnet pack src/Rein failed" >&2
  exit 1
fi
pkg="$(sed -n "s/.*Successfully created package '\(.*\/Rein\.[0-9][^/]*\.nupkg\)'.*/\1/p" "$tmp/pack.log")"
[ -f "$pkg" ] || { cat "$tmp/pack.log"; echo "pack.sh: no Rein package in the pack's output" >&2; exit 1; }
# Each RID's parts must be in the package where NuGet looks for them.
listing="$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$pkg")"
for rid in "${rids[@]}"; do
  grep -qx "runtimes/$rid/native/rein-shim" <<<"$listing" && grep -q "^runtimes/$rid/native/libreinnative\." <<<"$listing" ||
    { echo "pack.sh: $pkg lacks runtimes/$rid/native/" >&2; exit 1; }
done
echo "pack.sh: $pkg ($(du -k "$pkg" | cut -f1) KiB; native parts for ${rids[*]})"
