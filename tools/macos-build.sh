#!/usr/bin/env bash
# The managed code for macOS, from Linux: `dotnet build -r osx-arm64` of the library and the CLI (IL, analyzers,
# trim/AOT analysis for that RID; warnings are errors, Directory.Build.props), with rein's C parts (the shim and
# libreinnative) compiled by Zig's C compiler for aarch64-macos. It checks that they came out as Mach-O.
# PublishAot is off here: the NativeAOT packages for osx-arm64 (runtime.osx-arm64.Microsoft.DotNet.ILCompiler,
# Microsoft.NETCore.App.Runtime.NativeAOT.osx-arm64) are not on this project's NuGet source (docs/manual/platforms.md, "What the compiler checks").
# Usage: tools/macos-build.sh [output dir]   (default artifacts/osx-arm64; needs tools/zig/install.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/osx-arm64}"
zig="$(tools/zig/install.sh)"
export ZIG_GLOBAL_CACHE_DIR="$PWD/tools/zig/cache" ZIG_LOCAL_CACHE_DIR="$PWD/tools/zig/cache"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! dotnet build src/Rein.Cli -c Release -r osx-arm64 -p:PublishAot=false \
  "-p:ReinCC=$zig cc -target aarch64-macos" -o "$out" -nologo >"$log" 2>&1; then
  cat "$log"
  echo "macos-build.sh: dotnet build -r osx-arm64 failed" >&2
  exit 1
fi
if grep -E "warning [A-Z]+[0-9]+" "$log"; then
  echo "macos-build.sh: warnings above" >&2
  exit 1
fi
macho() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "cffaedfe0c000001" ]; } # MH_MAGIC_64, CPU_TYPE_ARM64
for f in rein rein-shim libreinnative.dylib; do
  [ -f "$out/$f" ] && macho "$out/$f" || { echo "macos-build.sh: $out/$f is not an arm64 Mach-O file" >&2; exit 1; }
done
echo "macos-build.sh: built $out for osx-arm64 (rein.dll, Mach-O apphost, rein-shim, libreinnative.dylib)"
