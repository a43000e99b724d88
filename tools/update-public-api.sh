#!/usr/bin/env bash
# Rewrites src/Rein/PublicAPI.Unshipped.txt, the library's approved public surface (PublicApiAnalyzers), from what
# the code declares now. The build fails on any public symbol missing from it (RS0016) or listed but gone (RS0017);
# after a deliberate change to the library's surface, run this and commit the diff with the change.
# Usage: tools/update-public-api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
api=src/Rein/PublicAPI.Unshipped.txt
printf '#nullable enable\n' >"$api"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# With the file empty every public symbol is reported; the analyzer's message names each in the file's own format.
dotnet build src/Rein -c Release -nologo -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= >"$log" 2>&1 || true
{
  printf '#nullable enable\n'
  grep -oE "RS0016: Symbol '.*' is not part of the declared public API" "$log" |
    sed -E "s/^RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" | LC_ALL=C sort -u
} >"$api.new"
mv "$api.new" "$api"
echo "update-public-api: $(($(wc -l <"$api") - 1)) public symbols in $api"
