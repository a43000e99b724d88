using System.Text.Json.Serialization;

namespace Rein.Status;

/// <summary><c>rein.status/1</c>: one look at everything Rein is doing on this machine, for dashboards and menu-bar
/// widgets (metal-guard's status.json): runs alive, locks, cadence blocks, the gate, supervisors, the last panic.
/// Every section is present; a section that could not be read is empty and named in <see cref="Problems"/>.</summary>
public sealed record StatusDocument(
    DateTimeOffset At,
    IReadOnlyList<StatusRun> Runs,
    IReadOnlyList<StatusLock> Locks,
    IReadOnlyList<StatusBlock> CadenceBlocks,
    StatusGate Gate,
    IReadOnlyList<StatusSupervisor> Supervisors,
    StatusPanic? LastPanic,
    IReadOnlyList<string> Problems
)
{
    [JsonPropertyOrder(-1)]
    public string Schema { get; init; } = "rein.status/1";
}

/// <summary>A guarded run alive now.</summary>
public sealed record StatusRun(
    string RunId,
    string Command,
    string Cwd,
    int ReinPid,
    int? ChildPid,
    DateTimeOffset StartedAt,
    long AgeMs,
    string? Lock,
    string? Model
);

/// <summary>A named lock: its slots, how many are held, by whom, and how many wait.</summary>
public sealed record StatusLock(
    string Name,
    int Slots,
    int Held,
    IReadOnlyList<StatusHolder> Holders,
    int Waiters
);

public sealed record StatusHolder(
    int Slot,
    string? RunId,
    int? Pid,
    string? Command,
    DateTimeOffset? Since
);

/// <summary>A window in which model loads are refused now (<c>rein cadence status</c>).</summary>
public sealed record StatusBlock(
    string Scope,
    string Rule,
    string After,
    DateTimeOffset Until,
    long RemainingMs
);

/// <summary>The panic gate as a model load would meet it: <c>clear</c>, <c>cooldown</c>, <c>lockout</c>,
/// <c>held</c> (a person's <c>rein gate hold</c>), <c>off</c> or <c>failed</c>.</summary>
public sealed record StatusGate(string State, string? Rule, DateTimeOffset? Until, string? Reason);

/// <summary>A <c>rein supervise</c> alive now.</summary>
public sealed record StatusSupervisor(
    string SupervisionId,
    string Command,
    string State,
    int Restarts,
    int? WorkerPid,
    DateTimeOffset StartedAt
);

/// <summary>The newest panic in the journal's ledger.</summary>
public sealed record StatusPanic(
    DateTimeOffset Time,
    string Kind,
    string SignatureClass,
    string Signature
);
