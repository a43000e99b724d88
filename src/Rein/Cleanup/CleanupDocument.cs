using System.Text.Json.Serialization;

namespace Rein.Cleanup;

/// <summary><c>rein.cleanup/1</c>: what cleanup found and did (every field in docs/schemas.md).</summary>
public sealed record CleanupDocument(
    bool DryRun,
    IReadOnlyList<CleanupProcessDocument> Processes,
    IReadOnlyList<CleanupSparedDocument> Spared,
    IReadOnlyList<CleanupCgroupDocument> Cgroups
)
{
    [JsonPropertyOrder(-1)]
    public string Schema => "rein.cleanup/1";

    /// <summary>Build the document from a plan and, after --yes, its result.</summary>
    public static CleanupDocument From(CleanupPlan plan, CleanupResult? result)
    {
        var survivors = result?.Survivors.ToDictionary(s => s.Pid) ?? [];
        var unkillable = result?.Unkillable.Select(u => u.Pid).ToHashSet() ?? [];
        return new CleanupDocument(
            result is null,
            [
                .. plan.Leftovers.Select(l => new CleanupProcessDocument(
                    l.Process.Pid,
                    l.Process.StartTime,
                    l.Rule,
                    l.RunId,
                    !l.Kill ? "reported"
                        : result is null ? "would_kill"
                        : unkillable.Contains(l.Process.Pid) ? "unkillable"
                        : survivors.ContainsKey(l.Process.Pid) ? "survived"
                        : "killed",
                    l.Details.Argv.Count > 0 ? l.Details.Argv : [l.Process.Command],
                    l.Details.Cwd,
                    l.Details.Age is { } age ? (long)age.TotalMilliseconds : null,
                    (
                        survivors.TryGetValue(l.Process.Pid, out var s) ? s.State : l.Process.State
                    ).ToString()
                )),
            ],
            [
                .. plan.Spared.Select(s => new CleanupSparedDocument(
                    s.Process.Pid,
                    s.Rule,
                    s.Why,
                    s.Details.Argv.Count > 0 ? s.Details.Argv : [s.Process.Command]
                )),
            ],
            [
                .. (result?.Cgroups ?? plan.Cgroups).Select(c => new CleanupCgroupDocument(
                    c.Path,
                    c.RunId,
                    c.KnownRun,
                    c.Members.Count,
                    c.Action
                )),
            ]
        );
    }
}

public sealed record CleanupProcessDocument(
    int Pid,
    ulong StartTime,
    string Rule,
    string? RunId,
    string Action,
    IReadOnlyList<string> Command,
    string? Cwd,
    long? AgeMs,
    string State
);

public sealed record CleanupSparedDocument(
    int Pid,
    string Rule,
    string Why,
    IReadOnlyList<string> Command
);

public sealed record CleanupCgroupDocument(
    string Path,
    string RunId,
    bool KnownRun,
    int Processes,
    string Action
);
