using Rein.Config;
using Rein.Journal;

namespace Rein.Running;

/// <summary>Why the breaker refuses a run: its previous identical run ended badly too recently.</summary>
public sealed record BreakerTrip(RunRecord LastRun, DateTimeOffset OpenUntil, string What)
{
    public string Message(DateTimeOffset now, TimeSpan cooldown) =>
        $"`{LastRun.CommandLine}` {What} {DurationParser.Format(now - (LastRun.EndedAt ?? now))} ago in this directory "
        + $"(run {LastRun.Id}); refusing to start it again for {DurationParser.Format(OpenUntil - now)} "
        + $"(retry breaker, cooldown {DurationParser.Format(cooldown)}). Do not retry blindly: see why with "
        + $"`rein journal show {LastRun.Id}`, fix the hang, or override with --force";
}

/// <summary>
/// The retry breaker turns the agent rule "never re-run a command that hung" into a guarantee: a command
/// (argv + working directory) whose last run timed out, went idle or left unkillable processes is refused
/// for the cooldown. Pure: the journal supplies the last run, the caller the time.
/// </summary>
public static class RetryBreaker
{
    public static BreakerTrip? Check(RunRecord? lastRun, TimeSpan cooldown, TimeProvider time)
    {
        if (lastRun?.EndedAt is not { } ended || cooldown <= TimeSpan.Zero)
        {
            return null;
        }

        var what = lastRun.Outcome switch
        {
            "timed_out" =>
                $"timed out (after {DurationParser.Format(TimeSpan.FromMilliseconds(lastRun.DurationMs ?? 0))})",
            "idle_timeout" => "went silent and was stopped as stuck",
            _ when lastRun.UnkillableJson is not null => "left processes that could not be killed",
            _ => null,
        };
        var until = ended + cooldown;
        return what is not null && time.GetUtcNow() < until
            ? new BreakerTrip(lastRun, until, what)
            : null;
    }
}
