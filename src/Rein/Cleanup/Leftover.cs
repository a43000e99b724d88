using Rein.Processes;

namespace Rein.Cleanup;

/// <summary>Why cleanup selected a process (the <c>rule</c> of <c>rein.cleanup/1</c>).</summary>
public static class CleanupRules
{
    /// <summary>Its pid and start time are in the journal's record of a run that ended or whose guard is gone.</summary>
    public const string Journal = "journal";

    /// <summary>It carries <c>REIN_RUN_ID</c> of such a run.</summary>
    public const string Marker = "marker";

    /// <summary>It is in the leftover cgroup of such a run.</summary>
    public const string Cgroup = "cgroup";

    /// <summary>It carries a <c>REIN_RUN_ID</c> this journal does not know (another state directory or user's Rein).</summary>
    public const string ForeignMarker = "foreign-marker";

    /// <summary>Its working directory is the --cwd directory or below.</summary>
    public const string Cwd = "cwd";

    /// <summary>A descendant of a process selected by another rule.</summary>
    public const string Descendant = "descendant";
}

/// <summary>A process cleanup found: which rule selected it and for which run, and whether it may be signalled
/// (<see cref="Kill"/>) or is only reported (a foreign marker that --cwd/--match did not select).</summary>
public sealed record Leftover(
    ProcessInfo Process,
    ProcessDetails Details,
    string Rule,
    string? RunId,
    bool Kill
);

/// <summary>A process a rule selected that cleanup will not touch, and why (another user's, an ancestor of
/// rein, this shell's session, a protected program).</summary>
public sealed record SparedProcess(
    ProcessInfo Process,
    ProcessDetails Details,
    string Rule,
    string Why
);

/// <summary>A <c>rein-*</c> cgroup directory left by a run that is not alive (or by an unknown one).</summary>
public sealed record LeftoverCgroup(
    string Path,
    string RunId,
    bool KnownRun,
    IReadOnlyList<int> Members
)
{
    /// <summary>What happened to it: <c>would_remove</c>, <c>removed</c>, <c>kept</c> (not empty, or unknown
    /// and recent).</summary>
    public string Action { get; init; } = "would_remove";
}

/// <summary>What a cleanup found: processes to stop, processes only reported, processes spared, cgroups.</summary>
public sealed record CleanupPlan(
    IReadOnlyList<Leftover> Leftovers,
    IReadOnlyList<SparedProcess> Spared,
    IReadOnlyList<LeftoverCgroup> Cgroups
)
{
    public IEnumerable<Leftover> ToKill => Leftovers.Where(l => l.Kill);
}

/// <summary>What <c>--yes</c> did: processes signalled, survivors, and those of them that cannot be killed (D/U).</summary>
public sealed record CleanupResult(
    IReadOnlyList<int> Killed,
    IReadOnlyList<ProcessInfo> Survivors,
    IReadOnlyList<ProcessInfo> Unkillable,
    IReadOnlyList<LeftoverCgroup> Cgroups
);

/// <summary>The user's selection: extra scope (--cwd), filters (--match, --match-regex, --older-than) and the
/// protected list.</summary>
public sealed record CleanupRequest
{
    /// <summary>Also select processes whose working directory is this directory or below (and their descendants).</summary>
    public string? Cwd { get; init; }

    /// <summary>Keep only processes with one of these tokens as a whole argument or as the executable's base
    /// name (any of them; empty: no token filter).</summary>
    public IReadOnlyList<string> Matches { get; init; } = [];

    /// <summary>Keep only processes whose command line (arguments joined by single spaces) this pattern finds —
    /// for a token inside an argument, such as a module named in <c>python -c</c> code.</summary>
    public System.Text.RegularExpressions.Regex? MatchRegex { get; init; }

    /// <summary>A token or a pattern selects: an explicit choice that may stop a foreign marker's process and
    /// may narrow a wide <c>--cwd</c>.</summary>
    public bool Narrowed => Matches.Count > 0 || MatchRegex is not null;

    /// <summary>Keep only processes older than this.</summary>
    public TimeSpan? OlderThan { get; init; }

    public ProtectedProcesses Protected { get; init; } = new([]);
}
