using System.Text.Json.Serialization;
using Rein.Running;
using Rein.Supervision;

namespace Rein.Documents;

/// <summary><c>rein.supervise/1</c>: how a supervision ended (<c>rein supervise --report</c>). Fields in docs/schemas.md.</summary>
public sealed record SuperviseReportDocument
{
    [JsonPropertyOrder(-1)]
    public string Schema { get; init; } = "rein.supervise/1";

    public required string SupervisionId { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    /// <summary><c>stopped</c>, <c>completed</c>, <c>gave_up</c> or <c>unkillable</c>.</summary>
    public required string Ending { get; init; }

    public required string Reason { get; init; }

    public required int ReinExitCode { get; init; }

    public required int Incarnations { get; init; }

    public required int Restarts { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required long DurationMs { get; init; }

    /// <summary>The last incarnation's verdict, as <c>rein.run/1</c> has it (null when none ran).</summary>
    public RunDocument? LastRun { get; init; }

    public static SuperviseReportDocument From(
        SupervisionResult r,
        string supervisionId,
        IReadOnlyList<string> command
    ) =>
        new()
        {
            SupervisionId = supervisionId,
            Command = command,
            Ending = r.Ending,
            Reason = r.Reason,
            ReinExitCode = r.ExitCode,
            Incarnations = r.Incarnations,
            Restarts = r.Restarts,
            StartedAt = r.StartedAt,
            DurationMs = (long)(r.EndedAt - r.StartedAt).TotalMilliseconds,
            LastRun = r.Last is { } v ? RunDocument.From(v, command) : null,
        };
}

/// <summary>One line of <c>rein supervise --events</c> (JSON lines).</summary>
public sealed record SuperviseEventDocument(
    string Event,
    DateTimeOffset At,
    string SupervisionId,
    int Incarnation,
    string? RunId,
    int? Pid,
    string? Outcome,
    int? ExitCode,
    int? Signal,
    int? ReinExitCode,
    long? DelayMs,
    DateTimeOffset? Until,
    string? Reason,
    int Restarts
)
{
    public static SuperviseEventDocument From(SupervisionEvent e, string supervisionId) =>
        new(
            e.Kind,
            e.At,
            supervisionId,
            e.Incarnation,
            e.RunId,
            e.Pid,
            e.Verdict?.Outcome.ToWire(),
            e.Verdict?.ExitCode,
            e.Verdict?.Signal,
            e.Verdict?.ReinExitCode,
            e.Delay is { } d ? (long)d.TotalMilliseconds : null,
            e.Until,
            e.Reason,
            e.Restarts
        );
}

/// <summary>A supervision's state as <c>rein ps</c> reads it (<c>&lt;state&gt;/supervisions/ID.json</c>, rewritten on
/// every change, removed at the end).</summary>
public sealed record SupervisionStatusDocument(
    string SupervisionId,
    int ReinPid,
    ulong ReinStart,
    IReadOnlyList<string> Command,
    string State,
    int Incarnation,
    int Restarts,
    string? RunId,
    int? WorkerPid,
    DateTimeOffset StartedAt,
    DateTimeOffset? UpSince,
    DateTimeOffset? BackoffUntil,
    DateTimeOffset UpdatedAt
);
