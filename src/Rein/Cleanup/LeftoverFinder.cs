using Rein.Journal;
using Rein.Platform.Posix;
using Rein.Processes;
using Rein.Running;

namespace Rein.Cleanup;

/// <summary>
/// Finds processes Rein started that outlived their run — by identity, never by pid alone: the journal's record
/// of the run's processes (pid + start time), the <c>REIN_RUN_ID</c> marker, the run's leftover cgroup — plus,
/// when asked, processes working in a directory (--cwd) and the descendants of all of these. Then applies the
/// filters (--match, --older-than) and the never-touch rules (other users, rein's ancestors, this shell's
/// session, protected programs). Reads only; <see cref="LeftoverKiller"/> acts.
/// </summary>
public sealed class LeftoverFinder(IProcessTable table, ProcessDetailsReader details)
{
    /// <summary>What the journal says about this boot: its runs (with their state) and recorded processes.</summary>
    public sealed record JournalView(
        IReadOnlyList<RunRecord> Runs,
        IReadOnlyList<(string RunId, int Pid, ulong Start)> Recorded
    );

    /// <param name="snapshot">The process table as the caller already read it; null: read it now.</param>
    public CleanupPlan Find(
        CleanupRequest request,
        JournalView journal,
        IReadOnlyList<LeftoverCgroup> cgroups,
        IReadOnlyList<ProcessInfo>? snapshot = null
    )
    {
        var all = snapshot ?? table.Snapshot();
        var byPid = all.ToDictionary(p => p.Pid);
        var children = all.ToLookup(p => p.ParentPid);
        var runs = journal.Runs.ToDictionary(r => r.Id);
        bool Ended(string runId) =>
            runs.TryGetValue(runId, out var r) && r.State != RunState.Running;

        var found = new Dictionary<int, (string Rule, string? RunId)>();
        void Select(int pid, string rule, string? runId)
        {
            if (byPid.TryGetValue(pid, out var p) && p.Pid > 1 && !p.IsZombie)
            {
                found.TryAdd(pid, (rule, runId));
            }
        }

        foreach (var (runId, pid, start) in journal.Recorded)
        {
            if (Ended(runId) && byPid.TryGetValue(pid, out var p) && p.StartTime == start)
            {
                Select(pid, CleanupRules.Journal, runId);
            }
        }

        foreach (var cg in cgroups.Where(c => c.KnownRun))
        {
            foreach (var pid in cg.Members)
            {
                Select(pid, CleanupRules.Cgroup, cg.RunId);
            }
        }

        var me = LibC.getuid();
        var cache = new Dictionary<int, ProcessDetails>();
        ProcessDetails Details(ProcessInfo p) =>
            cache.TryGetValue(p.Pid, out var d)
                ? d
                : cache[p.Pid] = details.Read(p.Pid, p.StartTime);

        foreach (var p in all)
        {
            if (p.Pid <= 1 || p.IsZombie || found.ContainsKey(p.Pid))
            {
                continue;
            }

            // Another user's environment cannot be read anyway; the owner check below spares them regardless.
            if (
                table.ReadEnvironmentVariable(p.Pid, RunSpec.RunIdVariable) is
                { Length: > 0 } marker
            )
            {
                if (Ended(marker))
                {
                    Select(p.Pid, CleanupRules.Marker, marker);
                }
                else if (!runs.ContainsKey(marker))
                {
                    Select(p.Pid, CleanupRules.ForeignMarker, marker);
                }

                continue; // a live run's own process is its guard's business
            }

            if (request.Cwd is { } dir && Details(p).Cwd is { } cwd && IsAtOrBelow(cwd, dir))
            {
                Select(p.Pid, CleanupRules.Cwd, null);
            }
        }

        // A process that hops from pid to pid (fork, the parent exits at once) is gone from the pid listed above by
        // the time the scan reads it: chase the markers of ended runs among the newest pids too, reading the
        // details of each find at once (a moment later its pid is another hop's, or nobody's).
        for (var scan = 0; scan < 5; scan++)
        {
            MarkerChase.Scan(
                table,
                Ended,
                (p, runId) =>
                {
                    if (byPid.TryAdd(p.Pid, p))
                    {
                        cache[p.Pid] = details.Read(p.Pid, p.StartTime);
                        Select(p.Pid, CleanupRules.Marker, runId);
                    }
                }
            );
        }

        var self = Environment.ProcessId;
        var ancestors = new HashSet<int>();
        for (
            var pid = self;
            byPid.TryGetValue(pid, out var a) && ancestors.Add(pid);
            pid = a.ParentPid
        ) { }
        var session = byPid.TryGetValue(self, out var mine) ? mine.Session : -1;

        // A run that is alive is its guard's business: its rein, shim and tree are never cleanup's, whatever
        // --cwd finds (a member that cleared its environment has no marker to tell it apart otherwise).
        var guarded = new HashSet<int>();
        var pending = new Stack<int>(
            journal
                .Runs.Where(r => r.State == RunState.Running)
                .Where(r =>
                    byPid.TryGetValue(r.ReinPid, out var g)
                    && (r.ReinStartTime == 0 || g.StartTime == r.ReinStartTime)
                )
                .Select(r => r.ReinPid)
        );
        while (pending.TryPop(out var pid))
        {
            if (guarded.Add(pid))
            {
                foreach (var child in children[pid])
                {
                    pending.Push(child.Pid);
                }
            }
        }

        string? NeverTouch(ProcessInfo p, ProcessDetails d, string rule) =>
            d.Uid is { } uid && uid != me ? $"another user's (uid {uid})"
            : d.Uid is null ? "owner unknown"
            : ancestors.Contains(p.Pid) ? "rein's own ancestor"
            : guarded.Contains(p.Pid) ? "part of a guarded run that is alive"
            : p.Session == session ? "in this shell's session"
            : p.ParentPid == 2 || p.Pid == 2 ? "a kernel thread"
            : request.Protected.Match(d, p.Command) is { } name ? $"protected ({name})"
            : rule == CleanupRules.Cwd && p.Pid == p.Session && IsShell(d) ? "an interactive shell"
            : null;

        HashSet<int>? inScope = null;
        if (request.Cwd is { } scope)
        {
            inScope = [];
            var stack = new Stack<int>(
                all.Where(p => !p.IsZombie && Details(p).Cwd is { } c && IsAtOrBelow(c, scope))
                    .Select(p => p.Pid)
            );
            while (stack.TryPop(out var pid))
            {
                if (inScope.Add(pid))
                {
                    foreach (var child in children[pid])
                    {
                        stack.Push(child.Pid);
                    }
                }
            }
        }

        var leftovers = new List<Leftover>();
        var spared = new List<SparedProcess>();
        var queue = new Queue<int>(found.Keys.Order());
        var visited = new HashSet<int>();
        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            if (!visited.Add(pid) || !byPid.TryGetValue(pid, out var p))
            {
                continue;
            }

            var (rule, runId) = found[pid];
            var d = Details(p);
            if (NeverTouch(p, d, rule) is { } why)
            {
                spared.Add(new SparedProcess(p, d, rule, why)); // and not its descendants through it
                continue;
            }

            foreach (var child in children[pid])
            {
                if (!child.IsZombie && found.TryAdd(child.Pid, (CleanupRules.Descendant, runId)))
                {
                    queue.Enqueue(child.Pid);
                }
            }

            if (request.OlderThan is { } min && d.Age is { } age && age < min)
            {
                continue;
            }

            // --match, --match-regex and --cwd all narrow: a whole-argument token (any of those given), a pattern
            // over the joined command line, and the directory (or a descendant of a process working there).
            if (!Selects(request, d))
            {
                continue;
            }

            if (inScope is not null && !inScope.Contains(pid))
            {
                continue;
            }

            // A marker this journal does not know belongs to another Rein: only an explicit selection kills it.
            var foreign =
                rule == CleanupRules.ForeignMarker
                || (runId is not null && !runs.ContainsKey(runId));
            var selected = request.Narrowed || request.Cwd is not null;
            leftovers.Add(new Leftover(p, d, rule, runId, Kill: !foreign || selected));
        }

        return new CleanupPlan(
            [.. leftovers.OrderBy(l => l.Process.Pid)],
            [.. spared.OrderBy(s => s.Process.Pid)],
            cgroups
        );
    }

    /// <summary>TOKEN is one whole argument, or the executable's base name — never a substring of the command
    /// line (<c>test</c> must not match <c>.test_outputs</c>).</summary>
    public static bool Matches(ProcessDetails d, string token) =>
        d.ExecutableName == token || d.Argv.Any(a => a == token);

    /// <summary>The request's token and pattern filters: any token, and the pattern, both where given.</summary>
    public static bool Selects(CleanupRequest request, ProcessDetails d)
    {
        if (request.Matches.Count > 0 && !request.Matches.Any(token => Matches(d, token)))
        {
            return false;
        }

        return request.MatchRegex is not { } pattern || MatchesPattern(d, pattern);
    }

    /// <summary>The pattern over the arguments joined by single spaces (what <c>ps</c> shows); a pattern that runs
    /// past its time limit selects nothing, so a slow pattern can never widen what is stopped.</summary>
    public static bool MatchesPattern(
        ProcessDetails d,
        System.Text.RegularExpressions.Regex pattern
    )
    {
        var line = d.Argv.Count > 0 ? string.Join(' ', d.Argv) : d.ExecutableName;
        try
        {
            return pattern.IsMatch(line);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return false;
        }
    }

    public static bool IsAtOrBelow(string path, string dir)
    {
        var root = dir.TrimEnd('/');
        return path == root
            || path.StartsWith(root + "/", StringComparison.Ordinal)
            || root.Length == 0;
    }

    static bool IsShell(ProcessDetails d) =>
        d.ExecutableName.TrimStart('-')
            is "bash"
                or "zsh"
                or "fish"
                or "sh"
                or "dash"
                or "ksh"
                or "tcsh"
                or "nu";
}
