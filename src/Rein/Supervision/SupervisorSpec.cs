using Rein.Running;

namespace Rein.Supervision;

/// <summary>A health probe run beside the worker: <see cref="Command"/> every <see cref="Interval"/>, each bounded by
/// <see cref="Timeout"/> (its whole tree killed then); <see cref="Failures"/> failures in a row restart the worker.</summary>
public sealed record HealthCheck(
    IReadOnlyList<string> Command,
    TimeSpan Interval,
    TimeSpan Timeout,
    int Failures = 3
);

/// <summary>What to supervise: the worker (each incarnation a guarded run of <see cref="Worker"/> with a fresh run
/// id) and what makes the supervisor restart it besides its own end.</summary>
public sealed record SupervisorSpec
{
    /// <summary>The worker's run; every limit (timeout as a maximum lifetime, idle timeout as a hang detector,
    /// memory, processes) applies per incarnation. Its <see cref="RunSpec.RunId"/> is replaced per incarnation.</summary>
    public required RunSpec Worker { get; init; }

    /// <summary>The pipeline's options per incarnation (state directory, admission). The supervisor sets the
    /// observer, turns the retry breaker off (it is the backoff itself) and never forwards signals itself.</summary>
    public required GuardedRunOptions Run { get; init; }

    /// <summary>Restart a healthy worker after this lifetime (TERM, grace, KILL); null: never.</summary>
    public TimeSpan? RecycleAfter { get; init; }

    /// <summary>Restart a healthy worker once it has finished this many inferences: <c>rein mark post</c>
    /// breadcrumbs of the incarnation's run (a cold restart after N requests, as metal-guard does).</summary>
    public int? RecycleAfterRequests { get; init; }

    /// <summary>Restart the worker as hung when one of its inferences (a <c>rein mark pre</c> of the incarnation's run
    /// with no matching post) stays open this long (<c>--restart-on-hang</c>, the <c>inference.hang_after</c>
    /// setting). A hang counts as a failure (backoff, budget). Null: never.</summary>
    public TimeSpan? HangAfter { get; init; }

    /// <summary>Stop the worker and end supervision (exit 0, event <c>idle_stop</c>) when no inference of the current
    /// incarnation has finished for this long and none is in flight (metal-guard's idle worker exit: the model's
    /// memory is freed and the application starts a worker again when it needs one). Null: never.</summary>
    public TimeSpan? StopAfterIdle { get; init; }

    public HealthCheck? Health { get; init; }

    /// <summary>A file the worker touches; not touched for <see cref="HeartbeatTimeout"/> → hung → restart.</summary>
    public string? HeartbeatFile { get; init; }

    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Identifies the supervision in the journal (each incarnation is linked to it) and in rein ps.</summary>
    public string SupervisionId { get; init; } = RunSpec.NewRunId();
}
