using Microsoft.Extensions.Time.Testing;
using Rein.Supervision;

namespace Rein.Tests.Supervision;

public sealed class RestartPolicyTests
{
    static readonly RestartPolicy Policy = new()
    {
        BackoffMin = TimeSpan.FromSeconds(2),
        BackoffMax = TimeSpan.FromSeconds(60),
        MaxRestarts = 3,
        Window = TimeSpan.FromMinutes(10),
        HealthyAfter = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public void Delays_double_from_the_minimum_to_the_maximum()
    {
        Assert.Equal(
            [2, 4, 8, 16, 32, 60, 60],
            Enumerable.Range(1, 7).Select(a => Policy.BaseDelay(a).TotalSeconds)
        );
        Assert.Equal(TimeSpan.FromSeconds(60), Policy.BaseDelay(10_000));
    }

    [Fact]
    public void Every_delay_is_jittered_within_ten_percent_and_not_all_alike()
    {
        var random = new Random(1234);
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            var draws = Enumerable
                .Range(0, 200)
                .Select(_ => Policy.NextDelay(attempt, random))
                .ToList();
            var d = Policy.BaseDelay(attempt);
            Assert.All(draws, x => Assert.InRange(x, d * 0.9, d * 1.1));
            Assert.True(draws.Distinct().Count() > 100, "no jitter");
            Assert.True(draws.Min() < d * 0.95 && draws.Max() > d * 1.05, "jitter band too narrow");
        }
    }

    [Fact]
    public void The_budget_allows_max_restarts_within_the_window_then_refuses_until_the_window_moves_on()
    {
        var time = new FakeTimeProvider();
        var budget = new RestartBudget(Policy, time, new Random(1));
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            delays.Add(budget.TakeRestart()!.Value);
            time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.True(delays[0] < delays[1] && delays[1] < delays[2], string.Join(", ", delays));
        Assert.Null(budget.TakeRestart());
        Assert.Equal(3, budget.RestartsInWindow);

        time.Advance(TimeSpan.FromMinutes(10)); // the first restarts leave the window
        Assert.NotNull(budget.TakeRestart());
        // The backoff keeps growing: a crash loop that outlives the window is still a crash loop.
        Assert.Equal(4, budget.NextAttempt - 1);
    }

    [Fact]
    public void An_incarnation_that_stayed_up_for_healthy_after_resets_the_delay_and_the_count()
    {
        var time = new FakeTimeProvider();
        var budget = new RestartBudget(Policy, time, new Random(1));
        budget.TakeRestart();
        budget.TakeRestart();
        budget.IncarnationEnded(TimeSpan.FromSeconds(59)); // not healthy yet
        Assert.Equal(3, budget.NextAttempt);
        Assert.Equal(2, budget.RestartsInWindow);

        budget.IncarnationEnded(TimeSpan.FromSeconds(60));
        Assert.Equal(1, budget.NextAttempt);
        Assert.Equal(0, budget.RestartsInWindow);
        Assert.InRange(
            budget.TakeRestart()!.Value,
            TimeSpan.FromSeconds(1.8),
            TimeSpan.FromSeconds(2.2)
        );
    }

    [Fact]
    public void Max_restarts_zero_allows_no_restart()
    {
        var budget = new RestartBudget(Policy with { MaxRestarts = 0 }, new FakeTimeProvider());
        Assert.Null(budget.TakeRestart());
    }

    [Fact]
    public void A_refusal_backs_off_without_spending_the_budget()
    {
        var budget = new RestartBudget(Policy, new FakeTimeProvider(), new Random(1));
        Assert.InRange(
            budget.RefusalDelay(1),
            TimeSpan.FromSeconds(1.8),
            TimeSpan.FromSeconds(2.2)
        );
        Assert.InRange(
            budget.RefusalDelay(3),
            TimeSpan.FromSeconds(7.2),
            TimeSpan.FromSeconds(8.8)
        );
        Assert.Equal(0, budget.RestartsInWindow);
        Assert.Equal(1, budget.NextAttempt);
    }

    [Fact]
    public void Impossible_values_are_named()
    {
        Assert.Contains(
            "--backoff-max",
            Policy with { BackoffMax = TimeSpan.FromSeconds(1) } is var p ? p.Problem() : ""
        );
        Assert.Contains("--max-restarts", (Policy with { MaxRestarts = -1 }).Problem());
        Assert.Null(Policy.Problem());
    }
}
