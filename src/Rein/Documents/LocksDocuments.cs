using System.Text.Json.Serialization;
using Rein.Locking;

namespace Rein.Documents;

/// <summary>The <c>rein.locks/1</c> document (<c>rein locks --json</c>): every named lock, its slots, holders and
/// waiters.</summary>
public sealed record LocksDocument(string Schema, IReadOnlyList<LockDocument> Locks)
{
    public const string SchemaName = "rein.locks/1";

    public static LocksDocument From(
        IReadOnlyList<(
            string Name,
            IReadOnlyList<SlotStatus> Slots,
            IReadOnlyList<LockHolder> Waiters
        )> locks,
        DateTimeOffset now
    ) =>
        new(
            SchemaName,
            [
                .. locks.Select(l => new LockDocument(
                    l.Name,
                    [
                        .. l.Slots.Select(s => new LockSlotDocument(
                            s.Slot,
                            s.Held,
                            s.Holder is { } h ? LockHolderDocument.From(h, now) : null,
                            s.HolderCondition,
                            s.Stuck?.Pids
                        )),
                    ],
                    [.. l.Waiters.Select(w => LockHolderDocument.From(w, now))]
                )),
            ]
        );
}

public sealed record LockDocument(
    string Name,
    IReadOnlyList<LockSlotDocument> Slots,
    IReadOnlyList<LockHolderDocument> Waiters
);

/// <summary>One slot: <c>holder</c> is left out when the slot is free, <c>stuck_pids</c> unless unkillable
/// survivors keep it.</summary>
public sealed record LockSlotDocument(
    int Slot,
    bool Held,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        LockHolderDocument? Holder,
    string? HolderCondition,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        IReadOnlyList<int>? StuckPids
);

/// <summary>A holder or a waiter. <c>acquired_at</c> is left out for records of versions that did not write it;
/// the age counts from acquisition for a holder (its wait before is not holding), from the request for a
/// waiter.</summary>
public sealed record LockHolderDocument(
    string RunId,
    int Pid,
    string Command,
    DateTimeOffset Since,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        DateTimeOffset? AcquiredAt,
    long AgeMs
)
{
    public static LockHolderDocument From(LockHolder h, DateTimeOffset now) =>
        new(
            h.RunId,
            h.Pid,
            h.Command,
            h.Since,
            h.AcquiredAt,
            (long)(now - h.HeldSince).TotalMilliseconds
        );
}
