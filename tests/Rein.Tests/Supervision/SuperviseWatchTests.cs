using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary>What restarts a worker that did not end by itself: heartbeat, health probe, recycling; and an
/// admission refusal, which is a backoff, not a failure.</summary>
public sealed class SuperviseWatchTests : SuperviseTestBase
{
    string Beat => Path.Combine(Scratch, "beat");

    [Fact]
    public void A_worker_that_stops_touching_its_heartbeat_file_is_restarted()
    {
        var r = ReinProcess.Run(
            SuperviseArgs(
                [
                    "--heartbeat-file",
                    Beat,
                    "--heartbeat-timeout",
                    "600ms",
                    "--max-restarts",
                    "1",
                    "--backoff-min",
                    "20ms",
                    "--grace",
                    "300ms",
                ],
                "touch",
                Beat,
                "sleep",
                "0.4",
                "touch",
                Beat,
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv(),
            TimeSpan.FromSeconds(30)
        );
        // Both incarnations hung after their last beat: restarted once, then the budget is spent.
        Assert.Equal(143, r.ExitCode);
        Assert.Equal(2, Events("heartbeat").Count);
        Assert.Equal(2, Events("start").Count);
        Assert.Equal(2, File.ReadAllLines(PidFile).Length);
        Assert.Contains("heartbeat", r.Stderr);
        AssertNoSurvivors();
    }

    [Fact]
    public void Health_check_failures_in_a_row_restart_the_worker()
    {
        var probes = Path.Combine(Scratch, "probes");
        var r = ReinProcess.Run(
            SuperviseArgs(
                [
                    "--health-cmd",
                    $"echo x >> '{probes}'; false",
                    "--health-interval",
                    "100ms",
                    "--health-timeout",
                    "2s",
                    "--health-retries",
                    "2",
                    "--max-restarts",
                    "1",
                    "--backoff-min",
                    "20ms",
                    "--grace",
                    "300ms",
                ],
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv(),
            TimeSpan.FromSeconds(30)
        );
        Assert.Equal(143, r.ExitCode);
        Assert.Equal(2, Events("health").Count);
        Assert.Equal(2, Events("start").Count);
        Assert.True(File.ReadAllLines(probes).Length >= 4);
        AssertNoSurvivors();
    }

    [Fact]
    public void A_passing_health_check_leaves_the_worker_alone()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(
                ["--health-cmd", "true", "--health-interval", "100ms", "--health-retries", "1"],
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
        Thread.Sleep(1000);
        Assert.Single(Events("start"));
        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void Recycle_after_restarts_a_healthy_worker_without_backoff_or_budget()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(
                ["--recycle-after", "300ms", "--max-restarts", "0", "--grace", "300ms"],
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        Assert.Equal(3, ProcessProbe.WaitForPids(PidFile, 3, TimeSpan.FromSeconds(15)).Count);
        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        Assert.True(Events("recycle").Count >= 2);
        Assert.Empty(Events("backoff"));
        AssertNoSurvivors();
    }

    [Fact]
    public void A_lock_held_by_someone_else_is_a_backoff_not_a_failure()
    {
        var lockName = "sup-" + Marker[^8..];
        var holderPids = Path.Combine(Scratch, "holder");
        using var holder = ReinProcess.Start(
            ["run", "--lock", lockName, "--", Paths.Helper, Marker, "pidfile", holderPids, "hang"],
            HomeEnv()
        );
        Assert.Single(ProcessProbe.WaitForPids(holderPids, 1, TimeSpan.FromSeconds(10)));

        using var rein = ReinProcess.Start(
            SuperviseArgs(
                [
                    "--lock",
                    lockName,
                    "--max-restarts",
                    "0",
                    "--backoff-min",
                    "100ms",
                    "--backoff-max",
                    "200ms",
                ],
                "exit",
                "0"
            ),
            HomeEnv()
        );
        Assert.True(WaitForEvents("refused", 2), "no refusals");
        Assert.Empty(Events("start"));
        Assert.Equal("lock_busy", Events("refused")[0].GetProperty("reason").GetString());

        Term(holder);
        Assert.Equal(143, holder.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        // With --max-restarts 0 a refusal counted as a failure would have ended supervision with 75.
        var r = rein.Wait(TimeSpan.FromSeconds(15));
        Assert.True(0 == r.ExitCode, r.Stderr);
        Assert.Single(Events("start"));
        Assert.Contains("not a failure", r.Stderr);
    }
}
