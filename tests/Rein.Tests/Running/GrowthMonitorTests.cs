using Rein.Running;

namespace Rein.Tests.Running;

/// <summary>The growth rate and the time to the limit from samples alone (no processes).</summary>
public sealed class GrowthMonitorTests
{
    const long MiB = 1 << 20;

    static GrowthWarning? Feed(GrowthMonitor m, double seconds, double step, Func<double, long> rss)
    {
        GrowthWarning? first = null;
        for (var t = 0.0; t <= seconds; t += step)
        {
            first ??= m.Add(TimeSpan.FromSeconds(t), rss(t));
        }

        return first;
    }

    [Fact]
    public void Steady_growth_toward_the_cap_is_said_once_with_its_rate_and_time_left()
    {
        // 100 MiB/s from 100 MiB, cap 4 GiB: the cap is ~40 s away; the horizon is 60 s.
        var m = new GrowthMonitor(TimeSpan.FromSeconds(60), 4096 * MiB, () => null);
        var warnings = 0;
        GrowthWarning? warning = null;
        for (var t = 0.0; t <= 5; t += 0.25)
        {
            if (m.Add(TimeSpan.FromSeconds(t), (long)((100 + 100 * t) * MiB)) is { } w)
            {
                warnings++;
                warning = w;
            }
        }

        Assert.Equal(1, warnings);
        Assert.NotNull(warning);
        Assert.Equal("memory", warning.Limit);
        Assert.InRange(warning.BytesPerSecond, 99.0 * MiB, 101.0 * MiB);
        Assert.InRange(warning.TimeToLimit.TotalSeconds, 36, 40);
        Assert.Equal(m.Warned, warning);
    }

    [Fact]
    public void Growth_whose_limit_is_beyond_the_horizon_is_not_said()
    {
        var m = new GrowthMonitor(TimeSpan.FromSeconds(10), 4096 * MiB, () => null);
        Assert.Null(Feed(m, 5, 0.25, t => (long)((100 + 100 * t) * MiB)));
        Assert.InRange(m.Rate!.Value, 99.0 * MiB, 101.0 * MiB);
    }

    [Fact]
    public void Flat_or_shrinking_memory_is_never_a_warning()
    {
        var flat = new GrowthMonitor(TimeSpan.FromDays(1), 4096 * MiB, () => null);
        Assert.Null(Feed(flat, 10, 0.25, _ => 4000 * MiB));
        var shrinking = new GrowthMonitor(TimeSpan.FromDays(1), 4096 * MiB, () => null);
        Assert.Null(Feed(shrinking, 10, 0.25, t => (long)((3000 - 50 * t) * MiB)));
    }

    [Fact]
    public void Too_few_samples_or_too_short_a_span_say_nothing()
    {
        // Three samples: two points and a half are noise, however steep.
        var few = new GrowthMonitor(TimeSpan.FromDays(1), 4096 * MiB, () => null);
        Assert.Null(Feed(few, 0.5, 0.25, t => (long)(1000 * t * MiB)));
        // Many samples within half a second.
        var brief = new GrowthMonitor(TimeSpan.FromDays(1), 4096 * MiB, () => null);
        Assert.Null(Feed(brief, 0.5, 0.01, t => (long)(1000 * t * MiB)));
    }

    [Fact]
    public void A_burst_ages_out_of_the_window()
    {
        var m = new GrowthMonitor(TimeSpan.FromSeconds(5), 64_000 * MiB, () => null);
        // 2 GiB in the first two seconds, then flat for longer than the window: the rate comes back to 0.
        Assert.Null(Feed(m, 2, 0.25, t => (long)(1000 * t * MiB)));
        for (var t = 2.25; t <= 2 + GrowthMonitor.Window.TotalSeconds + 1; t += 0.25)
        {
            m.Add(TimeSpan.FromSeconds(t), 2000 * MiB);
        }

        Assert.Equal(0, m.Rate!.Value, 3);
    }

    [Fact]
    public void Without_a_cap_the_limit_is_what_the_machine_has_available()
    {
        // 1 GiB available, growing 200 MiB/s: about 5 s left.
        var m = new GrowthMonitor(TimeSpan.FromSeconds(30), null, () => 1024 * MiB);
        var warning = Feed(m, 3, 0.25, t => (long)((500 + 200 * t) * MiB));

        Assert.NotNull(warning);
        Assert.Equal("available", warning.Limit);
        Assert.Equal(warning.RssBytes + 1024 * MiB, warning.LimitBytes);
        Assert.InRange(warning.TimeToLimit.TotalSeconds, 4.5, 5.5);
    }

    [Fact]
    public void The_action_names_are_parsed_and_anything_else_is_refused()
    {
        Assert.Equal(GrowthAction.Warn, GrowthActions.Parse("warn"));
        Assert.Equal(GrowthAction.Stop, GrowthActions.Parse("stop"));
        Assert.Null(GrowthActions.Parse("Stop"));
        Assert.Null(GrowthActions.Parse(""));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new GrowthMonitor(TimeSpan.Zero, null, () => null)
        );
    }
}
