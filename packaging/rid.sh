#!/usr/bin/env bash
# Prints this machine's .NET runtime identifier among the ones rein ships (linux-x64, linux-arm64, osx-arm64), or
# fails saying there is none. Used by packaging/dotnet-tool and packaging/library.
set -euo pipefail
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) echo linux-x64 ;;
  Linux-aarch64 | Linux-arm64) echo linux-arm64 ;;
  Darwin-arm64) echo osx-arm64 ;;
  *) echo "rid.sh: rein ships nothing for $(uname -s) $(uname -m) (linux-x64, linux-arm64, osx-arm64)" >&2; exit 1 ;;
esac
