namespace Rein.Supervision;

/// <summary>
/// The running state of a <see cref="RestartPolicy"/> for one supervision: the restarts made in the window, the
/// attempt number the next backoff is computed from, and the reset after a healthy incarnation. Time comes from a
/// <see cref="TimeProvider"/>, so the whole policy is tested with a fake clock.
/// </summary>
public sealed class RestartBudget(RestartPolicy policy, TimeProvider time, Random? random = null)
{
    readonly Queue<DateTimeOffset> _restarts = new();

    /// <summary>The attempt the next restart would be (1 = the first restart since start or the last reset).</summary>
    public int NextAttempt { get; private set; } = 1;

    /// <summary>Restarts counted in the current window.</summary>
    public int RestartsInWindow
    {
        get
        {
            Expire();
            return _restarts.Count;
        }
    }

    /// <summary>Called when an incarnation ends: if it ran at least <see cref="RestartPolicy.HealthyAfter"/>, the
    /// backoff and the count start over (a worker that crashes once a day is not crash-looping).</summary>
    public void IncarnationEnded(TimeSpan uptime)
    {
        if (uptime >= policy.HealthyAfter)
        {
            NextAttempt = 1;
            _restarts.Clear();
        }
    }

    /// <summary>The delay before the next restart, and the restart counted; null when the budget is spent
    /// (<see cref="RestartPolicy.MaxRestarts"/> within <see cref="RestartPolicy.Window"/>).</summary>
    public TimeSpan? TakeRestart()
    {
        Expire();
        if (_restarts.Count >= policy.MaxRestarts)
        {
            return null;
        }

        _restarts.Enqueue(time.GetUtcNow());
        return policy.NextDelay(NextAttempt++, random);
    }

    /// <summary>A refusal at admission (lock busy, cadence, panic gate): wait as the backoff says for the
    /// <paramref name="consecutive"/>-th refusal in a row, but the worker did not fail, so nothing is counted
    /// against the budget.</summary>
    public TimeSpan RefusalDelay(int consecutive) => policy.NextDelay(consecutive, random);

    void Expire()
    {
        var horizon = time.GetUtcNow() - policy.Window;
        while (_restarts.Count > 0 && _restarts.Peek() <= horizon)
        {
            _restarts.Dequeue();
        }
    }
}
