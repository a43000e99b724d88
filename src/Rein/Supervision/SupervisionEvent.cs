using Rein.Running;

namespace Rein.Supervision;

/// <summary>What a supervision is doing (shown by <c>rein ps</c>).</summary>
public enum SupervisionState
{
    Starting,
    Running,
    BackingOff,
    Stopping,
    Unkillable,
    Ended,
}

/// <summary>One thing that happened in a supervision. <see cref="Kind"/> is one of <c>start</c>, <c>exit</c>,
/// <c>refused</c>, <c>backoff</c>, <c>restart</c>, <c>recycle</c>, <c>health</c>, <c>heartbeat</c>, <c>hang</c>,
/// <c>idle_stop</c>, <c>stop</c>, <c>unkillable</c>, <c>give_up</c>, <c>end</c> (docs/schemas.md, the events lines).</summary>
public sealed record SupervisionEvent(string Kind, DateTimeOffset At, int Incarnation)
{
    public string? RunId { get; init; }

    public int? Pid { get; init; }

    /// <summary>For <c>exit</c>: how the incarnation ended.</summary>
    public RunVerdict? Verdict { get; init; }

    /// <summary>For <c>backoff</c>: how long, and until when.</summary>
    public TimeSpan? Delay { get; init; }

    public DateTimeOffset? Until { get; init; }

    /// <summary>Why: the restart reason (<c>exit 1</c>, <c>heartbeat</c>, <c>recycle</c>), the refusal code, why
    /// supervision gave up.</summary>
    public string? Reason { get; init; }

    /// <summary>Restarts counted in the current window.</summary>
    public int Restarts { get; init; }
}

/// <summary>How a supervision ended.</summary>
public sealed record SupervisionResult
{
    /// <summary><c>stopped</c> (asked to), <c>completed</c> (the worker exited 0 under on-failure),
    /// <c>idle_stop</c> (<c>--stop-after-idle</c>: no inference for that long), <c>gave_up</c> (restart budget spent),
    /// <c>unkillable</c> (a worker survived SIGKILL).</summary>
    public required string Ending { get; init; }

    public required string Reason { get; init; }

    public required int Incarnations { get; init; }

    /// <summary>Restarts made over the whole supervision.</summary>
    public required int Restarts { get; init; }

    public RunVerdict? Last { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    /// <summary>The exit code <c>rein supervise</c> returns: 0 when stopped, completed or stopped idle, else the last
    /// incarnation's (as <c>rein run</c> would have returned it).</summary>
    public int ExitCode =>
        Ending is "stopped" or "completed" or "idle_stop"
            ? 0
            : Last?.ReinExitCode ?? ExitCodes.ReinFailed;
}
