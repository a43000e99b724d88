using Rein.Config;
using Rein.Platform;

namespace Rein.Cleanup;

/// <summary>
/// Finds <c>rein-RUN_ID</c> cgroup directories that runs left behind (a rein and its shim killed together never
/// remove theirs) beside where rein would create them: under the cgroup rein itself is in, for the v2 hierarchy
/// and the v1 memory and pids hierarchies. Those of a run alive now are left alone. <see cref="Remove"/> deletes
/// an empty one; an unknown run's only when it has been empty for a minute (another Rein may be about to use it).
/// </summary>
public static class LeftoverCgroups
{
    public static List<LeftoverCgroup> Find(
        Func<string, bool> knownRun,
        Func<string, bool> aliveRun,
        string root = "/sys/fs/cgroup",
        string procSelfCgroup = "/proc/self/cgroup"
    )
    {
        var result = new List<LeftoverCgroup>();
        if (!OperatingSystem.IsLinux())
        {
            return result;
        }

        if (ProcFile.ReadText(procSelfCgroup) is not { } self)
        {
            return result;
        }

        var lines = self.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var parents = new HashSet<string>();
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[0] == "0" && parts[1].Length == 0)
            {
                parents.Add(Path.Join(root, parts[2]));
            }
            else
            {
                foreach (var controller in parts[1].Split(',').Where(c => c is "memory" or "pids"))
                {
                    parents.Add(Path.Join(root, controller, parts[2]));
                }
            }
        }

        foreach (var parent in parents)
        {
            IEnumerable<string> dirs;
            try
            {
                dirs = Directory.EnumerateDirectories(parent, "rein-*").ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var dir in dirs)
            {
                var runId = Path.GetFileName(dir)["rein-".Length..];
                if (aliveRun(runId))
                {
                    continue;
                }

                result.Add(new LeftoverCgroup(dir, runId, knownRun(runId), Members(dir)));
            }
        }

        return result;
    }

    public static List<int> Members(string dir)
    {
        return
        [
            .. (ProcFile.ReadText(Path.Combine(dir, "cgroup.procs")) ?? "")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => int.TryParse(l, out var pid) ? pid : 0)
                .Where(pid => pid > 0),
        ];
    }

    /// <summary>Removes the directory once its processes are gone (they leave the list a moment after dying).
    /// Returns the cgroup with what happened.</summary>
    public static LeftoverCgroup Remove(LeftoverCgroup cgroup, DateTime utcNow)
    {
        if (!cgroup.KnownRun)
        {
            var since = FileStatus.Of(cgroup.Path, follow: false) is null
                ? utcNow
                : Directory.GetLastWriteTimeUtc(cgroup.Path);
            if (Members(cgroup.Path).Count > 0 || utcNow - since < TimeSpan.FromMinutes(1))
            {
                return cgroup with { Action = "kept" };
            }
        }

        for (var i = 0; i < 50; i++)
        {
            try
            {
                Directory.Delete(cgroup.Path);
                return cgroup with { Action = "removed" };
            }
            catch (DirectoryNotFoundException)
            {
                return cgroup with { Action = "removed" };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(20);
            }
        }

        return cgroup with
        {
            Action = "kept",
        };
    }

    /// <summary>What a dry run would do with it.</summary>
    public static LeftoverCgroup Planned(LeftoverCgroup cgroup) =>
        cgroup with
        {
            Action = cgroup.KnownRun || cgroup.Members.Count == 0 ? "would_remove" : "kept",
        };
}
