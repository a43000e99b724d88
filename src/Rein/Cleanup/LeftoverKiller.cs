using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Processes;

namespace Rein.Cleanup;

/// <summary>
/// Stops leftovers the way a run's teardown does: the polite signal (TERM, with CONT so a stopped process can act
/// on it) → grace → SIGKILL → verify, bounded. Every signal goes to a process by identity (pidfd + the start time
/// cleanup saw, <see cref="ProcessSignaller"/>), so a pid recycled since the scan is never signalled. What is
/// still there after the kill wait is a survivor; one in uninterruptible wait (D/U) cannot be killed at all.
/// </summary>
public static class LeftoverKiller
{
    public static (List<int> Killed, List<ProcessInfo> Survivors) Kill(
        IProcessTable table,
        IReadOnlyList<ProcessInfo> targets,
        TimeSpan grace,
        TimeSpan killWait
    )
    {
        var killed = new List<int>();
        foreach (var p in targets)
        {
            if (ProcessSignaller.Send(table, p, LibC.SIGTERM))
            {
                killed.Add(p.Pid);
                ProcessSignaller.Send(table, p, LibC.SIGCONT);
            }
        }

        var alive = WaitGone(table, targets, grace);
        if (alive.Count == 0)
        {
            return (killed, []);
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (var p in alive)
            {
                if (ProcessSignaller.Send(table, p, LibC.SIGKILL) && !killed.Contains(p.Pid))
                {
                    killed.Add(p.Pid);
                }
            }

            alive = WaitGone(table, alive, TimeSpan.FromMilliseconds(50));
            if (alive.Count == 0 || clock.Elapsed >= killWait)
            {
                return (killed, [.. alive.Select(p => table.Read(p.Pid) ?? p)]);
            }
        }
    }

    /// <summary>Waits up to <paramref name="time"/> for the processes to go; returns those still there (the same
    /// pid with the same start time, not a zombie).</summary>
    static List<ProcessInfo> WaitGone(
        IProcessTable table,
        IReadOnlyList<ProcessInfo> processes,
        TimeSpan time
    )
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var alive = processes.Where(p => IsAlive(table, p)).ToList();
            if (alive.Count == 0 || clock.Elapsed >= time)
            {
                return alive;
            }

            Thread.Sleep(20);
        }
    }

    static bool IsAlive(IProcessTable table, ProcessInfo p) =>
        table.Read(p.Pid) is { IsZombie: false } now && now.StartTime == p.StartTime;
}
