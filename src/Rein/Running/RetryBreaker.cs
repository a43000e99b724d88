using Rein.Config;
using Rein.Journal;

namespace Rein.Running;

/// <summary>Why the breaker refuses a run: its previous identical run ended badly too recently.</summary>
public sealed record BreakerTrip(BreakerRecord LastRun, DateTimeOffset OpenUntil, string What)
{
    public string Message(DateTimeOffset now, TimeSpan cooldown) =>
        $"`{LastRun.CommandLine}` {What} {DurationParser.Format(now - LastRun.EndedAt)} ago in this directory "
        + $"(run {LastRun.RunId}); refusing to start it again for {DurationParser.Format(OpenUntil - now)} "
        + $"(retry breaker, cooldown {DurationParser.Format(cooldown)}). Do not retry blindly: see why with "
        + $"`rein journal show {LastRun.RunId}`, fix the hang, or override with --force";
}

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
        var what = lastRun.Outcome switch
        {
            "timed_out" =>
                $"timed out (after {DurationParser.Format(TimeSpan.FromMilliseconds(lastRun.DurationMs))})",
            "idle_timeout" => "went silent and was stopped as stuck",
            _ when lastRun.Unkillable => "left processes that could not be killed",
            _ => null,
        };
        var until = ended + cooldown;
        return what is not null && time.GetUtcNow() < until
            ? new BreakerTrip(lastRun, until, what)
            : null;
    }
}
