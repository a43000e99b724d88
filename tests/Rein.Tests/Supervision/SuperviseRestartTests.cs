using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary>The restart policy end to end: real workers crash, the supervisor backs off, gives up, resets.</summary>
public sealed class SuperviseRestartTests : SuperviseTestBase
{
    [Fact]
    public void A_worker_that_crashes_three_times_is_restarted_three_times_with_growing_delays_then_stays_up()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(
                ["--backoff-min", "150ms", "--backoff-max", "5s", "--report", ReportPath],
                "crash-until",
                CrashFile,
                "3",
                "1",
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(20)));
        Thread.Sleep(300); // stays up: no further start

        var delays = Events("backoff").Select(e => e.GetProperty("delay_ms").GetInt64()).ToList();
        Assert.Equal(3, delays.Count);
        // 150ms, 300ms, 600ms, each ±10 %.
        Assert.InRange(delays[0], 135, 165);
        Assert.InRange(delays[1], 270, 330);
        Assert.InRange(delays[2], 540, 660);
        Assert.Equal(4, Events("start").Count);
        Assert.All(
            Events("exit").Take(3),
            e => Assert.Equal(1, e.GetProperty("exit_code").GetInt32())
        );

        Term(rein);
        var r = rein.Wait(TimeSpan.FromSeconds(15));
        Assert.Equal(0, r.ExitCode);
        AssertNoSurvivors();
        var report = ReadReport();
        Assert.Equal("rein.supervise/1", report.GetProperty("schema").GetString());
        Assert.Equal("stopped", report.GetProperty("ending").GetString());
        Assert.Equal(3, report.GetProperty("restarts").GetInt32());
        Assert.Equal(4, report.GetProperty("incarnations").GetInt32());
        Assert.Equal(4, Events("start").Count); // no restart after the stop
    }

    [Fact]
    public void When_the_budget_is_spent_supervision_gives_up_with_the_last_exit_code()
    {
        var r = ReinProcess.Run(
            SuperviseArgs(["--max-restarts", "2", "--backoff-min", "20ms"], "exit", "3"),
            HomeEnv(),
            TimeSpan.FromSeconds(30)
        );
        Assert.Equal(3, r.ExitCode);
        Assert.Equal(3, Events("start").Count);
        Assert.Single(Events("give_up"));
        Assert.Contains("giving up: 2 restart(s) within 1h00m spent", r.Stderr);
    }

    [Fact]
    public void Max_restarts_zero_runs_the_worker_once()
    {
        var r = ReinProcess.Run(
            SuperviseArgs(["--max-restarts", "0"], "exit", "4"),
            HomeEnv(),
            TimeSpan.FromSeconds(30)
        );
        Assert.Equal(4, r.ExitCode);
        Assert.Single(Events("start"));
        Assert.Contains("--max-restarts is 0", r.Stderr);
    }

    [Fact]
    public void An_incarnation_up_for_healthy_after_resets_the_restart_count()
    {
        // Budget of one restart; each crash comes after a healthy 400 ms, so the count starts over every time and
        // the fourth incarnation (which exits 0) ends supervision. Without the reset it would give up with 1.
        var r = ReinProcess.Run(
            SuperviseArgs(
                ["--max-restarts", "1", "--healthy-after", "300ms", "--backoff-min", "20ms"],
                "sleep",
                "0.4",
                "crash-until",
                CrashFile,
                "3",
                "1"
            ),
            HomeEnv(),
            TimeSpan.FromSeconds(30)
        );
        Assert.True(0 == r.ExitCode, r.Stderr);
        Assert.Equal(4, Events("start").Count);
        // The delay resets too: every backoff is the first one's.
        Assert.All(
            Events("backoff"),
            e => Assert.InRange(e.GetProperty("delay_ms").GetInt64(), 18, 22)
        );
    }

    [Fact]
    public void On_failure_ends_when_the_worker_exits_0_and_always_restarts_it()
    {
        var once = ReinProcess.Run(
            SuperviseArgs([], "exit", "0"),
            HomeEnv(),
            TimeSpan.FromSeconds(30)
        );
        Assert.Equal(0, once.ExitCode);
        Assert.Single(Events("start"));

        File.Delete(EventsPath);
        var always = ReinProcess.Run(
            SuperviseArgs(
                ["--restart", "always", "--max-restarts", "2", "--backoff-min", "10ms"],
                "exit",
                "0"
            ),
            HomeEnv(),
            TimeSpan.FromSeconds(30)
        );
        Assert.Equal(0, always.ExitCode);
        Assert.Equal(3, Events("start").Count);
    }

    [Fact]
    public void Bad_usage_is_one_line_and_starts_nothing()
    {
        foreach (
            var args in new[]
            {
                new[] { "supervise", "--backoff-min", "soon", "--", Paths.Helper, Marker, "hang" },
                ["supervise", "--max-restarts", "-1", "--", Paths.Helper, Marker, "hang"],
                ["supervise", "--restart", "sometimes", "--", Paths.Helper, Marker, "hang"],
                [
                    "supervise",
                    "--backoff-min",
                    "10s",
                    "--backoff-max",
                    "1s",
                    "--",
                    Paths.Helper,
                    Marker,
                    "hang",
                ],
                ["supervise", Paths.Helper],
            }
        )
        {
            var r = ReinProcess.Run(args, HomeEnv(), TimeSpan.FromSeconds(10));
            Assert.Equal(125, r.ExitCode);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.StartsWith("rein supervise: ", r.Stderr);
        }

        AssertNoSurvivors();
    }
}
