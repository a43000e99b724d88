using System.Text.Json.Serialization;

namespace Rein.Running.Gates;

/// <summary>Why admission refused a run, as data: a stable code for machines, the gate that said no, and the facts
/// a person needs (who holds what, the numbers, when it may clear). The CLI phrases it (Rendering/RefusalText);
/// the journal keeps it as JSON beside the outcome <c>refused</c>.</summary>
public sealed record Refusal
{
    /// <summary>Stable, snake_case: see <see cref="RefusalCodes"/>.</summary>
    [JsonPropertyName("code")]
    public required string Code { get; init; }

    /// <summary>The gate that refused: <c>lock</c>, <c>breaker</c>, <c>memory</c>, <c>cadence</c>, …</summary>
    [JsonPropertyName("gate")]
    public required string Gate { get; init; }

    /// <summary>What was asked for: the lock label, the model id; the command line for the breaker.</summary>
    [JsonPropertyName("subject")]
    public string? Subject { get; init; }

    /// <summary>Who is in the way (lock holders, the earlier run), newest facts first.</summary>
    [JsonPropertyName("holders")]
    public IReadOnlyList<RefusalHolder> Holders { get; init; } = [];

    /// <summary>The earliest time the refusal can clear by itself, when known (breaker cooldown end, cadence).</summary>
    [JsonPropertyName("retry_at")]
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>Whether waiting (<c>--wait</c>) can help. False for the retry breaker: it refuses until a person looks.</summary>
    [JsonPropertyName("waitable")]
    public bool Waitable { get; init; } = true;

    /// <summary>How long admission waited before giving up (zero when it did not wait).</summary>
    [JsonPropertyName("waited_ms")]
    public long WaitedMs { get; init; }

    /// <summary>Gate-specific numbers (bytes, percent, seconds), with snake_case names documented in docs/schemas.md.</summary>
    [JsonPropertyName("numbers")]
    public IReadOnlyDictionary<string, double> Numbers { get; init; } =
        new Dictionary<string, double>();

    /// <summary>Gate-specific words that are not numbers: where a threshold was set, the pressure source.</summary>
    [JsonPropertyName("facts")]
    public IReadOnlyDictionary<string, string> Facts { get; init; } =
        new Dictionary<string, string>();

    public double? Number(string name) => Numbers.TryGetValue(name, out var v) ? v : null;

    public string? Fact(string name) => Facts.TryGetValue(name, out var v) ? v : null;
}

/// <summary>One process or run in the way of a refused run.</summary>
public sealed record RefusalHolder
{
    [JsonPropertyName("pid")]
    public int? Pid { get; init; }

    [JsonPropertyName("run_id")]
    public string? RunId { get; init; }

    [JsonPropertyName("command")]
    public string? Command { get; init; }

    /// <summary>Since when it holds (a slot), or when it happened (the earlier run's end).</summary>
    [JsonPropertyName("since")]
    public DateTimeOffset? Since { get; init; }

    /// <summary>A lock slot number, when the holder holds one.</summary>
    [JsonPropertyName("slot")]
    public int? Slot { get; init; }

    /// <summary><c>stopped</c>, <c>uninterruptible</c>, <c>guard_gone</c>, <c>unkillable</c>, <c>timed_out</c>,
    /// <c>idle_timeout</c>, a memory size for the biggest users…; null when nothing is unusual.</summary>
    [JsonPropertyName("condition")]
    public string? Condition { get; init; }

    /// <summary>Bytes of memory (for the biggest users a memory refusal names).</summary>
    [JsonPropertyName("bytes")]
    public long? Bytes { get; init; }
}

/// <summary>The refusal codes Rein emits. Stable: scripts and agents branch on them.</summary>
public static class RefusalCodes
{
    public const string LockBusy = "lock_busy";
    public const string LockStuck = "lock_stuck";
    public const string RetryBreaker = "retry_breaker";
    public const string MemoryLow = "memory_low";
    public const string MemoryPressure = "memory_pressure";
    public const string Interrupted = "interrupted";
    public const string CadenceSameModel = "cadence_same_model";
    public const string CadenceCrossModel = "cadence_cross_model";
    public const string CadenceFamilyFloor = "cadence_family_floor";
    public const string CadenceClock = "cadence_clock";
    public const string KnownPanic = "known_panic";
    public const string ModelDoesNotFit = "model_does_not_fit";
    public const string PanicCooldown = "panic_cooldown";
    public const string PanicLockout = "panic_lockout";
    public const string LoadHold = "load_hold";
}
