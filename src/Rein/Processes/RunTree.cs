using Rein.Platform;
using Rein.Running;

namespace Rein.Processes;

/// <summary>
/// Finds every process that belongs to one run — the run's own membership, never "every child of this process"
/// (a library host has children of its own, and two runs in one process must not see each other's trees):
/// the command (root); on Linux every descendant of the run's shim, which is a child subreaper, so orphans that
/// called setsid() or double-forked, with or without their environment, stay below it; the root's process group
/// and session (own-session runs); members of the run's cgroups; and processes carrying the run's marker
/// (<c>REIN_RUN_ID</c>, or on the <c>REIN_PARENT_RUN_IDS</c> chain of a nested run) that started after the run. Each identifies a process Rein started (G6).
/// </summary>
public sealed class RunTree
{
    readonly IProcessTable _table;
    readonly int _shimPid;
    readonly bool _ownSession;
    readonly string _marker;
    readonly HashSet<int> _exclude;
    readonly ulong _notBefore;
    readonly IReadOnlyList<string> _cgroups;
    readonly ulong _rootStart;

    /// <param name="table">The OS process table.</param>
    /// <param name="shimPid">The run's shim: its descendants are members; it is not.</param>
    /// <param name="rootPid">The run's command.</param>
    /// <param name="ownSession">True when the root leads its own session and group (pid = pgid = sid).</param>
    /// <param name="marker">The run id carried in REIN_RUN_ID.</param>
    /// <param name="notBefore">Start time (table units) before which no process can carry the marker.</param>
    /// <param name="cgroups">The run's cgroup directories (their cgroup.procs are members).</param>
    /// <param name="rootStart">The command's start time (0: unknown). A process at <paramref name="rootPid"/> with
    /// another start time is a stranger that got the recycled pid (possible once the shim no longer holds the
    /// command's zombie): neither it nor a group or session of that number is the run's.</param>
    public RunTree(
        IProcessTable table,
        int shimPid,
        int rootPid,
        bool ownSession,
        string marker,
        ulong notBefore,
        IReadOnlyList<string>? cgroups = null,
        ulong rootStart = 0
    )
    {
        _table = table;
        _shimPid = shimPid;
        RootPid = rootPid;
        _ownSession = ownSession;
        _marker = marker;
        _exclude = [Environment.ProcessId, shimPid];
        _notBefore = notBefore;
        _cgroups = cgroups ?? [];
        _rootStart = rootStart;
    }

    public int RootPid { get; }

    /// <summary>Members now, zombies included (callers decide what a zombie means to them).</summary>
    /// <param name="scanMarker">Also read the environment of processes started since the run began; costs
    /// one file read per such process, so the sampler skips it and teardown uses it.</param>
    public List<ProcessInfo> Collect(bool scanMarker)
    {
        var all = _table.Snapshot();
        var byPid = new Dictionary<int, ProcessInfo>(all.Count);
        var children = new Dictionary<int, List<int>>();
        foreach (var p in all)
        {
            byPid[p.Pid] = p;
            if (!children.TryGetValue(p.ParentPid, out var list))
            {
                children[p.ParentPid] = list = [];
            }

            list.Add(p.Pid);
        }

        var members = new HashSet<int>();
        var queue = new Queue<int>();

        void Add(int pid)
        {
            if (!_exclude.Contains(pid) && byPid.ContainsKey(pid) && members.Add(pid))
            {
                queue.Enqueue(pid);
            }
        }

        var rootRecycled =
            _rootStart != 0
            && byPid.TryGetValue(RootPid, out var root)
            && root.StartTime != _rootStart;
        if (!rootRecycled)
        {
            Add(RootPid);
        }
        if (_shimPid > 0 && children.TryGetValue(_shimPid, out var adopted))
        {
            foreach (var pid in adopted)
            {
                Add(pid);
            }
        }

        foreach (var dir in _cgroups)
        {
            foreach (var pid in CgroupMembers(dir))
            {
                Add(pid);
            }
        }

        foreach (var p in all)
        {
            if (
                _ownSession
                && RootPid > 0
                && !rootRecycled
                && (p.ProcessGroup == RootPid || p.Session == RootPid)
            )
            {
                Add(p.Pid);
            }
            else if (
                scanMarker
                && p.StartTime >= _notBefore
                && p.Pid > 1
                && !members.Contains(p.Pid)
                && !p.IsZombie
                && CarriesMarker(p.Pid)
            )
            {
                Add(p.Pid);
            }
        }

        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            if (children.TryGetValue(pid, out var kids))
            {
                foreach (var kid in kids)
                {
                    Add(kid);
                }
            }
        }

        return [.. members.Select(pid => byPid[pid])];
    }

    /// <summary>REIN_RUN_ID is the run's id, or the run is on the process's REIN_PARENT_RUN_IDS chain (a nested run).</summary>
    bool CarriesMarker(int pid) =>
        _table.ReadEnvironmentVariable(pid, RunSpec.RunIdVariable) == _marker
        || ChildEnvironment.Names(
            null,
            _table.ReadEnvironmentVariable(pid, ChildEnvironment.ParentRunIdsVariable),
            _marker
        );

    static IEnumerable<int> CgroupMembers(string dir)
    {
        if (ProcFile.ReadText(Path.Combine(dir, "cgroup.procs")) is not { } text)
        {
            yield break;
        }

        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, out var pid))
            {
                yield return pid;
            }
        }
    }
}
