namespace Rein.Running;

/// <summary>Turns why the watch stopped and how the command ended into the verdict's outcome, code and signal.</summary>
internal static class Verdicts
{
    /// <param name="verdict">The verdict with everything but the outcome filled in.</param>
    /// <param name="reason">Why Rein stopped the run; null when the command exited by itself.</param>
    /// <param name="signal">For <see cref="RunOutcome.Interrupted"/>: the signal Rein received.</param>
    /// <param name="rootExit">How the command ended (null if unknown: it survived SIGKILL).</param>
    public static RunVerdict Decide(
        RunVerdict verdict,
        RunOutcome? reason,
        int? signal,
        (bool Exited, int Code, int Signal)? rootExit
    )
    {
        if (reason is { } why)
        {
            verdict = verdict with
            {
                Outcome = why,
                Signal = why == RunOutcome.Interrupted ? signal : null,
            };
            if (rootExit is { } end)
            {
                verdict = verdict with { ExitCode = end.Exited ? end.Code : null };
                if (why != RunOutcome.Interrupted && !end.Exited)
                {
                    verdict = verdict with { Signal = end.Signal };
                }
            }

            return verdict;
        }

        return rootExit switch
        {
            { Exited: true } e => verdict with { Outcome = RunOutcome.Exited, ExitCode = e.Code },
            { } e => verdict with { Outcome = RunOutcome.Signaled, Signal = e.Signal },
            null => verdict with { Outcome = RunOutcome.Exited, ExitCode = null },
        };
    }
}
