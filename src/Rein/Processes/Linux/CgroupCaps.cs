using System.Globalization;

namespace Rein.Processes.Linux;

/// <summary>
/// Kernel-enforced caps for one run: a child cgroup under our own, with a memory limit and/or a pids limit.
/// cgroup v2 (a delegated, writable subtree with the controllers enabled) is preferred; cgroup v1 memory and
/// pids hierarchies work as root (as on these CI machines). Creation fails softly: the caller falls back to
/// polling. Stays inside our own subtree; the directory is removed once the tree is gone.
/// </summary>
public sealed class CgroupCaps : IDisposable
{
    readonly List<string> _dirs;
    readonly string? _memoryDir;
    readonly string? _pidsDir;
    readonly bool _v2;

    CgroupCaps(bool v2, string? memoryDir, string? pidsDir)
    {
        _v2 = v2;
        _memoryDir = memoryDir;
        _pidsDir = pidsDir;
        _dirs =
        [
            .. new[] { memoryDir, pidsDir }.Where(d => d is not null).Distinct().Cast<string>(),
        ];
    }

    public string Method => _v2 ? "cgroup-v2" : "cgroup-v1";

    /// <summary>The directories this run created (for the keeper to remove if Rein dies).</summary>
    public IReadOnlyList<string> Directories => _dirs;

    /// <summary>Creates the cgroup(s), or returns null (with <paramref name="why"/>) when the kernel mechanism is unavailable.</summary>
    public static CgroupCaps? TryCreate(
        string runId,
        long? memoryLimit,
        int? maxProcs,
        out string why,
        string root = "/sys/fs/cgroup",
        string procSelfCgroup = "/proc/self/cgroup"
    )
    {
        why = "";
        string[] lines;
        try
        {
            lines = File.ReadAllLines(procSelfCgroup);
        }
        catch (IOException e)
        {
            why = e.Message;
            return null;
        }

        var name = "rein-" + runId;
        // v2: "0::/path" and the controllers we need enabled for our children.
        var unified = lines.FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal));
        if (unified is not null)
        {
            var parent = Path.Join(root, unified[3..]);
            var controllers = TryRead(Path.Combine(parent, "cgroup.subtree_control")) ?? "";
            var need = new[]
            {
                memoryLimit is null ? null : "memory",
                maxProcs is null ? null : "pids",
            }.Where(c => c is not null);
            if (
                need.All(c => controllers.Split(' ').Contains(c))
                && TryMake(Path.Combine(parent, name)) is { } dir
            )
            {
                var ok =
                    (
                        memoryLimit is null
                        || TryWrite(Path.Combine(dir, "memory.max"), memoryLimit.Value)
                    )
                    && (
                        maxProcs is null || TryWrite(Path.Combine(dir, "pids.max"), maxProcs.Value)
                    );
                if (memoryLimit is not null)
                {
                    TryWrite(Path.Combine(dir, "memory.swap.max"), 0); // absent without swap accounting; best effort
                }
                if (ok)
                {
                    return new CgroupCaps(
                        true,
                        memoryLimit is null ? null : dir,
                        maxProcs is null ? null : dir
                    );
                }

                TryRemove(dir);
            }
        }

        // v1: "N:memory:/path", "N:pids:/path".
        string? memDir = null,
            pidsDir = null;
        if (memoryLimit is not null)
        {
            memDir = V1Dir(lines, "memory", root, name);
            if (
                memDir is null
                || !TryWrite(Path.Combine(memDir, "memory.limit_in_bytes"), memoryLimit.Value)
            )
            {
                Cleanup(memDir);
                why = "no writable memory cgroup (cgroup v2 delegation or root for v1)";
                return null;
            }

            // Without this the cgroup would swap instead of OOM-killing; absent when swap accounting is off.
            TryWrite(Path.Combine(memDir, "memory.memsw.limit_in_bytes"), memoryLimit.Value);
        }

        if (maxProcs is not null)
        {
            pidsDir = V1Dir(lines, "pids", root, name);
            if (pidsDir is null || !TryWrite(Path.Combine(pidsDir, "pids.max"), maxProcs.Value))
            {
                Cleanup(memDir);
                Cleanup(pidsDir);
                why = "no writable pids cgroup";
                return null;
            }
        }

        return new CgroupCaps(false, memDir, pidsDir);
    }

    static void Cleanup(string? dir)
    {
        if (dir is not null)
        {
            TryRemove(dir);
        }
    }

    static string? V1Dir(string[] lines, string controller, string root, string name)
    {
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains(controller))
            {
                return TryMake(Path.Join(root, controller, parts[2], name));
            }
        }

        return null;
    }

    /// <summary>
    /// cgroup v1: moves Rein itself into the run's cgroup(s) until disposed, so a child spawned meanwhile is born
    /// inside them — posix_spawn has no "spawn into cgroup" (clone3's CLONE_INTO_CGROUP is v2-only), and moving the
    /// child after the spawn races with its first forks. Rein moves back to its own cgroup on dispose. v2 does
    /// not allow processes in a cgroup that delegates controllers, so there the child is moved after the spawn.
    /// </summary>
    public IDisposable? EnterForSpawn()
    {
        if (_v2)
        {
            return null;
        }

        var self = Environment.ProcessId;
        var moved = new List<string>();
        foreach (var dir in _dirs)
        {
            if (TryWrite(Path.Combine(dir, "cgroup.procs"), self))
            {
                moved.Add(dir);
            }
        }

        return new MoveBack(moved, self);
    }

    sealed class MoveBack(List<string> dirs, int pid) : IDisposable
    {
        public void Dispose()
        {
            foreach (var dir in dirs)
            {
                TryWrite(Path.Combine(Path.GetDirectoryName(dir)!, "cgroup.procs"), pid);
            }
        }
    }

    /// <summary>Moves a process (and so its future children) into the cgroup(s).</summary>
    public void Add(int pid)
    {
        foreach (var dir in _dirs)
        {
            TryWrite(Path.Combine(dir, "cgroup.procs"), pid);
        }
    }

    /// <summary>How many times the kernel OOM-killed a process of this cgroup.</summary>
    public long OomKills()
    {
        if (_memoryDir is null)
        {
            return 0;
        }

        var text =
            TryRead(Path.Combine(_memoryDir, _v2 ? "memory.events" : "memory.oom_control")) ?? "";
        return Counter(text, "oom_kill");
    }

    /// <summary>How many forks the pids limit refused.</summary>
    public long ForksRefused() =>
        _pidsDir is null ? 0 : Counter(TryRead(Path.Combine(_pidsDir, "pids.events")) ?? "", "max");

    /// <summary>Pure: the value of <c>key N</c> in a cgroup flat-keyed file.</summary>
    public static long Counter(string text, string key)
    {
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (
                parts.Length == 2
                && parts[0] == key
                && long.TryParse(
                    parts[1],
                    NumberStyles.Integer,
                    CultureInfo.InvariantCulture,
                    out var n
                )
            )
            {
                return n;
            }
        }

        return 0;
    }

    public void Dispose()
    {
        foreach (var dir in _dirs)
        {
            // rmdir succeeds once cgroup.procs is empty; killed processes can take a moment to leave.
            for (var i = 0; i < 20 && Directory.Exists(dir); i++)
            {
                if (TryRemove(dir))
                {
                    break;
                }

                Thread.Sleep(10);
            }
        }
    }

    static string? TryMake(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            return dir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    static bool TryRemove(string dir)
    {
        try
        {
            Directory.Delete(dir);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    static bool TryWrite(string file, long value)
    {
        try
        {
            File.WriteAllText(file, value.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    static string? TryRead(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
