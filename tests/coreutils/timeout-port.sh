#!/usr/bin/env bash
# What coreutils' own tests for timeout(1) check (tests/timeout/*.sh and timeout-blocked.pl in coreutils 9),
# rewritten case by case to run against any timeout: `rein timeout` and, as the control that shows the port
# itself is right, the machine's GNU timeout.
#
#   tests/coreutils/timeout-port.sh [TIMEOUT...]     default: rein timeout (rein from REIN_BIN or PATH)
#   tests/coreutils/timeout-port.sh timeout           the control
#
# One line per check ("ok", "FAIL" or "skip" and what it checks), then "passed P of N (S skipped)"; exits 1 when
# a check failed. Each check runs in a fresh scratch folder. Needs bash, coreutils (env --default-signal, setsid),
# perl with POSIX for the blocked-SIGALRM case; the unshare case is skipped where user namespaces are refused.
set -u

if [ $# -gt 0 ]; then
    TIMEOUT=("$@")
else
    TIMEOUT=("${REIN_BIN:-rein}" timeout)
fi
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
export LC_ALL=C

# getlimits_ values on a 64-bit system (coreutils' tests/init.sh takes them from src/getlimits).
TIME_T_OFLOW=9223372036854775808
UINT_OFLOW=4294967296
LDBL_MAX=1.18973149535723176502e+4932

passed=0
failed=0
skipped=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

t() { "${TIMEOUT[@]}" "$@"; }

check() { # NAME COMMAND... — the command is a shell function returning 0 for pass, 77 for skip.
    local name=$1
    shift
    local dir="$scratch/$((passed + failed + skipped))"
    mkdir -p "$dir"
    local rc
    (cd "$dir" && "$@")
    rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok    $name"
    elif [ $rc -eq 77 ]; then
        skipped=$((skipped + 1))
        echo "skip  $name"
    else
        failed=$((failed + 1))
        echo "FAIL  $name"
    fi
}

returns() { # EXPECTED COMMAND...
    local want=$1
    shift
    "$@" >/dev/null 2>&1
    local got=$?
    [ "$got" -eq "$want" ] || {
        echo "      expected exit $want, got $got: $*" >&2
        return 1
    }
}

not_returns() { # UNWANTED COMMAND...
    local unwanted=$1
    shift
    "$@" >/dev/null 2>&1
    local got=$?
    [ "$got" -ne "$unwanted" ] || {
        echo "      exit must not be $unwanted: $*" >&2
        return 1
    }
}

# ---- timeout.sh
check "10 true exits 0" returns 0 t 10 true
check "1d true exits 0" returns 0 t 1d true
check "0 (no timeout) true exits 0" returns 0 t 0 true
check "the command's status passes through (2)" returns 2 t 10 sh -c 'exit 2'
check "a timed-out command exits 124" returns 124 t .1 sleep 10
check "--preserve-status does not exit 124" not_returns 124 t --preserve-status .1 sleep 10
check "-s0 -k1: the KILL decides, not 124" not_returns 124 t -s0 -k1 .1 sleep 10
check "--foreground -s0 -k1: the KILL decides, not 124" not_returns 124 t --foreground -s0 -k1 .1 sleep 10

ignored_chld() { (
    trap '' CHLD
    exec "${TIMEOUT[@]}" 10 true
); }
check "an ignored SIGCHLD does not stop the wait" ignored_chld

setsid_sibling() {
    setsid true 2>/dev/null || return 77
    local out status
    out=$(
        setsid sleep .1 &
        exec "${TIMEOUT[@]}" .5 sh -c 'sleep 2; echo foo'
    )
    status=$?
    [ "$out" = "" ] && [ $status = 124 ] || {
        echo "      out='$out' status=$status" >&2
        return 1
    }
}
check "a setsid sibling of the command is not waited for" setsid_sibling

verbose_wording() { # OPT
    t "$1" -s0 -k .1 .1 sleep 10 2>errt
    # The tool names itself first ("timeout:", "rein timeout:"); the rest must be coreutils' words.
    sed -e '/Killed/d' -e 's/^.*timeout: /timeout: /' <errt >err
    # coreutils 9.1 (Debian 12) says "signal EXIT" for signal 0; later releases say "signal 0". Either is theirs.
    printf '%s\n' "timeout: sending signal EXIT to command 'sleep'" \
        "timeout: sending signal KILL to command 'sleep'" >exp1
    printf '%s\n' "timeout: sending signal 0 to command 'sleep'" \
        "timeout: sending signal KILL to command 'sleep'" >exp2
    cmp -s exp1 err || cmp -s exp2 err || {
        sed 's/^/      got: /' err >&2
        return 1
    }
}
check "-v wording for signal 0 and the KILL after -k" verbose_wording -v
check "--verbose wording for signal 0 and the KILL after -k" verbose_wording --verbose

closed_stderr_pipe() {
    { t -v .1 sleep 10 2>&1; echo $? >timeout.status; } | :
    [ "$(cat timeout.status)" = 124 ] || {
        echo "      status $(cat timeout.status)" >&2
        return 1
    }
}
check "-v into a closed pipe still exits 124" closed_stderr_pipe

ignored_pipe_reaches_command() {
    (trap '' PIPE && "${TIMEOUT[@]}" 10 yes | :) 2>&1 | grep 'Broken pipe' >/dev/null
}
check "an ignored SIGPIPE stays ignored for the command (yes: Broken pipe)" ignored_pipe_reaches_command

# ---- timeout-parameters.sh
check "invalid duration: 125" returns 125 t invalid sleep 0
check "' -0.1': 125" returns 125 t ' -0.1' sleep 0
check "' -1e-10000': 125" returns 125 t ' -1e-10000' sleep 0
check "--kill-after=invalid: 125" returns 125 t --kill-after=invalid 1 sleep 0
check "42D (unknown suffix): 125" returns 125 t 42D sleep 0
check "10.34 sleep 0 exits 0" returns 0 t 10.34 sleep 0
check "9.999999999 sleep 0 exits 0" returns 0 t 9.999999999 sleep 0
check "1e-10000 (smallest positive) times out: 124" returns 124 t 1e-10000 sleep 10
check "--signal=invalid: 125" returns 125 t --signal=invalid 1 sleep 0
not_executable() {
    returns 126 env . || return 77
    returns 126 t 10 .
}
check "a command that cannot run: 126" not_executable
check "a command not found: 127" returns 127 t 10 no_such

# ---- timeout-group.sh
write_cmd() {
    {
        printf '%s\n' '#!/bin/sh'
        cat <<'EOF'
trap 'touch sig.received; exit' USR1
trap
touch timeout.running
count=$1
until test -e sig.received || test $count = 0; do
  sleep 1
  count=$(expr $count - 1)
done
EOF
    } >timeout.cmd
    chmod a+x timeout.cmd
}

wait_for() { # FILE — up to 6.3 s, as retry_delay_ .1 6 does
    local d
    for d in 0.1 0.2 0.4 0.8 1.6 3.2; do
        [ -e "$1" ] && return 0
        sleep $d
    done
    [ -e "$1" ]
}

foreground_group_signal() {
    setsid true 2>/dev/null || return 77
    write_cmd
    local q
    q=$(printf '%q ' "${TIMEOUT[@]}")
    cat >group.sh <<EOF
#!/bin/sh
trap '' USR1
env --default-signal=USR1 $q -v --foreground 25 ./timeout.cmd 20&
wait
EOF
    chmod a+x group.sh
    setsid ./group.sh &
    local pid=$!
    wait_for timeout.running || {
        kill $pid
        return 1
    }
    kill -USR1 -- -$pid
    wait
    wait_for sig.received
}
check "--foreground: a signal to the group reaches the command" foreground_group_signal

killed_parent_signals_command() {
    write_cmd
    "${TIMEOUT[@]}" -sUSR1 25 ./timeout.cmd 20 &
    local pid=$!
    wait_for timeout.running || return 1
    kill -KILL -- $pid
    wait
    wait_for sig.received
}
check "timeout killed by SIGKILL: the command still gets its signal" killed_parent_signals_command

nested_alarm() {
    write_cmd
    local start end ret
    start=$(date +%s)
    "${TIMEOUT[@]}" -sALRM 30 "${TIMEOUT[@]}" -sUSR1 25 ./timeout.cmd 20 &
    local pid=$!
    wait_for timeout.running || return 1
    kill -ALRM $pid
    wait $pid
    ret=$?
    end=$(date +%s)
    [ $ret -eq 124 ] || {
        echo "      outer exit $ret" >&2
        return 1
    }
    wait_for sig.received || {
        echo "      the inner command got no USR1" >&2
        return 1
    }
    [ $((end - start)) -lt 20 ]
}
check "nested: SIGALRM to the outer one ends the inner command by its signal" nested_alarm

# ---- timeout-large-parameters.sh
time_t_oflow_waits() { not_returns 124 t $TIME_T_OFLOW sleep 3; }
check "a duration past time_t does not time out at once" time_t_oflow_waits
check "UINT_MAX+1 seconds: sleep 0 exits 0" returns 0 t $UINT_OFLOW sleep 0
check "time_t overflow in days: sleep 0 exits 0" returns 0 t ${TIME_T_OFLOW}d sleep 0
check "2.34e+5d: sleep 0 exits 0" returns 0 t 2.34e+5d sleep 0
check "LDBL_MAX: sleep 0 exits 0" returns 0 t $LDBL_MAX sleep 0
check "-LDBL_MAX: 125" returns 125 t -- -$LDBL_MAX sleep 0

# ---- timeout-blocked.pl
blocked_alarm() {
    perl -MPOSIX -e 1 2>/dev/null || return 77
    perl -MPOSIX=:signal_h -e '
        sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGALRM)) or exit 77;
        exec @ARGV or exit 127;' -- "${TIMEOUT[@]}" .1 sleep 10 >/dev/null 2>&1
    local got=$?
    [ $got -eq 124 ] || {
        echo "      expected 124 with SIGALRM blocked, got $got" >&2
        return 1
    }
}
check "SIGALRM blocked by the caller: still 124" blocked_alarm

# ---- init-parent.sh
new_pid_namespace() {
    unshare --pid --fork --map-root-user true 2>/dev/null || return 77
    unshare --pid --fork --map-root-user "${TIMEOUT[@]}" .1 sleep 10 >/dev/null 2>&1
    local got=$?
    [ $got -eq 124 ] || {
        echo "      expected 124 in a new pid namespace, got $got" >&2
        return 1
    }
}
check "as the first process of a pid namespace: 124" new_pid_namespace

echo "passed $passed of $((passed + failed)) ($skipped skipped): ${TIMEOUT[*]}"
[ $failed -eq 0 ]
