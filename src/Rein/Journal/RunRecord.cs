namespace Rein.Journal;

/// <summary>The state of a run as the journal knows it.</summary>
public enum RunState
{
    /// <summary>Started, not ended, and its guard is alive.</summary>
    Running,

    /// <summary>The end record was written.</summary>
    Ended,

    /// <summary>Never ended: the guard vanished or the machine went down. Kept and marked, never deleted.</summary>
    Unclean,
}

/// <summary>One run as stored in the journal.</summary>
public sealed record RunRecord
{
    public required string Id { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public required string WorkingDirectory { get; init; }

    public required string User { get; init; }

    public int ReinPid { get; init; }

    public ulong ReinStartTime { get; init; }

    public int? ChildPid { get; init; }

    public ulong? ChildStartTime { get; init; }

    public int? ProcessGroup { get; init; }

    public required string BootId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Outcome { get; init; }

    public int? ExitCode { get; init; }

    public int? Signal { get; init; }

    public int? ReinExitCode { get; init; }

    public long? DurationMs { get; init; }

    public long? PeakRssBytes { get; init; }

    public IReadOnlyList<int> PidsKilled { get; init; } = [];

    public string? UnkillableJson { get; init; }

    public string? LockLabel { get; init; }

    public string? ModelLabel { get; init; }

    public string? UncleanReason { get; init; }

    public long? MemoryLimitBytes { get; init; }

    public string? CapMethod { get; init; }

    /// <summary>Why the run ended as it did, in words: a refusal at admission, a start failure.</summary>
    public string? Note { get; init; }

    public DateTimeOffset? UncleanDetectedAt { get; init; }

    /// <summary>The version of the rein that guarded the run; null for runs recorded before it was kept.</summary>
    public string? ReinVersion { get; init; }

    /// <summary>Why admission refused the run (outcome <c>refused</c>); null for older records, which keep the
    /// reason as a sentence in <see cref="Note"/>.</summary>
    public Running.Gates.Refusal? Refusal { get; init; }

    /// <summary>For an incarnation of a supervised worker: its supervision, attempt and restart reason.</summary>
    public Running.SupervisionLink? Supervision { get; init; }

    /// <summary>The pid namespace its guard ran in (Linux); null when not recorded.</summary>
    public long? PidNamespace { get; init; }

    /// <summary>Why the run failed, as the classifier read it; null for runs that did not fail and older records.</summary>
    public Forensics.Classification.RunFailure? Failure { get; init; }

    /// <summary>The memory growth warning (<c>--warn-before</c>): recorded when it was given, so a live run has it
    /// too; null when none was given and in records before schema v13 of the database.</summary>
    public Documents.GrowthDocument? Growth { get; init; }

    internal static Documents.GrowthDocument? ParseGrowth(string json) =>
        ParseColumn(json, Documents.ReinJsonContext.Compact.GrowthDocument);

    internal static Forensics.Classification.RunFailure? ParseFailure(string json) =>
        ParseColumn(json, Documents.ReinJsonContext.Compact.RunFailure);

    internal static Running.Gates.Refusal? ParseRefusal(string json) =>
        ParseColumn(json, Documents.ReinJsonContext.Compact.Refusal);

    /// <summary>A JSON column's object; null when it cannot be read (a record damaged or from an unknown future
    /// shape shows without it rather than failing every reader).</summary>
    static T? ParseColumn<T>(
        string json,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type
    )
        where T : class
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(json, type);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public RunState State =>
        EndedAt is not null ? RunState.Ended
        : UncleanReason is not null ? RunState.Unclean
        : RunState.Running;

    /// <summary>The command as one shell-style line, control characters escaped (for people, not for exec).</summary>
    public string CommandLine => CommandText.Join(Command);
}
