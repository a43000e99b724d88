using System.Globalization;
using Rein.Platform;

namespace Rein.Processes.Linux;

/// <summary>
/// Kernel-enforced caps for one run: a child cgroup under our own, with a memory limit and/or a pids limit.
/// cgroup v2 (a delegated, writable subtree with the controllers enabled) is preferred; cgroup v1 memory and
/// pids hierarchies work as root (as on these CI machines). Creation fails softly: the caller falls back to
/// polling. Stays inside our own subtree; the directory is removed once the tree is gone. Neither rein nor the
/// shim ever enters it: the shim's child joins it between fork and exec (src/native/shim.c), so rein's own
/// threads never count toward --max-procs and an OOM kill can only hit the command's tree.
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
        if (ProcFile.ReadText(procSelfCgroup) is not { } self)
        {
            why = $"cannot read {procSelfCgroup}";
            return null;
        }

        var lines = self.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var name = "rein-" + runId;
        string? v2Why = null;
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
            var missing = need.Where(c => !controllers.Split(' ', '\n').Contains(c)).ToList();
            if (missing.Count > 0 && File.Exists(Path.Combine(parent, "cgroup.controllers")))
            {
                // An ordinary systemd session: rein's own cgroup holds processes, so controllers cannot be
                // enabled below it. Said plainly, so `--cap-method cgroup` fails with the way out.
                v2Why =
                    $"cgroup v2: the {string.Join(" and ", missing)} controller(s) are not delegated to {parent} "
                    + "(start rein under `systemd-run --user --scope -p Delegate=yes`, or use --cap-method poll)";
            }

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
                why =
                    v2Why
                    ?? "no writable memory cgroup (cgroup v2 delegation, or root for cgroup v1)";
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
                why =
                    v2Why
                    ?? "no writable pids cgroup (cgroup v2 delegation, or root for cgroup v1)";
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

    /// <summary>True when every cgroup of the run lists <paramref name="pid"/> (the shim's placement worked).</summary>
    public bool Contains(int pid)
    {
        var text = pid.ToString(CultureInfo.InvariantCulture);
        return _dirs.All(dir =>
            (TryRead(Path.Combine(dir, "cgroup.procs")) ?? "").Split('\n').Contains(text)
        );
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

    static string? TryRead(string file) => ProcFile.ReadText(file);
}
