#!/usr/bin/env bash
# Checks the dotnet tool end to end, as a user gets it: packs it (pack.sh) into a temporary feed, installs it with
# `dotnet tool install --tool-path` from that feed alone under a clean HOME, then runs the installed rein
# (run, journal, doctor, with a private REIN_HOME) and checks that it is this platform's NativeAOT executable, not
# a .NET host running a dll, and not a test build. Exits non-zero with a one-line reason on any failure.
# Usage: packaging/dotnet-tool/check.sh   (about 25 s after ./build.sh of the same tree, whose NativeAOT compile the
# pack reuses; minutes more without it)
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "check.sh: $*" >&2
  exit 1
}

if ! packaging/dotnet-tool/pack.sh "$tmp/feed" >"$tmp/pack.log" 2>&1; then
  cat "$tmp/pack.log" >&2
  fail "pack.sh failed (its output above)"
fi
shopt -s nullglob
ridpkgs=("$tmp"/feed/Rein.Tool.linux-*.nupkg "$tmp"/feed/Rein.Tool.osx-*.nupkg)
shopt -u nullglob
[ ${#ridpkgs[@]} -eq 1 ] || fail "expected one RID package in the feed, found ${#ridpkgs[@]}"
name="${ridpkgs[0]##*/}"            # Rein.Tool.RID.V.nupkg
rid="${name#Rein.Tool.}"
rid="${rid%%.*}"
v="${name#Rein.Tool.$rid.}"
v="${v%.nupkg}"
[ -f "$tmp/feed/Rein.Tool.$v.nupkg" ] || fail "no pointer package Rein.Tool.$v.nupkg beside $name"

# A clean HOME and a NuGet configuration naming no source but the feed: nothing comes from a cache or from nuget.org.
mkdir -p "$tmp/home" "$tmp/cwd"
cat >"$tmp/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
  </packageSources>
</configuration>
EOF
export HOME="$tmp/home" DOTNET_CLI_HOME="$tmp/home" NUGET_PACKAGES="$tmp/home/.nuget/packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! (cd "$tmp/cwd" && dotnet tool install --tool-path "$tmp/tools" --configfile "$tmp/nuget.config" \
  --add-source "$tmp/feed" Rein.Tool --version "$v") >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  fail "dotnet tool install Rein.Tool $v from the feed failed (its output above)"
fi
rein="$tmp/tools/rein"
[ -x "$rein" ] || fail "the install left no executable $rein"

# The installed command is the package's NativeAOT binary: an ELF (Linux) or Mach-O (macOS) executable with no
# managed entry point beside it (a framework-dependent tool has rein.dll and runs under the dotnet host).
real="$(realpath "$rein")"
[ -f "$real" ] || fail "$rein resolves to nothing ($real)"
case "$real" in */rein.tool."$rid"/*/tools/any/"$rid"/rein) ;; *) fail "$rein is not the $rid package's binary: $real" ;; esac
magic="$(od -An -tx1 -N4 "$real" | tr -d ' \n')"
case "$rid:$magic" in
  linux-*:7f454c46 | osx-*:cffaedfe) ;;
  *) fail "$real is not a native $rid executable (magic $magic)" ;;
esac
[ ! -e "$(dirname "$real")/rein.dll" ] || fail "rein.dll is installed beside $real: a framework-dependent tool"
[ ! -e "$(dirname "$real")/rein.runtimeconfig.json" ] || fail "a runtimeconfig beside $real: not a NativeAOT tool"

export REIN_HOME="$tmp/rein-home" REIN_BREAKER_COOLDOWN=0
[ "$("$rein" --version)" = "rein $v" ] || fail "the installed rein --version says '$("$rein" --version)', not 'rein $v'"
if "$rein" __test-hooks >/dev/null 2>&1; then fail "the installed rein is a test build (test hooks live)"; fi
"$rein" run --timeout 10s -- true >"$tmp/run.out" 2>&1 || fail "rein run --timeout 10s -- true failed: $(tail -1 "$tmp/run.out")"
"$rein" journal >"$tmp/journal.out" 2>&1 || fail "rein journal failed: $(tail -1 "$tmp/journal.out")"
grep -Eq "exited +0 +true" "$tmp/journal.out" || fail "rein journal does not show the run of true: $(tr '\n' ' ' <"$tmp/journal.out")"
# doctor: 0 is healthy, 1 a critical finding about this machine (not the package); anything else is a failure.
set +e
"$rein" doctor >"$tmp/doctor.out" 2>&1
rc=$?
set -e
{ [ $rc -le 1 ] && head -1 "$tmp/doctor.out" | grep -q "^rein doctor: "; } ||
  fail "rein doctor exited $rc: $(head -1 "$tmp/doctor.out")"

# At run time: the rein process is the package's binary itself, with no .NET host or runtime library loaded
# (Linux; /proc).
if [ -d /proc/self ]; then
  "$rein" run --timeout 10s -- sleep 2 >/dev/null 2>&1 &
  pid=$!
  sleep 0.5
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  maps="$(cat "/proc/$pid/maps" 2>/dev/null || true)"
  wait "$pid" || fail "rein run --timeout 10s -- sleep 2 failed"
  [ "$exe" = "$real" ] || fail "the running rein is '$exe', not the package's binary $real"
  ! grep -Eq "libhostfxr|libhostpolicy|libcoreclr|/dotnet$" <<<"$maps" ||
    fail "the running rein loaded a .NET host: $(grep -Eo "[^ ]*(libhostfxr|libhostpolicy|libcoreclr)[^ ]*" <<<"$maps" | head -1)"
fi
echo "check.sh: Rein.Tool $v ($rid, NativeAOT, $(du -k "${ridpkgs[0]}" | cut -f1) KiB) installs and runs: $real"
