namespace Rein.Cli.Commands;

/// <summary><c>rein timeout --help</c>: coreutils' usage, what rein does differently, and examples.</summary>
internal static class TimeoutHelp
{
    public const string Text = """
        Usage: rein timeout [OPTION]... DURATION COMMAND [ARG]...
        Start COMMAND, and kill it, and every process it started, if still running
        after DURATION. A drop-in for coreutils timeout(1) (also where there is none,
        as on macOS), with a tree kill.

          -f, --foreground
                 keep COMMAND in the terminal's process group, so it can read the
                   terminal and gets Ctrl-C and Ctrl-Z itself (its children are still
                   killed)
          -k, --kill-after=DURATION
                 send KILL if COMMAND is still running this long after the signal
                   (default: the run grace, 5s, REIN_GRACE; 0 means that default too)
          -p, --preserve-status
                 exit with the same status as COMMAND, even when it times out
          -s, --signal=SIGNAL
                 the signal sent on timeout (default TERM): a name like HUP, int,
                   SIGUSR1 (any case, with or without SIG) or a number; 0 sends nothing
          -v, --verbose
                 say on stderr which signals were sent on timeout
              --help     display this help and exit
              --version  output version information and exit

        DURATION is a floating point number with an optional suffix: s for seconds
        (the default), m for minutes, h for hours or d for days; rein's 500ms and
        1h30m work too. A duration of 0 disables the timeout.

        On timeout, rein sends SIGNAL to COMMAND's process group and every process of
        its tree, waits up to the -k time for them to end, then sends KILL to what is
        left.

        Unlike coreutils timeout:
          - the whole tree ends, also processes that left the process group (setsid,
            double fork, a daemon), and also when rein timeout itself is killed
            (kill -9);
          - when COMMAND ends by itself, what it left running is stopped too, with one
            line on stderr;
          - without -k, rein does not wait forever for a COMMAND that ignores the
            signal: it sends KILL after the run grace (exit 137); give slow shutdowns
            -k 10m;
          - --foreground still kills COMMAND's children;
          - -v reports the signals when COMMAND has ended;
          - the run is recorded in the journal (rein journal).

        Exit status:
          124  if COMMAND times out, and --preserve-status is not specified
          125  if rein timeout itself fails, or on bad usage
          126  if COMMAND is found but cannot be invoked
          127  if COMMAND cannot be found
          137  if COMMAND had to be killed with KILL (128+9)
          -    the exit status of COMMAND otherwise; when COMMAND died of a signal
               that was not the timeout's, rein timeout dies of the same signal

        Examples:
          rein timeout 10m make ci
          rein timeout -k 30s 1h python train.py # TERM after 1h, KILL 30s later
          rein timeout -s INT 90s pytest -x      # stop it like Ctrl-C: pytest reports
          rein timeout -p 5 ./flaky.sh; echo $?  # the script's own status, always
          until rein timeout 2 curl -fs localhost:8080/health; do sleep 1; done

        """;
}
