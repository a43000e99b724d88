using Rein.Running;

namespace Rein.Processes;

/// <summary>
/// Finds every process that belongs to one run. A process belongs when it is the run's root, shares the
/// root's process group or session (own-session runs), descends from a member, was adopted by Rein
/// (Linux subreaper: orphans of the tree re-parent to us), or carries the run's marker
/// (<c>REIN_RUN_ID</c>) in its environment. Each of these identifies processes Rein started, never
/// a bare pid that might have been reused (G6).
/// </summary>
public sealed class RunTree
{
    readonly IProcessTable _table;
    readonly int _reinPid;
    readonly bool _ownSession;
    readonly string _marker;
    readonly HashSet<int> _exclude;
    readonly ulong _notBefore;

    /// <param name="table">The OS process table.</param>
    /// <param name="reinPid">Our own pid: our children (bar <paramref name="exclude"/>) are members.</param>
    /// <param name="rootPid">The run's command.</param>
    /// <param name="ownSession">True when the root leads its own session and group (pid = pgid = sid).</param>
    /// <param name="marker">The run id carried in REIN_RUN_ID.</param>
    /// <param name="exclude">Our own helpers (the keeper), never members.</param>
    /// <param name="notBefore">Start time (table units) before which no process can carry the marker.</param>
    public RunTree(
        IProcessTable table,
        int reinPid,
        int rootPid,
        bool ownSession,
        string marker,
        IEnumerable<int> exclude,
        ulong notBefore
    )
    {
        _table = table;
        _reinPid = reinPid;
        RootPid = rootPid;
        _ownSession = ownSession;
        _marker = marker;
        _exclude = [.. exclude, reinPid];
        _notBefore = notBefore;
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

        Add(RootPid);
        if (children.TryGetValue(_reinPid, out var adopted))
        {
            foreach (var pid in adopted)
            {
                Add(pid);
            }
        }

        foreach (var p in all)
        {
            if (_ownSession && RootPid > 0 && (p.ProcessGroup == RootPid || p.Session == RootPid))
            {
                Add(p.Pid);
            }
            else if (
                scanMarker
                && p.StartTime >= _notBefore
                && p.Pid > 1
                && !members.Contains(p.Pid)
                && !p.IsZombie
            )
            {
                if (_table.ReadEnvironmentVariable(p.Pid, RunSpec.RunIdVariable) == _marker)
                {
                    Add(p.Pid);
                }
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
}
