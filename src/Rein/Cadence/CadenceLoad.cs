namespace Rein.Cadence;

/// <summary>One recorded model load: which model, for whom (a run id or an acquire token, and the holder
/// process's pid and start time), when it started, when its holder was last seen, and when it was released.</summary>
public sealed record CadenceLoad
{
    public required string Model { get; init; }

    /// <summary>The run id of the <c>rein run</c> that loads it, or the token of a <c>rein cadence acquire</c>.</summary>
    public required string Token { get; init; }

    /// <summary>The process whose life is the load's: rein for a run, the caller of <c>rein cadence acquire</c>.
    /// 0 when unknown (then the load counts as running until released).</summary>
    public int Pid { get; init; }

    /// <summary>The holder's start time (pids are reused; the pair is not).</summary>
    public ulong PidStart { get; init; }

    public string? Command { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The holder's last sign of life (a run's guard refreshes it every few seconds).</summary>
    public DateTimeOffset SeenAt { get; init; }

    public DateTimeOffset? ReleasedAt { get; init; }

    /// <summary><c>released</c> (the run ended, or <c>rein cadence release</c>), or <c>vanished</c> (its holder
    /// died without releasing: counted as released at its last sign of life).</summary>
    public string? Release { get; init; }

    public bool Running => ReleasedAt is null;

    /// <summary>Where spacing is measured from: the later of the start and the release; a load still running counts
    /// from its start.</summary>
    public DateTimeOffset Reference => ReleasedAt is { } r && r > StartedAt ? r : StartedAt;
}
