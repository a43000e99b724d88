using System.Globalization;
using Rein.Running;

namespace Rein.Forensics.Classification;

/// <summary>How a run ended, as lines that <c>applies = "exit"</c> rules match: <c>outcome=NAME …</c> first, then
/// <c>exit=N</c>, <c>signal=N NAME</c> (a command killed by a signal rein did not send), one
/// <c>unkillable=PID state=S command=…</c> per survivor of SIGKILL, and <c>cgroup_oom_kill=N</c> when the kernel
/// OOM-killed inside the run's cgroup. The line that matches is the evidence, so each carries its numbers.</summary>
public static class ExitFacts
{
    public static IReadOnlyList<string> From(RunVerdict v, long cgroupOomKills = 0)
    {
        var facts = new List<string>();
        var outcome = $"outcome={v.Outcome.ToWire()}";
        if (v.Outcome == RunOutcome.MemoryExceeded)
        {
            outcome +=
                $" memory_limit={Text(v.MemoryLimitBytes ?? 0)} peak_rss={Text(v.PeakRssBytes)} cap_method={v.CapMethod}";
        }
        else if (v.Outcome is RunOutcome.TimedOut or RunOutcome.IdleTimeout)
        {
            outcome += $" after_ms={Text((long)v.Duration.TotalMilliseconds)}";
        }

        facts.Add(outcome);
        if (v.ExitCode is { } code)
        {
            facts.Add($"exit={Text(code)}");
        }

        if (v.Outcome == RunOutcome.Signaled && v.Signal is { } sig)
        {
            facts.Add($"signal={Text(sig)}");
        }

        foreach (var u in v.Unkillable)
        {
            facts.Add($"unkillable={Text(u.Pid)} state={u.State} command={u.Command}");
        }

        if (cgroupOomKills > 0)
        {
            facts.Add($"cgroup_oom_kill={Text(cgroupOomKills)}");
        }

        return facts;
    }

    /// <summary>Facts for <c>rein classify --exit N</c>: a saved log's exit status, as a shell reports it. A shell
    /// reports a death by signal N as 128+N; <c>rein run</c> sees the signal itself, so 129–192 become the same facts
    /// a run killed by that signal has (143: signal=15, 137: signal=9, 139: signal=11), and both classify alike.</summary>
    public static IReadOnlyList<string> ForExitCode(int code) =>
        code is > ExitCodes.SignalBase and <= ExitCodes.SignalBase + 64
            ? ["outcome=signaled", $"signal={Text(code - ExitCodes.SignalBase)}"]
            : ["outcome=exited", $"exit={Text(code)}"];

    static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
}
