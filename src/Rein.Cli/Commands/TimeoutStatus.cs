using Rein.Platform.Posix;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary>How <c>rein timeout</c> ends: an exit code, or a signal to re-raise on itself first.</summary>
/// <param name="ExitCode">The status to exit with (also the fallback when the signal cannot be re-raised).</param>
/// <param name="Raise">The signal rein must die of, as the command did; null to just exit.</param>
internal readonly record struct TimeoutExit(int ExitCode, int? Raise);

/// <summary>
/// coreutils timeout's exit status (src/timeout.c, main): the command's own status; 124 when it timed out, unless
/// --preserve-status; 137 when the command itself had to be killed with KILL after the timeout (also with
/// --preserve-status); and when the command died of a signal without a timeout — its own, or one sent to rein and
/// passed on — rein re-raises that signal on itself, so its caller sees a signal death too (a shell script then stops
/// on Ctrl-C instead of carrying on). After a timeout, a signal death is an exit status (124, or 128+N with -p).
/// </summary>
internal static class TimeoutStatus
{
    public static TimeoutExit Decide(RunVerdict v, bool preserveStatus) =>
        v.Outcome switch
        {
            RunOutcome.Exited => new(v.ExitCode ?? ExitCodes.ReinFailed, null),
            RunOutcome.Signaled when v.Signal is { } s => new(ExitCodes.SignalBase + s, s),
            // A signal rein received and passed on: the command's own status when it handled it and exited.
            RunOutcome.Interrupted when v.ExitCode is { } c => new(c, null),
            RunOutcome.Interrupted => Raised(v.Signal ?? LibC.SIGTERM),
            RunOutcome.TimedOut => TimedOut(v, preserveStatus),
            _ => new(v.ReinExitCode, null),
        };

    static TimeoutExit Raised(int signal) => new(ExitCodes.SignalBase + signal, signal);

    static TimeoutExit TimedOut(RunVerdict v, bool preserveStatus)
    {
        // coreutils: "if (timed_out && sig == SIGKILL) preserve_status = true". When the command survived even
        // SIGKILL (unkillable), its end is unknown; KILL was needed all the same.
        var killed =
            v.Signal == LibC.SIGKILL || (v.ExitCode is null && v.Signal is null && v.Escalated);
        if (killed)
        {
            return new(ExitCodes.SignalBase + LibC.SIGKILL, null);
        }

        if (!preserveStatus)
        {
            return new(ExitCodes.TimedOut, null);
        }

        return new(
            v.ExitCode ?? (v.Signal is { } s ? ExitCodes.SignalBase + s : ExitCodes.TimedOut),
            null
        );
    }
}
