namespace Rein.Forensics.Panics;

public enum PanicGateState
{
    Clear,
    Cooldown,
    Lockout,
}

/// <summary>The rules of the staircase, as they appear in verdicts, refusals and rein.gate/1.</summary>
public static class PanicGateRules
{
    /// <summary>One panic in the last 24 h: a cooldown from it.</summary>
    public const string OnePanic = "one_panic";

    /// <summary>Two panics within the breaker window: a cooldown from the second.</summary>
    public const string Breaker = "breaker";

    /// <summary>Too many panics within 24 h: lockout.</summary>
    public const string LockoutDay = "lockout_day";

    /// <summary>Too many panics within the lockout window (72 h): lockout.</summary>
    public const string LockoutWindow = "lockout_window";
}

/// <summary>A lockout: the rule that triggered it, its panics, and when it lifts by itself.</summary>
public sealed record PanicLockout(
    string Rule,
    IReadOnlyList<PanicRecord> Panics,
    DateTimeOffset LiftsAt
);

/// <summary>What the gate says now: clear, a cooldown (with its rule, panics and end), or a lockout (until an
/// acknowledgement or <see cref="PanicLockout.LiftsAt"/>). A lockout lifted by a valid ack is kept in
/// <see cref="AckedLockout"/> so people see what the ack covers and until when.</summary>
public sealed record PanicGateVerdict
{
    public required PanicGateState State { get; init; }

    public string? Rule { get; init; }

    /// <summary>When the refusal clears by itself (cooldown end; the lockout's 72 h lift).</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>The panics that caused the refusal.</summary>
    public IReadOnlyList<PanicRecord> Panics { get; init; } = [];

    /// <summary>The acknowledgement lifting a lockout now, and the lockout it lifts.</summary>
    public PanicAck? Ack { get; init; }

    public DateTimeOffset? AckValidUntil { get; init; }

    public PanicLockout? AckedLockout { get; init; }

    public static readonly PanicGateVerdict Clear = new() { State = PanicGateState.Clear };
}
