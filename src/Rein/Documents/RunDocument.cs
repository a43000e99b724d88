using Rein.Processes;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Documents;

/// <summary><c>rein.run/1</c>: how one guarded run ended (<c>rein run --report FILE</c>). Field by field in
/// docs/schemas.md. Serialised only through <see cref="ReinJsonContext"/>.</summary>
public sealed record RunDocument
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Schema { get; init; } = "rein.run/1";

    public required string RunId { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public required string Outcome { get; init; }

    public int? ExitCode { get; init; }

    public int? Signal { get; init; }

    public int ReinExitCode { get; init; }

    public long DurationMs { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public int ChildPid { get; init; }

    public long PeakRssBytes { get; init; }

    public IReadOnlyList<int> PidsKilled { get; init; } = [];

    public IReadOnlyList<UnkillableDocument> Unkillable { get; init; } = [];

    public CapsDocument? Caps { get; init; }

    /// <summary>Why the command could not start, or why Rein failed.</summary>
    public string? Error { get; init; }

    public Refusal? Refusal { get; init; }

    /// <summary>Why the run failed (class, hint, advice, evidence, rule); null when it did not fail.</summary>
    public Forensics.Classification.RunFailure? Failure { get; init; }

    /// <summary>The memory growth warning (<c>--warn-before</c>), when one was given.</summary>
    public GrowthDocument? Growth { get; init; }

    /// <summary>The containers the run started that were running at its end (<c>--containers</c>): id, name,
    /// image, why it is the run's (<c>label</c>, <c>compose</c>), whether rein stopped it, and any error.</summary>
    public IReadOnlyList<Containers.RunContainer> Containers { get; init; } = [];

    /// <summary>Why containers could not be looked at (<c>--containers on</c> without a daemon); null otherwise.</summary>
    public string? ContainersProblem { get; init; }

    public static RunDocument From(RunVerdict v, IReadOnlyList<string> command) =>
        new()
        {
            RunId = v.RunId,
            Command = command,
            Outcome = v.Outcome.ToWire(),
            ExitCode = v.ExitCode,
            Signal = v.Signal,
            ReinExitCode = v.ReinExitCode,
            DurationMs = (long)v.Duration.TotalMilliseconds,
            StartedAt = v.StartedAt,
            ChildPid = v.ChildPid,
            PeakRssBytes = v.PeakRssBytes,
            PidsKilled = v.PidsKilled,
            Unkillable = [.. v.Unkillable.Select(UnkillableDocument.From)],
            Caps = v.CapMethod is null
                ? null
                : new CapsDocument(v.CapMethod, v.MemoryLimitBytes, v.PeakProcesses),
            Error = v.StartFailure?.Message,
            Refusal = v.Refusal,
            Failure = v.Failure,
            Growth = v.Growth is { } g ? GrowthDocument.From(g, v.StoppedForGrowth) : null,
            Containers = v.Containers,
            ContainersProblem = v.ContainersProblem,
        };
}

/// <summary>A growth warning: when (ms into the run), the rate, the tree's memory then, the limit it headed for
/// (<c>memory</c>: the run's cap; <c>available</c>: the tree plus the machine's available memory), the time left at
/// that rate, and whether the run was stopped for it (<c>--on-growth stop</c>).</summary>
public sealed record GrowthDocument(
    long AtMs,
    long BytesPerSecond,
    long RssBytes,
    string Limit,
    long LimitBytes,
    long SecondsToLimit,
    bool Stopped
)
{
    public static GrowthDocument From(GrowthWarning g, bool stopped) =>
        new(
            (long)g.At.TotalMilliseconds,
            (long)g.BytesPerSecond,
            g.RssBytes,
            g.Limit,
            g.LimitBytes,
            (long)Math.Ceiling(g.TimeToLimit.TotalSeconds),
            stopped
        );

    /// <summary>The warning as the guard gave it (to the second and the byte: as precise as the record).</summary>
    public GrowthWarning ToWarning() =>
        new(
            TimeSpan.FromMilliseconds(AtMs),
            BytesPerSecond,
            RssBytes,
            LimitBytes,
            Limit,
            TimeSpan.FromSeconds(SecondsToLimit)
        );
}

/// <summary>A process the teardown could not kill: pid, state letter (D, U, Z…), command, start time.</summary>
public sealed record UnkillableDocument(int Pid, string State, string Command, ulong? Start)
{
    public static UnkillableDocument From(UnkillableProcess u) =>
        new(u.Pid, u.State.ToString(), u.Command, u.StartTime);

    public UnkillableProcess ToProcess() =>
        new(Pid, State.Length > 0 ? State[0] : '?', Command, Start ?? 0);
}

/// <summary>How caps were enforced: <c>cgroup-v1</c>, <c>cgroup-v2</c> or <c>poll</c>.</summary>
public sealed record CapsDocument(string Method, long? MemoryLimitBytes, int PeakProcesses);

/// <summary><c>rein export otlp --json</c> (schema <c>rein.export.otlp/1</c>).</summary>
public sealed record OtlpExportDocument(
    string Schema,
    string Endpoint,
    int Shipped,
    int Queued,
    string? Error
);
