using Rein.Processes;
using Rein.Processes.Linux;
using Rein.Running;

namespace Rein.Cleanup;

/// <summary>
/// Processes that carry a run's <c>REIN_RUN_ID</c> while they hop from pid to pid (fork, the parent exits, the child
/// goes on, every ~200 µs): a scan of the whole table reads each pid long after it was listed, and a hop's pid is
/// gone by then. A hop's pid is almost always the newest on the machine, so the chase reads the newest pids first
/// (and the few above the newest listed) and asks only for the marker, then reads and signals by identity. Linux
/// only (it needs the list of pids; macOS's table is read whole).
/// </summary>
public static class MarkerChase
{
    /// <summary>One scan: processes whose <c>REIN_RUN_ID</c> is <paramref name="wanted"/>, newest first, each handed
    /// to <paramref name="found"/> the moment it is read (a hop's pid is another's, or nobody's, a moment later).
    /// Returns how many were found.</summary>
    public static int Scan(
        IProcessTable table,
        Func<string, bool> wanted,
        Action<ProcessInfo, string>? found,
        Action<int, string>? marked = null
    )
    {
        if (table is not ProcfsProcessTable procfs)
        {
            return 0;
        }

        var pids = procfs.Pids().ToList();
        var newest = pids.Count > 0 ? pids.Max() : 0;
        var self = Environment.ProcessId;
        var count = 0;
        foreach (var pid in Enumerable.Range(newest + 1, 64).Concat(pids.OrderDescending()))
        {
            if (
                pid <= 1
                || pid == self
                || table.ReadEnvironmentVariable(pid, RunSpec.RunIdVariable)
                    is not { Length: > 0 } id
                || !wanted(id)
            )
            {
                continue;
            }

            count++;
            marked?.Invoke(pid, id);
            if (found is not null && table.Read(pid) is { IsZombie: false } p)
            {
                found(p, id);
            }
        }

        return count;
    }

    /// <summary>SIGKILLs (by identity) every process carrying one of the run ids, scan after scan, until two scans in
    /// a row find none or <paramref name="budget"/> is spent. Returns the pids killed.</summary>
    public static List<int> Kill(IProcessTable table, IReadOnlySet<string> runIds, TimeSpan budget)
    {
        var killed = new List<int>();
        if (runIds.Count == 0)
        {
            return killed;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var quiet = 0; quiet < 2 && clock.Elapsed < budget; )
        {
            var seen = Scan(
                table,
                runIds.Contains,
                null,
                (pid, id) => KillPinned(table, pid, id, killed)
            );
            quiet = seen == 0 ? quiet + 1 : 0;
        }

        return killed;
    }

    /// <summary>SIGKILL through a pidfd opened at once, and only if the process it pins still carries the run id
    /// (read again after the open): never a bare pid, and fast enough to land within one hop.</summary>
    static void KillPinned(IProcessTable table, int pid, string runId, List<int> killed)
    {
        var fd = Platform.Posix.LibC.PidfdOpen(pid);
        if (fd < 0)
        {
            return;
        }

        try
        {
            if (
                table.ReadEnvironmentVariable(pid, RunSpec.RunIdVariable) == runId
                && Platform.Posix.LibC.PidfdSendSignal(fd, Platform.Posix.LibC.SIGKILL) == 0
            )
            {
                killed.Add(pid);
            }
        }
        finally
        {
            Platform.Posix.LibC.close(fd);
        }
    }
}
