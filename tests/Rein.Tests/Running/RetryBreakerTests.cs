using Microsoft.Extensions.Time.Testing;
using Rein.Journal;
using Rein.Running;

namespace Rein.Tests.Running;

public sealed class RetryBreakerTests
{
    static readonly DateTimeOffset Ended = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    static BreakerRecord Last(string outcome, bool unkillable = false) =>
        new("r1", ["make", "ci"], "/src", outcome, Ended, 30 * 60_000, unkillable);

    [Theory]
    [InlineData("timed_out", "timed out (after 30m00s)")]
    [InlineData("idle_timeout", "went silent")]
    public void Breaker_is_open_within_the_cooldown_after_a_hang(string outcome, string what)
    {
        var time = new FakeTimeProvider(Ended.AddMinutes(3));
        var trip = RetryBreaker.Check(Last(outcome), TimeSpan.FromMinutes(10), time);
        Assert.NotNull(trip);
        Assert.Equal(Ended.AddMinutes(10), trip.OpenUntil);

        // As a gate: structured, then phrased by the CLI.
        var store = new BreakerStore(Directory.CreateTempSubdirectory("rein-breaker-").FullName);
        store.Record(
            ["make", "ci"],
            "/src",
            new RunVerdict
            {
                RunId = "r1",
                Outcome = outcome == "timed_out" ? RunOutcome.TimedOut : RunOutcome.IdleTimeout,
                StartedAt = Ended - TimeSpan.FromMinutes(30),
                Duration = TimeSpan.FromMinutes(30),
            }
        );
        var refusal = new Rein.Running.Gates.BreakerGate(store, TimeSpan.FromMinutes(10))
            .TryPass(
                new Rein.Running.Gates.AdmissionContext(
                    new RunSpec { Command = ["make", "ci"] },
                    time
                )
                {
                    WorkingDirectory = "/src",
                }
            )
            .Refusal;
        Assert.NotNull(refusal);
        Assert.Equal("retry_breaker", refusal.Code);
        Assert.False(refusal.Waitable);
        Assert.Equal(Ended.AddMinutes(10), refusal.RetryAt);
        var text = Rein.Cli.Rendering.RefusalText.Sentence(refusal, time.GetUtcNow(), false);
        Assert.Contains(what, text);
        Assert.Contains("refusing to start it again for 7m00s", text);
    }

    [Fact]
    public void Breaker_closes_when_the_cooldown_has_passed()
    {
        var time = new FakeTimeProvider(Ended.AddMinutes(9));
        Assert.NotNull(RetryBreaker.Check(Last("timed_out"), TimeSpan.FromMinutes(10), time));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(RetryBreaker.Check(Last("timed_out"), TimeSpan.FromMinutes(10), time));
    }

    [Fact]
    public void Unkillable_leftovers_trip_the_breaker_even_after_a_normal_exit()
    {
        var time = new FakeTimeProvider(Ended.AddMinutes(1));
        Assert.NotNull(
            RetryBreaker.Check(Last("exited", unkillable: true), TimeSpan.FromMinutes(10), time)
        );
    }

    [Theory]
    [InlineData("exited")]
    [InlineData("signaled")]
    [InlineData("interrupted")]
    public void Ordinary_ends_never_trip_the_breaker(string outcome) =>
        Assert.Null(
            RetryBreaker.Check(
                Last(outcome),
                TimeSpan.FromMinutes(10),
                new FakeTimeProvider(Ended.AddMinutes(1))
            )
        );

    [Fact]
    public void No_previous_run_or_zero_cooldown_never_trips()
    {
        var time = new FakeTimeProvider(Ended.AddMinutes(1));
        Assert.Null(RetryBreaker.Check(null, TimeSpan.FromMinutes(10), time));
        Assert.Null(RetryBreaker.Check(Last("timed_out"), TimeSpan.Zero, time));
    }
}
