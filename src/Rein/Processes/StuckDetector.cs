using System.Diagnostics;
using Rein.Platform;

namespace Rein.Processes;

/// <summary>
/// Tells a process that cannot be killed from one that is merely busy. Uninterruptible wait (D on Linux, U on
/// macOS) is normal for a moment: an fsync, direct I/O, a binary being paged in. Only a process that stays there
/// at every sample across <see cref="DefaultWindow"/>, and (on Linux) is not switched in and out of the CPU while
/// it does, is stuck. Pid and start time together identify a process, so a reused pid is never confused with it.
/// Costs nothing when no candidate is in uninterruptible wait, and stops sampling as soon as none still is.
/// </summary>
public sealed class StuckDetector(IProcessTable table, TimeSpan window, TimeSpan interval)
{
    /// <summary>How long a process must stay in uninterruptible wait to be called stuck.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(2);

    /// <summary>Time between samples: short, so a process leaving the state is let go of quickly.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    public StuckDetector(IProcessTable table)
        : this(table, DefaultWindow, DefaultInterval) { }

    /// <summary>Those of <paramref name="processes"/> (as seen by the caller) that are stuck: in uninterruptible
    /// wait now and at every sample until the window ends. Returns at once when none of them is in that state.</summary>
    public IReadOnlyList<ProcessInfo> FindStuck(IEnumerable<ProcessInfo> processes)
    {
        var watched = processes
            .Where(p => p.IsUninterruptible)
            .DistinctBy(p => p.Pid)
            .Select(p => new Watched(p, ContextSwitches(p.Pid)))
            .ToList();
        var clock = Stopwatch.StartNew();
        while (watched.Count > 0 && clock.Elapsed < window)
        {
            var left = window - clock.Elapsed;
            Thread.Sleep(left < interval ? left : interval);
            watched.RemoveAll(w => !StillStuck(w));
        }

        return [.. watched.Select(w => w.First)];
    }

    bool StillStuck(Watched w) =>
        table.Read(w.First.Pid) is { IsUninterruptible: true } now
        && now.StartTime == w.First.StartTime
        && ContextSwitches(w.First.Pid) == w.Switches;

    /// <summary>Linux: how often the process has been switched off the CPU (voluntarily or not). A process doing
    /// I/O is woken at each completion, so the count moves even when every sample happens to catch it in D; a
    /// stuck one never runs, so it does not. Null where it cannot be read (macOS, the process is gone).</summary>
    static long? ContextSwitches(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (ProcFile.ReadText($"/proc/{pid}/status") is not { } status)
        {
            return null;
        }

        long? total = null;
        foreach (var line in status.Split('\n'))
        {
            if (
                (
                    line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                    || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal)
                ) && long.TryParse(line.AsSpan(line.IndexOf(':') + 1).Trim(), out var n)
            )
            {
                total = (total ?? 0) + n;
            }
        }

        return total;
    }

    sealed record Watched(ProcessInfo First, long? Switches);
}
