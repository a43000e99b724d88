#!/usr/bin/env bash
# Checks the library package as a .NET host gets it: packs Rein with this machine's native parts (pack.sh) into a
# temporary feed, builds a small host that guards `true` with GuardedRun (docs/manual/library.md) against that
# package, and runs it: built for this RID (-r RID: rein-shim and libreinnative land beside the host, found as
# they are), then built without a RID (they stay under runtimes/RID/native/; the host points REIN_SHIM at the
# shim, libreinnative is found through the deps.json). Exits non-zero with a one-line reason on any failure.
# The package's dependencies come from the global packages folder the repository's own restore filled; the Rein
# package itself goes to a private one. Usage: packaging/library/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rid="$(packaging/rid.sh)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "check.sh: $*" >&2
  exit 1
}
packaging/library/pack.sh "$tmp/feed" >"$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log" >&2; fail "pack.sh failed (its output above)"; }
pkg="$(ls "$tmp"/feed/Rein.*.nupkg)"
v="${pkg##*/Rein.}"
v="${v%.nupkg}"
cache="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')"
mkdir -p "$tmp/host"
cat >"$tmp/host/Host.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <NoWarn>CA1416</NoWarn>
    <RestoreSources>$tmp/feed</RestoreSources>
    <RestoreAdditionalProjectFallbackFolders>$cache</RestoreAdditionalProjectFallbackFolders>
    <RestorePackagesPath>$tmp/packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Rein" Version="$v" />
  </ItemGroup>
</Project>
XML
cat >"$tmp/host/Program.cs" <<'CS'
using Rein.Running;

var run = new GuardedRun(
    new RunSpec { Command = ["true"], Timeout = TimeSpan.FromSeconds(10) },
    new GuardedRunOptions { StateDirectory = args[0] }
);
using var stop = new CancellationTokenSource();
using var kill = new CancellationTokenSource();
RunVerdict verdict = await run.RunAsync(stop.Token, kill.Token);
Console.WriteLine($"{verdict.Outcome} {verdict.ReinExitCode}");
return verdict.ReinExitCode;
CS
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
unset REIN_SHIM
(cd "$tmp/host" && dotnet build -c Release -r "$rid" -o "$tmp/rid" -nologo) >"$tmp/rid.log" 2>&1 ||
  { cat "$tmp/rid.log" >&2; fail "a host built -r $rid against Rein $v does not build (output above)"; }
[ -x "$tmp/rid/rein-shim" ] || fail "a host built -r $rid has no executable rein-shim beside it"
ls "$tmp/rid"/libreinnative.* >/dev/null 2>&1 || fail "a host built -r $rid has no libreinnative beside it"
out="$("$tmp/rid/Host" "$tmp/state" 2>&1)" || fail "the host built -r $rid failed: $(tail -1 <<<"$out")"
[ "$out" = "Exited 0" ] || fail "the host built -r $rid said '$out', not 'Exited 0'"
(cd "$tmp/host" && dotnet build -c Release -o "$tmp/any" -nologo) >"$tmp/any.log" 2>&1 ||
  { cat "$tmp/any.log" >&2; fail "a host built without a RID against Rein $v does not build (output above)"; }
shim="$tmp/any/runtimes/$rid/native/rein-shim"
[ -x "$shim" ] || fail "a host built without a RID has no executable $shim"
out="$(REIN_SHIM="$shim" "$tmp/any/Host" "$tmp/state" 2>&1)" || fail "the host built without a RID failed: $(tail -1 <<<"$out")"
[ "$out" = "Exited 0" ] || fail "the host built without a RID said '$out', not 'Exited 0'"
echo "check.sh: Rein $v ($rid native parts) guards a command from a .NET host built with and without -r $rid"
