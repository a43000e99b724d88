using System.Text;
using Rein.Processes.Linux;
using Rein.Processes.Posix;
using Rein.Running;

namespace Rein.Processes;

/// <summary>
/// The keeper is a tiny second process that outlives a SIGKILLed Rein (G2). Rein holds the write end of a
/// pipe whose read end is the keeper's stdin, and tells it the run's marker and process group. If Rein
/// says <c>done</c>, the keeper exits quietly. If the pipe reaches EOF first, Rein died without cleaning up:
/// the keeper SIGKILLs the run's group and every process carrying its marker until none is left.
/// (PR_SET_PDEATHSIG cannot do this: posix_spawn cannot set it in the child, and it would only reach the
/// direct child, not setsid()-escaped descendants.)
/// </summary>
public sealed class Keeper : IDisposable
{
    readonly int _writeFd;

    Keeper(int pid, int writeFd)
    {
        Pid = pid;
        _writeFd = writeFd;
    }

    public int Pid { get; }

    /// <summary>Starts the keeper (its own session, so terminal signals do not reach it). Null when it cannot start;
    /// the run then proceeds without the SIGKILL guarantee rather than not at all.</summary>
    /// <param name="inherit">Descriptors the keeper holds on to (lock slots): flock locks belong to the open file,
    /// so the lock stays held until the keeper exits, after the tree it guards is dead.</param>
    public static Keeper? Start(
        IReadOnlyList<string> command,
        string marker,
        IReadOnlyList<int>? inherit = null
    )
    {
        var (read, write) = LibC.CloexecPipe();
        var env = Environment
            .GetEnvironmentVariables()
            .Keys.Cast<string>()
            .Where(k => k != RunSpec.RunIdVariable)
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}")
            .ToList();
        var (pid, failure) = PosixSpawner.Spawn(
            command,
            env,
            newSession: true,
            redirects: [(read, 0)]
        );
        LibC.close(read);
        if (failure is not null)
        {
            LibC.close(write);
            return null;
        }

        var keeper = new Keeper(pid, write);
        keeper.Send($"run {marker}");
        return keeper;
    }

    public void WatchGroup(int pgid) => Send($"pgid {pgid}");

    /// <summary>A cgroup directory of the run, removed by the keeper if Rein dies before it can.</summary>
    public void WatchCgroup(string directory) => Send($"cgroup {directory}");

    /// <summary>Tells the keeper the run ended cleanly, closes the pipe, and reaps it if it has already gone.</summary>
    public void Dispose()
    {
        Send("done");
        LibC.close(_writeFd);
        unsafe
        {
            int status;
            LibC.waitpid(Pid, &status, LibC.WNOHANG);
        }
    }

    void Send(string line) => LibC.WriteAll(_writeFd, Encoding.ASCII.GetBytes(line + "\n"));

    /// <summary>The keeper's own main loop: reads commands from stdin until "done" or EOF. Returns the exit code.</summary>
    public static int RunKeeper(TextReader input, TextWriter error)
    {
        string? marker = null;
        var pgid = 0;
        var cgroups = new List<string>();
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            if (line == "done")
            {
                return 0;
            }

            if (line.StartsWith("run ", StringComparison.Ordinal))
            {
                marker = line[4..];
            }
            else if (
                line.StartsWith("pgid ", StringComparison.Ordinal)
                && int.TryParse(line[5..], out var g)
            )
            {
                pgid = g;
            }
            else if (line.StartsWith("cgroup ", StringComparison.Ordinal))
            {
                cgroups.Add(line[7..]);
            }
        }

        if (marker is null)
        {
            return 0;
        }

        var killed = KillEverything(marker, pgid);
        foreach (var dir in cgroups)
        {
            try
            {
                Directory.Delete(dir); // empty now that the tree is dead
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }

        if (killed > 0)
        {
            error.WriteLine(
                $"rein: guard for run {marker} died; its keeper killed {killed} leftover process(es)"
            );
        }

        return 0;
    }

    static int KillEverything(string marker, int pgid)
    {
        var table = ProcessTables.Current;
        var killed = new HashSet<int>();
        var quietRounds = 0;
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (quietRounds < 2 && DateTime.UtcNow < deadline)
        {
            var found = 0;
            if (pgid > 1)
            {
                // kill() succeeds on a group of zombies too, so it cannot tell us whether anything is left.
                LibC.kill(-pgid, LibC.SIGKILL);
            }

            if (table is ProcfsProcessTable procfs)
            {
                foreach (var pid in procfs.Pids())
                {
                    var p = procfs.Read(pid);
                    if (p is null || p.IsZombie || pid <= 1)
                    {
                        continue;
                    }

                    if (procfs.ReadEnvironmentVariable(pid, RunSpec.RunIdVariable) == marker)
                    {
                        LibC.kill(pid, LibC.SIGKILL);
                        killed.Add(pid);
                        found++;
                    }
                }
            }

            quietRounds = found == 0 ? quietRounds + 1 : 0;
            Thread.Sleep(30);
        }

        return killed.Count;
    }
}
