#!/usr/bin/env bash
# Builds this machine's native parts of the library into DIR/RID/native/: rein-shim (the shim as its own executable)
# and libreinnative (.so, .dylib on macOS: the non-variadic open/fcntl/ioctl doors), with the compile commands of
# src/Rein.Cli/Rein.Cli.csproj's BuildReinShim target (the same C sources and flags; no test hooks).
# packaging/library/pack.sh packs every DIR/RID/native/ it is given into the Rein package's runtimes/RID/native/.
# Usage: packaging/library/native.sh DIR
set -euo pipefail
dir="${1:?usage: packaging/library/native.sh DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
cd "$(dirname "$0")/../.."
rid="$(packaging/rid.sh)"
mkdir -p "$dir/$rid/native"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! dotnet msbuild src/Rein.Cli -nologo -v:q -t:BuildReinShim -p:Configuration=Release -p:ReinTestHooks=false \
  -p:OutDir="$dir/$rid/native/" >"$log" 2>&1; then
  cat "$log"
  echo "native.sh: building rein-shim and libreinnative failed" >&2
  exit 1
fi
ls "$dir/$rid/native/rein-shim" "$dir/$rid/native/"libreinnative.* >/dev/null
echo "native.sh: $dir/$rid/native: $(ls "$dir/$rid/native" | tr '\n' ' ')"
