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
    /// <summary>One scan: processes whose <c>REIN_RUN_ID</c> is <paramref name="wanted"/>, newest first.</summary>
    public static List<(ProcessInfo Process, string RunId)> Scan(
        IProcessTable table,
        Func<string, bool> wanted
    )
    {
        var found = new List<(ProcessInfo, string)>();
        if (table is not ProcfsProcessTable procfs)
        {
            return found;
        }

        var pids = procfs.Pids().ToList();
        var newest = pids.Count > 0 ? pids.Max() : 0;
        var self = Environment.ProcessId;
        foreach (var pid in Enumerable.Range(newest + 1, 64).Concat(pids.OrderDescending()))
        {
            if (
                pid > 1
                && pid != self
                && table.ReadEnvironmentVariable(pid, RunSpec.RunIdVariable) is { Length: > 0 } id
                && wanted(id)
                && table.Read(pid) is { IsZombie: false } p
            )
            {
                found.Add((p, id));
            }
        }

        return found;
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
            var found = 0;
            foreach (var (p, _) in Scan(table, runIds.Contains))
            {
                if (ProcessSignaller.Send(table, p, Processes.Posix.LibC.SIGKILL))
                {
                    found++;
                    killed.Add(p.Pid);
                }
            }

            quiet = found == 0 ? quiet + 1 : 0;
        }

        return killed;
    }
}
