using Rein.Forensics.Classification;

namespace Rein.Running;

public sealed partial class Guard
{
    TimeSpan _startedSinceBoot;
    long _cgroupOomKills;

    /// <summary>A failed run gets its class and recovery hint (<see cref="FailureClassifier"/>) before the end is
    /// recorded: from how it ended, the kernel log when it was killed or crashed (OOM killer, segfault lines about
    /// its processes), and the stderr tail when rein relayed the output.</summary>
    RunVerdict Classified(RunVerdict verdict)
    {
        if (!FailureClassifier.Failed(verdict))
        {
            return verdict;
        }

        var pids = new HashSet<int>(_seen?.Pids ?? []);
        if (verdict.ChildPid > 0)
        {
            pids.Add(verdict.ChildPid);
        }

        // The kernel log is read only when it can tell something: a signal death, a shell's 128+N, a memory cap.
        var killed =
            verdict.Outcome is RunOutcome.Signaled or RunOutcome.MemoryExceeded
            || verdict.ExitCode > 128;
        var evidence = new FailureEvidence(
            ExitFacts.From(verdict, _cgroupOomKills),
            _relay?.ErrorTail?.Text(),
            killed ? KernelLog.Since(_startedSinceBoot) : [],
            pids
        );
        try
        {
            var failure = FailureClassifier.Classify(
                _spec.ClassificationRules ?? ClassificationRules.BuiltIn,
                evidence
            );
            return verdict with
            {
                Failure = _relay?.ErrorTail is not null
                    ? FailureClassifier.TailKept(failure)
                    : failure,
            };
        }
        catch (Config.ConfigException)
        {
            return verdict; // the built-in rules are broken: no class rather than no verdict (a test catches it)
        }
    }
}
