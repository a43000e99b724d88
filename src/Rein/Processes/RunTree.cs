using Rein.Platform;

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
    readonly bool _shimAdopts;

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
    /// <param name="shimAdopts">The shim is a child subreaper: every process of the run, the command's group and
    /// session included, descends from it, so a sample can walk down from the shim instead of reading every
    /// process on the machine.</param>
    public RunTree(
        IProcessTable table,
        int shimPid,
        int rootPid,
        bool ownSession,
        string marker,
        ulong notBefore,
        IReadOnlyList<string>? cgroups = null,
        ulong rootStart = 0,
        bool shimAdopts = false
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
        _shimAdopts = shimAdopts;
    }

    public int RootPid { get; }

    /// <summary>Members now, zombies included (callers decide what a zombie means to them).</summary>
    /// <param name="scanMarker">Also read the environment of processes started since the run began; costs
    /// one file read per such process, so the sampler skips it and teardown uses it.</param>
    public List<ProcessInfo> Collect(bool scanMarker)
    {
        if (!scanMarker && Walk() is { } owned)
        {
            return owned;
        }

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

    /// <summary>
    /// The run's members read from what the run owns, O(members) (G9): the command, the shim's children and their
    /// descendants through the kernel's parent links (/proc/PID/task/*/children on Linux), the run's cgroups, and
    /// the command's process group through the kernel's index where the OS has one (macOS). Only those processes'
    /// entries are read. Null when that cannot be complete: no children lists, or neither a subreaper shim (Linux:
    /// then an orphan that left the group is below init) nor a group index; the caller then reads every process.
    /// </summary>
    List<ProcessInfo>? Walk() => WalkMembers() is { } members ? [.. members] : null;

    /// <summary>Whether any member is alive (not a zombie), read from what the run owns: stops at the first live one,
    /// so at the end of a grace that 200 members outlived it costs one or two reads, not a walk of all of them.</summary>
    public bool AnyAlive() => (WalkMembers() ?? Collect(scanMarker: false)).Any(p => !p.IsZombie);

    /// <summary>The members as the walk finds them (lazily), or null when the run owns nothing to walk from.</summary>
    IEnumerable<ProcessInfo>? WalkMembers()
    {
        if (_shimPid <= 0 || _table.Children(_shimPid) is not { } top)
        {
            return null;
        }

        var root = RootPid > 0 ? _table.Read(RootPid) : null;
        var rootRecycled = _rootStart != 0 && root is not null && root.StartTime != _rootStart;
        IReadOnlyList<int>? group = null;
        if (_ownSession && RootPid > 0 && !rootRecycled)
        {
            group = _table.GroupMembers(RootPid);
        }

        return group is null && !_shimAdopts
            ? null
            : Members(top, rootRecycled ? null : root, group);
    }

    IEnumerable<ProcessInfo> Members(
        IReadOnlyList<int> top,
        ProcessInfo? root,
        IReadOnlyList<int>? group
    )
    {
        var members = new HashSet<int>();
        var queue = new Queue<int>();

        // A pid read from a list is taken only if the process now at that pid still fits the list (the parent it
        // was listed under, or a start after the run began): a pid recycled in between is a stranger.
        ProcessInfo? Add(int pid, int parent)
        {
            if (
                pid <= 1
                || _exclude.Contains(pid)
                || members.Contains(pid)
                || _table.Read(pid) is not { } p
                || (parent > 0 && p.ParentPid != parent && p.ParentPid != _shimPid)
                || (parent <= 0 && p.StartTime < _notBefore)
            )
            {
                return null;
            }

            members.Add(pid);
            if (!p.IsZombie)
            {
                queue.Enqueue(pid);
            }

            return p;
        }

        if (root is not null && !_exclude.Contains(RootPid))
        {
            members.Add(RootPid);
            if (!root.IsZombie)
            {
                queue.Enqueue(RootPid);
            }

            yield return root;
        }

        foreach (var pid in top)
        {
            if (Add(pid, _shimPid) is { } p)
            {
                yield return p;
            }
        }

        foreach (var dir in _cgroups)
        {
            foreach (var pid in CgroupMembers(dir))
            {
                if (Add(pid, 0) is { } p)
                {
                    yield return p;
                }
            }
        }

        foreach (var pid in group ?? [])
        {
            if (Add(pid, 0) is { } p)
            {
                yield return p;
            }
        }

        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            foreach (var kid in _table.Children(pid) ?? [])
            {
                if (Add(kid, pid) is { } p)
                {
                    yield return p;
                }
            }
        }
    }

    /// <summary>REIN_RUN_ID is the run's id, or the run is on the process's REIN_PARENT_RUN_IDS chain (a nested run).</summary>
    bool CarriesMarker(int pid) =>
        _table.ReadEnvironmentVariable(pid, RunMarker.RunIdVariable) == _marker
        || RunMarker.Names(
            null,
            _table.ReadEnvironmentVariable(pid, RunMarker.ParentRunIdsVariable),
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
