using System.Text.Json.Serialization;
using Rein.Forensics.Panics;
using Rein.Models;
using Rein.Running.Gates;

namespace Rein.Documents;

/// <summary>One kernel panic as <c>rein.panics/1</c>, <c>rein.gate/1</c> and <c>rein.ack/1</c> list it. Only
/// <c>rein panics</c> knows the runs alive at the time: the two lists are left out of the other documents.</summary>
public sealed record PanicDocument(
    long Id,
    string Source,
    DateTimeOffset Time,
    string Kind,
    string SignatureClass,
    string Signature,
    string? File,
    string? BootId
)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PanicRunDocument>? RunsAlive { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ModelsAlive { get; init; }

    public static PanicDocument From(PanicRecord p) =>
        new(p.Id, p.Source, p.Time, p.Kind, p.SignatureClass, p.Signature, p.File, p.BootId);

    public static PanicDocument From(LedgerPanic p) =>
        From(p.Panic) with
        {
            RunsAlive =
            [
                .. p.RunsAlive.Select(r => new PanicRunDocument(
                    r.Id,
                    r.ModelLabel,
                    r.CommandLine,
                    r.StartedAt
                )),
            ],
            ModelsAlive = p.ModelsAlive,
        };
}

/// <summary>A guarded run alive when a panic happened.</summary>
public sealed record PanicRunDocument(
    string RunId,
    string? Model,
    string Command,
    DateTimeOffset StartedAt
);

/// <summary>The <c>rein.panics/1</c> document (<c>rein panics --json</c>).</summary>
public sealed record PanicsDocument(
    string Schema,
    DateTimeOffset Since,
    IReadOnlyList<PanicDocument> Panics,
    IReadOnlyList<string> Problems
)
{
    public const string SchemaName = "rein.panics/1";

    public static PanicsDocument From(
        IReadOnlyList<LedgerPanic> panics,
        DateTimeOffset since,
        IReadOnlyList<string> problems
    ) => new(SchemaName, since, [.. panics.Select(PanicDocument.From)], problems);
}

/// <summary>The <c>rein.ack/1</c> document (<c>rein ack --json</c>): whether an acknowledgement was recorded, what
/// it lifts, and the gate's state after it.</summary>
public sealed record AckDocument(
    string Schema,
    bool Recorded,
    DateTimeOffset? At,
    DateTimeOffset? ValidUntil,
    string? LockoutRule,
    DateTimeOffset? LockoutLiftsAt,
    IReadOnlyList<PanicDocument> Panics,
    string StateAfter,
    string Message
)
{
    public const string SchemaName = "rein.ack/1";

    public static AckDocument From(
        bool recorded,
        DateTimeOffset now,
        TimeSpan ackValid,
        PanicGateVerdict before,
        PanicGateVerdict after,
        string message
    ) =>
        new(
            SchemaName,
            recorded,
            recorded ? now : null,
            recorded ? now + ackValid : null,
            recorded ? before.Rule : null,
            recorded ? before.Until : null,
            recorded ? [.. before.Panics.Select(PanicDocument.From)] : [],
            after.State.ToString().ToLowerInvariant(),
            message
        );
}

/// <summary>The <c>rein.gate/1</c> document (<c>rein gate --json</c>, and <c>rein gate hold --json</c>): may a
/// model load now, and if not, which rule, until when, the panics behind it, the acknowledgement lifting a lockout,
/// and a person's hold.</summary>
public sealed record GateDocument(
    string Schema,
    string State,
    bool Clear,
    string? Code,
    string? Rule,
    DateTimeOffset? Until,
    long RemainingS,
    IReadOnlyList<PanicDocument> Panics,
    GateAckDocument? Ack,
    GateHoldDocument? Hold,
    IReadOnlyList<string> Problems,
    string Message
)
{
    public const string SchemaName = "rein.gate/1";

    static long Remaining(DateTimeOffset? until, DateTimeOffset now) =>
        until is { } u && u > now ? (long)Math.Ceiling((u - now).TotalSeconds) : 0;

    /// <summary>The panic gate's verdict (null: the gate is off, reported clear).</summary>
    public static GateDocument FromVerdict(
        string state,
        PanicGateVerdict? v,
        IReadOnlyList<string> problems,
        DateTimeOffset now,
        string message
    )
    {
        var blocked = v is not null && v.State != PanicGateState.Clear;
        return new(
            SchemaName,
            state,
            !blocked,
            !blocked ? null
                : v!.State == PanicGateState.Lockout ? RefusalCodes.PanicLockout
                : RefusalCodes.PanicCooldown,
            v?.Rule,
            v?.Until,
            Remaining(v?.Until, now),
            [.. (v?.Panics ?? []).Select(PanicDocument.From)],
            v?.Ack is { } ack
                ? new GateAckDocument(
                    ack.At,
                    ack.User,
                    v.AckValidUntil,
                    v.AckedLockout?.Rule,
                    v.AckedLockout?.LiftsAt
                )
                : null,
            null,
            problems,
            message
        );
    }

    /// <summary>A person's hold in force: blocked with the hold's words.</summary>
    public static GateDocument FromHold(LoadHold hold, DateTimeOffset now, string message) =>
        new(
            SchemaName,
            "held",
            false,
            RefusalCodes.LoadHold,
            "hold",
            hold.Until,
            Remaining(hold.Until, now),
            [],
            null,
            new GateHoldDocument(hold.SetAt, hold.Until, hold.Reason, hold.User),
            [],
            message
        );
}

/// <summary>The acknowledgement lifting a lockout now.</summary>
public sealed record GateAckDocument(
    DateTimeOffset At,
    string User,
    DateTimeOffset? ValidUntil,
    string? LockoutRule,
    DateTimeOffset? LockoutLiftsAt
);

/// <summary>A person's hold on every model load (<c>rein gate hold</c>).</summary>
public sealed record GateHoldDocument(
    DateTimeOffset SetAt,
    DateTimeOffset Until,
    string Reason,
    string User
);

/// <summary><c>rein gate release --json</c>: a <c>rein.gate/1</c> document in the <c>released</c> state, saying
/// whether a hold was in force.</summary>
public sealed record GateReleaseDocument(string Schema, string State, bool Released, string Message)
{
    public static GateReleaseDocument From(bool released, string message) =>
        new(GateDocument.SchemaName, "released", released, message);
}
