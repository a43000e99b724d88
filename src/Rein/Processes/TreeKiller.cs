using System.Diagnostics;
using Rein.Platform.Posix;

namespace Rein.Processes;

/// <summary>
/// Ends a run's whole tree: the polite signal (TERM or the user's) → grace → SIGKILL → verify, bounded (G1, G5).
/// Every signal goes to a member by identity (<see cref="ProcessSignaller"/>); the process group is signalled as a
/// whole only while its leader, the command, is held unreaped by the shim, so the group id cannot be recycled.
/// The SIGKILL phase is the shim's when there is one: it kills down from itself, the tree's subreaper, until two
/// passes find nothing (a snapshot of pids loses to a process that forks and exits faster than it is read); Rein
/// then kills what only it can see (marker carriers outside the shim's tree) and verifies.
/// </summary>
public sealed class TreeKiller
{
    readonly IProcessTable _table;
    readonly RunTree? _tree;
    readonly int _pgid;
    readonly TimeSpan _grace;
    readonly TimeSpan _killWait;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly HashSet<int> _killed = [];
    readonly Func<TimeSpan, (IReadOnlyList<int> Victims, int Left)?>? _shimKill;

    /// <param name="table">The process table.</param>
    /// <param name="tree">The run's membership; null when the table cannot be trusted (another pid namespace's
    /// /proc): then only the process group is signalled and nothing can be verified.</param>
    /// <param name="pgid">The command's process group, or 0 when it has none of its own (--foreground).</param>
    /// <param name="grace">Between the polite signal and SIGKILL.</param>
    /// <param name="killWait">After SIGKILL, how long before survivors are declared unkillable.</param>
    /// <param name="shimKill">The shim's kill (<see cref="Shim.ShimProcess.RequestKill"/>), given at most the time
    /// passed: the pids it killed and the members still alive at its end; null when the shim is gone.</param>
    public TreeKiller(
        IProcessTable table,
        RunTree? tree,
        int pgid,
        TimeSpan grace,
        TimeSpan killWait,
        Func<TimeSpan, (IReadOnlyList<int> Victims, int Left)?>? shimKill = null
    )
    {
        _shimKill = shimKill;
        _table = table;
        _tree = tree;
        _pgid = pgid;
        _grace = grace;
        _killWait = killWait;
    }

    /// <summary>Without a usable membership (<c>tree</c> null): whether the command has ended, so the grace need not
    /// run out (under <c>unshare --pid</c> a timed-out run would otherwise always take the whole grace).</summary>
    public Func<bool>? RootGone { get; init; }

    /// <summary>True when the polite signal was not enough and SIGKILL had to be sent (coreutils' timeout then exits 137).</summary>
    public bool Escalated { get; private set; }

    /// <summary>Processes that were signalled.</summary>
    public IReadOnlyCollection<int> Killed => _killed;

    /// <summary>Survivors of SIGKILL after the kill wait (G5), with their identities.</summary>
    public IReadOnlyList<UnkillableProcess> Unkillable { get; private set; } = [];

    /// <summary>Live members (zombies left out: they are dead, and the shim reaps them).</summary>
    public List<ProcessInfo> Alive(bool scanMarker) =>
        _tree is null ? [] : [.. _tree.Collect(scanMarker).Where(p => !p.IsZombie)];

    /// <param name="politeSignal">TERM, or the signal the user sent.</param>
    /// <param name="wait">Lets up to the given time pass (relaying output, reading events); returns true when the
    /// rest of the grace must be skipped (a second Ctrl-C).</param>
    public void Run(int politeSignal, Func<TimeSpan, bool> wait)
    {
        if (_tree is null)
        {
            GroupOnly(politeSignal, wait);
            return;
        }

        var alive = Alive(scanMarker: true);
        if (alive.Count == 0 && _shimKill is null)
        {
            return;
        }

        if (alive.Count > 0)
        {
            var polite = OutsideNestedGuards(alive);
            Signal(polite, politeSignal);
            Signal(polite, LibC.SIGCONT); // a stopped process cannot act on TERM until it runs again

            var graceEnd = _clock.Elapsed + _grace;
            while (_clock.Elapsed < graceEnd)
            {
                if (wait(Min(graceEnd - _clock.Elapsed, TimeSpan.FromMilliseconds(50))))
                {
                    break;
                }

                // Grace over: one read of the members below decides the escalation; a second here would only
                // delay the SIGKILL.
                if (_clock.Elapsed >= graceEnd)
                {
                    break;
                }

                if (!_tree.AnyAlive() && (alive = Alive(scanMarker: true)).Count == 0)
                {
                    break;
                }
            }
        }

        var killEnd = _clock.Elapsed + _killWait;
        // Members alive once the grace is over are about to get SIGKILL: that is the escalation, whoever's signal
        // lands first. The shim's victims alone cannot say it: its group kill (and cgroup.kill) is not counted per
        // process, and a member it ended that way may already be a zombie when its walk reads it.
        var outlivedGrace = _shimKill is not null && alive.Count > 0 && _tree.AnyAlive();
        // Even when the tree looked empty: what Rein reads is a moment's view, and a process that hops from pid
        // to pid is missing from most of them. The shim's kill ends only after two passes found nothing.
        if (_shimKill?.Invoke(_killWait) is { } shim)
        {
            foreach (var pid in shim.Victims)
            {
                _killed.Add(pid);
            }

            Escalated |= shim.Victims.Count > 0 || outlivedGrace;
        }

        while (true)
        {
            alive = Alive(scanMarker: true);
            if (alive.Count == 0)
            {
                return;
            }

            if (_clock.Elapsed >= killEnd)
            {
                Unkillable =
                [
                    .. alive.Select(p => new UnkillableProcess(
                        p.Pid,
                        p.State,
                        _table.CommandLine(p.Pid),
                        p.StartTime
                    )),
                ];
                return;
            }

            Escalated = true;
            Signal(alive, LibC.SIGKILL);
            wait(TimeSpan.FromMilliseconds(20));
        }
    }

    void GroupOnly(int politeSignal, Func<TimeSpan, bool> wait)
    {
        if (_pgid <= 1)
        {
            return;
        }

        LibC.kill(-_pgid, politeSignal);
        LibC.kill(-_pgid, LibC.SIGCONT);
        var graceEnd = _clock.Elapsed + _grace;
        while (_clock.Elapsed < graceEnd && !wait(TimeSpan.FromMilliseconds(50)))
        {
            if (RootGone?.Invoke() == true)
            {
                // The command ended on the polite signal: the rest of its group (its zombie is held, so the id is
                // still its own) gets SIGKILL without that counting as an escalation, as timeout(1) ends there.
                LibC.kill(-_pgid, LibC.SIGKILL);
                return;
            }
        }

        Escalated = LibC.kill(-_pgid, LibC.SIGKILL) == 0;
    }

    void Signal(List<ProcessInfo> processes, int sig)
    {
        if (_pgid > 1)
        {
            LibC.kill(-_pgid, sig);
        }

        foreach (var p in processes)
        {
            if (ProcessSignaller.Send(_table, p, sig) && sig != LibC.SIGCONT)
            {
                _killed.Add(p.Pid);
            }
        }
    }

    /// <summary>The members the polite signal goes to: not those under a nested guard's shim (a rein run inside
    /// this one). That rein gets the signal itself and stops its own tree with its own signal and grace, as nested
    /// coreutils timeouts do; SIGKILL after the grace still reaches every member. A process only posing as a shim
    /// is spared the polite signal, never the kill.</summary>
    List<ProcessInfo> OutsideNestedGuards(List<ProcessInfo> alive)
    {
        var shims = alive
            .Where(p =>
                _table.CommandLine(p.Pid).Contains(" __shim --ctl ", StringComparison.Ordinal)
            )
            .Select(p => p.Pid)
            .ToHashSet();
        if (shims.Count == 0)
        {
            return alive;
        }

        var byPid = alive.ToDictionary(p => p.Pid);
        bool Nested(ProcessInfo p)
        {
            // Up the parent chain within the members (bounded: a pid table read in pieces can hold a cycle).
            for (var (q, hops) = (p, 0); q is not null && hops < 4096; hops++)
            {
                if (shims.Contains(q.Pid))
                {
                    return true;
                }

                q = byPid.GetValueOrDefault(q.ParentPid);
            }

            return false;
        }

        return [.. alive.Where(p => !Nested(p))];
    }

    static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
