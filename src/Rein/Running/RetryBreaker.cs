using Rein.Journal;

namespace Rein.Running;

/// <summary>Why the breaker refuses a run: its previous identical run ended badly too recently.</summary>
public sealed record BreakerTrip(BreakerRecord LastRun, DateTimeOffset OpenUntil);

/// <summary>
/// The retry breaker turns the agent rule "never re-run a command that hung" into a guarantee: a command
/// (argv + working directory) whose last run timed out, went idle or left unkillable processes is refused
/// for the cooldown. Pure: the journal supplies the last run, the caller the time.
/// </summary>
public static class RetryBreaker
{
    public static BreakerTrip? Check(BreakerRecord? lastRun, TimeSpan cooldown, TimeProvider time)
    {
        if (lastRun is null || cooldown <= TimeSpan.Zero)
        {
            return null;
        }

        var ended = lastRun.EndedAt;
        var tripped = lastRun.Outcome is "timed_out" or "idle_timeout" || lastRun.Unkillable;
        var until = ended + cooldown;
        return tripped && time.GetUtcNow() < until ? new BreakerTrip(lastRun, until) : null;
    }
}
