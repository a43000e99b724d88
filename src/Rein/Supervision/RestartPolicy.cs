namespace Rein.Supervision;

/// <summary>When the worker is restarted: after any end (<see cref="Always"/>) or only after a failure.</summary>
public enum RestartMode
{
    /// <summary>Exit code 0 ends supervision; any other end restarts.</summary>
    OnFailure,

    /// <summary>Every end restarts (a worker that is meant to run forever).</summary>
    Always,
}

/// <summary>
/// The restart policy as a value object: exponential backoff from <see cref="BackoffMin"/> doubling to
/// <see cref="BackoffMax"/> with ±<see cref="Jitter"/>, at most <see cref="MaxRestarts"/> restarts within
/// <see cref="Window"/>, and both the delay and the count reset once an incarnation stayed up for
/// <see cref="HealthyAfter"/>. Pure arithmetic over a <see cref="TimeProvider"/> (<see cref="RestartBudget"/>);
/// usable alone. Not Polly.Core: its backoff arithmetic is internal to its retry strategy (no public generator)
/// and its exponential jitter is decorrelated, not the ±10 % band promised here.
/// </summary>
public sealed record RestartPolicy
{
    public TimeSpan BackoffMin { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Relative jitter: each delay is drawn uniformly from [d·(1−j), d·(1+j)], capped at <see cref="BackoffMax"/>·(1+j).</summary>
    public double Jitter { get; init; } = 0.10;

    /// <summary>Restarts allowed within <see cref="Window"/>; 0 runs the worker once.</summary>
    public int MaxRestarts { get; init; } = 10;

    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);

    /// <summary>An incarnation up this long was healthy: the backoff and the restart count start over.</summary>
    public TimeSpan HealthyAfter { get; init; } = TimeSpan.FromSeconds(60);

    public RestartMode Mode { get; init; } = RestartMode.OnFailure;

    /// <summary>The delay before restart number <paramref name="attempt"/> (1 = the first restart), without jitter:
    /// <see cref="BackoffMin"/>·2^(attempt−1), at most <see cref="BackoffMax"/>.</summary>
    public TimeSpan BaseDelay(int attempt)
    {
        if (attempt < 1 || BackoffMin <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        // Doubling in floating point: 2^63 ticks overflow long arithmetic long before the cap is reached.
        var ticks = BackoffMin.Ticks * Math.Pow(2, Math.Min(attempt - 1, 62));
        return ticks >= BackoffMax.Ticks ? BackoffMax : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The delay before restart number <paramref name="attempt"/>, with jitter drawn from <paramref name="random"/>
    /// (a jittered delay keeps many supervisors that crashed together from restarting in lockstep).</summary>
    public TimeSpan NextDelay(int attempt, Random? random = null)
    {
        var d = BaseDelay(attempt);
        var r = (random ?? Random.Shared).NextDouble() * 2 - 1; // [-1, 1)
        return TimeSpan.FromTicks((long)(d.Ticks * (1 + Jitter * r)));
    }

    /// <summary>A problem with the values, in words, or null.</summary>
    public string? Problem() =>
        BackoffMin < TimeSpan.Zero ? "--backoff-min must not be negative"
        : BackoffMax < BackoffMin ? "--backoff-max must not be below --backoff-min"
        : MaxRestarts < 0 ? "--max-restarts must not be negative"
        : Window <= TimeSpan.Zero ? "--restart-window must be positive"
        : Jitter is < 0 or >= 1 ? "jitter must be in [0, 1)"
        : null;
}
