using Rein.Journal;
using Rein.Processes;

namespace Rein.Cleanup;

/// <summary>The whole of <c>rein cleanup</c> for a library host: <see cref="Plan"/> finds (reads only),
/// <see cref="Execute"/> stops what the plan selected and removes the leftover cgroups.</summary>
public static class Cleaner
{
    /// <param name="table">The process table.</param>
    /// <param name="store">The journal (already reconciled, so runs whose guard vanished read as unclean), or null
    /// when there is none: then only foreign markers and --cwd select anything.</param>
    /// <param name="bootId">This boot: start times in the journal count from it.</param>
    /// <param name="request">Scope and filters.</param>
    /// <param name="cgroupRoot">The cgroup hierarchy's mount point.</param>
    /// <param name="snapshot">A snapshot of <paramref name="table"/> the caller already took (rein doctor shares one
    /// between its checks), so that every process is read once; null: take one.</param>
    public static CleanupPlan Plan(
        IProcessTable table,
        JournalStore? store,
        string bootId,
        CleanupRequest request,
        string cgroupRoot = "/sys/fs/cgroup",
        IReadOnlyList<ProcessInfo>? snapshot = null
    )
    {
        var runs = store?.RunsOfBoot(bootId) ?? [];
        var byId = runs.ToDictionary(r => r.Id);
        // A run whose guard lived in another pid namespace recorded that namespace's pids: here they are someone
        // else's (the same number, even the same start tick, names another process).
        var mine = BootIdentity.CurrentPidNamespace();
        var recorded = (store?.RecordedProcesses(bootId) ?? [])
            .Where(p =>
                !(
                    byId.TryGetValue(p.RunId, out var r)
                    && r.PidNamespace is { } theirs
                    && mine is { } ours
                    && theirs != ours
                )
            )
            .ToList();
        var cgroups = LeftoverCgroups.Find(
            byId.ContainsKey,
            id => byId.TryGetValue(id, out var r) && r.State == RunState.Running,
            cgroupRoot
        );
        var plan = new LeftoverFinder(table, new ProcessDetailsReader()).Find(
            request,
            new LeftoverFinder.JournalView(runs, recorded),
            cgroups,
            snapshot
        );
        return plan with { Cgroups = [.. plan.Cgroups.Select(LeftoverCgroups.Planned)] };
    }

    public static CleanupResult Execute(
        IProcessTable table,
        CleanupPlan plan,
        TimeSpan grace,
        TimeSpan killWait
    )
    {
        var (killed, survivors) = LeftoverKiller.Kill(
            table,
            [.. plan.ToKill.Select(l => l.Process)],
            grace,
            killWait
        );
        // What was signalled by pid may have hopped on (fork, exit, fork...): chase the runs' markers until two scans
        // in a row find none of them.
        var runIds = plan
            .ToKill.Where(l => l.RunId is not null && l.Rule != CleanupRules.ForeignMarker)
            .Select(l => l.RunId!)
            .ToHashSet();
        foreach (var pid in MarkerChase.Kill(table, runIds, killWait))
        {
            if (!killed.Contains(pid))
            {
                killed.Add(pid);
            }
        }
        var unkillable = survivors.Where(p => p.IsUninterruptible).ToList();
        var cgroups = plan
            .Cgroups.Select(c =>
                c.Action == "would_remove" ? LeftoverCgroups.Remove(c, DateTime.UtcNow) : c
            )
            .ToList();
        return new CleanupResult(killed, survivors, unkillable, cgroups);
    }
}
