using System.Diagnostics;
using System.Text;
using Rein.Processes;
using Rein.Processes.Linux;

namespace Rein.Tests.Support;

/// <summary>Asks the real process table what is alive (rein's own: /proc on Linux, libproc on macOS). A zombie
/// counts as dead: it has exited and holds nothing (and on some CI machines pid 1 never reaps orphans).</summary>
internal static class ProcessProbe
{
    public static readonly IProcessTable Table = ProcessTables.Current;

    /// <summary>Live processes whose command line contains <paramref name="marker"/>.</summary>
    public static List<int> Alive(string marker)
    {
        if (Table is not ProcfsProcessTable procfs)
        {
            return
            [
                .. Table
                    .Snapshot()
                    .Where(p =>
                        p.Pid != Environment.ProcessId
                        && !p.IsZombie
                        && Table.CommandLine(p.Pid).Contains(marker, StringComparison.Ordinal)
                    )
                    .Select(p => p.Pid),
            ];
        }

        // Linux: the raw cmdline bytes first, the stat file only for the few that match.
        var result = new List<int>();
        var needle = Encoding.UTF8.GetBytes(marker);
        foreach (var pid in procfs.Pids())
        {
            if (pid == Environment.ProcessId)
            {
                continue;
            }

            byte[] cmdline;
            try
            {
                cmdline = File.ReadAllBytes($"/proc/{pid}/cmdline");
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (cmdline.AsSpan().IndexOf(needle) >= 0 && Table.Read(pid) is { IsZombie: false })
            {
                result.Add(pid);
            }
        }

        return result;
    }

    /// <summary>Whether the process is stopped by a signal (T) right now.</summary>
    public static bool IsStopped(int pid) => Table.Read(pid)?.IsStopped == true;

    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return condition();
    }

    /// <summary>Waits until <paramref name="path"/> lists at least <paramref name="count"/> pids.</summary>
    public static List<int> WaitForPids(string path, int count, TimeSpan timeout)
    {
        List<int> pids = [];
        WaitUntil(
            () =>
            {
                pids = File.Exists(path)
                    ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(int.Parse)]
                    : [];
                return pids.Count >= count;
            },
            timeout
        );
        return pids;
    }

    /// <summary>For a process that hops from pid to pid: for <paramref name="time"/>, SIGKILL every process whose command
    /// line holds <paramref name="marker"/>, newest pids first (and the few pids above the newest listed), where a
    /// hop's current pid usually is.</summary>
    public static void ChaseNewest(string marker, TimeSpan time)
    {
        if (Table is not ProcfsProcessTable procfs)
        {
            KillAll(marker);
            return;
        }

        var needle = Encoding.UTF8.GetBytes(marker);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < time)
        {
            var pids = procfs.Pids().ToList();
            var newest = pids.Count > 0 ? pids.Max() : 0;
            foreach (var pid in Enumerable.Range(newest + 1, 64).Concat(pids.OrderDescending()))
            {
                byte[] cmdline;
                try
                {
                    cmdline = File.ReadAllBytes($"/proc/{pid}/cmdline");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                if (pid != Environment.ProcessId && cmdline.AsSpan().IndexOf(needle) >= 0)
                {
                    Rein.Platform.Posix.LibC.kill(pid, Rein.Platform.Posix.LibC.SIGKILL);
                }
            }
        }
    }

    /// <summary>Last resort so a failing test never leaves its tree behind on the machine.</summary>
    public static void KillAll(string marker)
    {
        foreach (var pid in Alive(marker))
        {
            Rein.Platform.Posix.LibC.kill(pid, Rein.Platform.Posix.LibC.SIGKILL);
        }
    }
}
