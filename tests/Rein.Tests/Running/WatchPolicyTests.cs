using Microsoft.Extensions.Time.Testing;
using Rein.Running;

namespace Rein.Tests.Running;

/// <summary>When limits fall due, on a fake clock.</summary>
public sealed class WatchPolicyTests
{
    static readonly TimeSpan Sample = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void Sleeps_until_the_nearest_of_deadline_idle_limit_and_sample()
    {
        var time = new FakeTimeProvider();
        var watch = new WatchPolicy(
            time,
            TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(3),
            TimeSpan.FromSeconds(5)
        );
        Assert.Equal(TimeSpan.FromSeconds(3), watch.UntilDue(TimeSpan.Zero));
        time.Advance(TimeSpan.FromSeconds(2));
        // Output 2 s in: the idle limit moves to 5 s, where the sample is due too.
        Assert.Equal(TimeSpan.FromSeconds(3), watch.UntilDue(TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.FromSeconds(1), watch.UntilDue(TimeSpan.Zero));
    }

    [Fact]
    public void The_deadline_expires_exactly_at_the_timeout_and_wins_over_idleness()
    {
        var time = new FakeTimeProvider();
        var watch = new WatchPolicy(time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), Sample);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(watch.Expired(TimeSpan.Zero));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(RunOutcome.IdleTimeout, watch.Expired(TimeSpan.Zero));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RunOutcome.TimedOut, watch.Expired(TimeSpan.Zero));
    }

    [Fact]
    public void Without_watched_output_idleness_never_expires_and_zero_limits_are_off()
    {
        var time = new FakeTimeProvider();
        var watch = new WatchPolicy(time, TimeSpan.Zero, TimeSpan.FromSeconds(1), Sample);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Null(watch.Expired(null));
        Assert.Equal(TimeSpan.Zero, watch.UntilDue(null)); // the overdue sample
    }

    [Fact]
    public void Samples_are_due_once_per_interval_without_catch_up_bursts()
    {
        var time = new FakeTimeProvider();
        var watch = new WatchPolicy(time, null, null, Sample);
        Assert.False(watch.SampleDue());
        time.Advance(TimeSpan.FromSeconds(10)); // a stall
        Assert.True(watch.SampleDue());
        Assert.False(watch.SampleDue());
        time.Advance(Sample);
        Assert.True(watch.SampleDue());
    }

    [Fact]
    public void The_timeout_counts_from_the_start_of_the_command_not_from_the_start_of_the_run()
    {
        var time = new FakeTimeProvider();
        var watch = new WatchPolicy(time, TimeSpan.FromSeconds(2), null, Sample);
        time.Advance(TimeSpan.FromSeconds(5)); // a slow exec on a hung filesystem
        watch.Begin();
        Assert.Null(watch.Expired(null));
        Assert.Equal(TimeSpan.FromSeconds(5), watch.Elapsed);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(RunOutcome.TimedOut, watch.Expired(null));
    }
}
