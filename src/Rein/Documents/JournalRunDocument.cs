using Rein.Journal;
using Rein.Running.Gates;

namespace Rein.Documents;

/// <summary>One run as the journal knows it: an entry of <c>rein.journal/1</c> (and, with live fields, of
/// <c>rein.ps/1</c>). Field by field in docs/schemas.md.</summary>
public record JournalRunDocument
{
    public string RunId { get; init; } = "";

    /// <summary><c>running</c>, <c>ended</c> or <c>unclean</c>.</summary>
    public string State { get; init; } = "";

    public IReadOnlyList<string> Command { get; init; } = [];

    public string Cwd { get; init; } = "";

    public string User { get; init; } = "";

    public int ReinPid { get; init; }

    public int? ChildPid { get; init; }

    public string BootId { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Outcome { get; init; }

    public int? ExitCode { get; init; }

    public int? Signal { get; init; }

    public int? ReinExitCode { get; init; }

    public long? DurationMs { get; init; }

    public long? PeakRssBytes { get; init; }

    public IReadOnlyList<int> PidsKilled { get; init; } = [];

    public IReadOnlyList<UnkillableDocument> Unkillable { get; init; } = [];

    public string? Lock { get; init; }

    public string? Model { get; init; }

    public string? UncleanReason { get; init; }

    public long? MemoryLimitBytes { get; init; }

    public string? CapMethod { get; init; }

    /// <summary>Why it ended as it did, in words (a start failure; refusals of older versions).</summary>
    public string? Note { get; init; }

    public Refusal? Refusal { get; init; }

    /// <summary>Why the run failed, as the classifier read it (class, hint, advice, evidence, rule).</summary>
    public Forensics.Classification.RunFailure? Failure { get; init; }

    /// <summary>The memory growth warning (<c>--warn-before</c>), from the moment it was given; null otherwise.</summary>
    public GrowthDocument? Growth { get; init; }

    /// <summary>The version of the rein that guarded the run (<c>rein --version</c>); null for older records.</summary>
    public string? ReinVersion { get; init; }

    /// <summary><c>rein journal show</c> only: how many breadcrumbs (rein mark, InferenceGuard) the run has.</summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    )]
    public int? BreadcrumbCount { get; init; }

    /// <summary><c>rein journal show</c> only: every breadcrumb of the run, oldest first.</summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    )]
    public IReadOnlyList<BreadcrumbDocument>? Breadcrumbs { get; init; }

    /// <summary>For an incarnation of a supervised worker (<c>rein supervise</c>): its supervision, attempt and why
    /// it was restarted; null otherwise.</summary>
    public SupervisionLinkDocument? Supervision { get; init; }

    public static JournalRunDocument From(RunRecord r) =>
        new()
        {
            RunId = r.Id,
            State = r.State.ToString().ToLowerInvariant(),
            Command = r.Command,
            Cwd = r.WorkingDirectory,
            User = r.User,
            ReinPid = r.ReinPid,
            ChildPid = r.ChildPid,
            BootId = r.BootId,
            StartedAt = r.StartedAt,
            EndedAt = r.EndedAt,
            Outcome = r.Outcome,
            ExitCode = r.ExitCode,
            Signal = r.Signal,
            ReinExitCode = r.ReinExitCode,
            DurationMs = r.DurationMs,
            PeakRssBytes = r.PeakRssBytes,
            PidsKilled = r.PidsKilled,
            Unkillable = r.UnkillableJson is { } json
                ? System.Text.Json.JsonSerializer.Deserialize(
                    json,
                    ReinJsonContext.Default.UnkillableDocumentArray
                ) ?? []
                : [],
            Lock = r.LockLabel,
            Model = r.ModelLabel,
            UncleanReason = r.UncleanReason,
            MemoryLimitBytes = r.MemoryLimitBytes,
            CapMethod = r.CapMethod,
            Note = r.Note,
            Refusal = r.Refusal,
            Failure = r.Failure,
            Growth = r.Growth,
            ReinVersion = r.ReinVersion,
            Supervision = r.Supervision is { } s
                ? new SupervisionLinkDocument(s.SupervisionId, s.Attempt, s.RestartReason)
                : null,
        };
}

/// <summary>The <c>supervision</c> field of a journal run.</summary>
public sealed record SupervisionLinkDocument(
    string SupervisionId,
    int Attempt,
    string? RestartReason
);

/// <summary>A live run in <c>rein.ps/1</c>: the journal's fields and what the process table says now.</summary>
public sealed record PsRunDocument : JournalRunDocument
{
    public PsRunDocument(JournalRunDocument run)
        : base(run) { }

    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public long AgeMs { get; init; }

    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public long TreeRssBytes { get; init; }

    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public int TreeProcesses { get; init; }

    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public IReadOnlyList<int> StuckPids { get; init; } = [];

    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public bool Stuck => StuckPids.Count > 0;

    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public IReadOnlyList<int> StoppedPids { get; init; } = [];

    /// <summary>Its guard runs in another pid namespace (a container sharing the state directory): its pids are
    /// that namespace's, and its tree is not measured from here.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public bool OtherPidNamespace { get; init; }

    /// <summary>With a growth warning: the seconds left before its limit at the recorded rate, from the tree's
    /// memory now (<see cref="TreeRssBytes"/>); null without a warning, or when the tree is not measured here.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public long? SecondsToLimitNow { get; init; }
}

/// <summary><c>rein.journal/1</c>.</summary>
public sealed record JournalDocument(BootDocument? Boot, IReadOnlyList<JournalRunDocument> Runs)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Schema { get; init; } = "rein.journal/1";
}

/// <summary>The boot a journal listing is about (<c>--boot</c>).</summary>
public sealed record BootDocument(string BootId, DateTimeOffset? LastActivity);

/// <summary><c>rein.ps/1</c>.</summary>
public sealed record PsDocument(IReadOnlyList<PsRunDocument> Runs)
{
    /// <summary>Supervisions alive now (<c>rein supervise</c>), with their state.</summary>
    public IReadOnlyList<SupervisionStatusDocument> Supervisions { get; init; } = [];

    /// <summary>Inferences in flight past inference.hang_after, and deaths mid-inference of the last day
    /// (PRE breadcrumbs without a POST).</summary>
    public IReadOnlyList<InferenceDocument> Inferences { get; init; } = [];

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Schema { get; init; } = "rein.ps/1";
}

/// <summary>The <c>rein.journal.prune/1</c> document (<c>rein journal prune --json</c>, one line): how many finished
/// runs the prune deleted and how many the journal holds now.</summary>
public sealed record JournalPruneDocument(string Schema, int Deleted, long Remaining)
{
    public const string SchemaName = "rein.journal.prune/1";
}
