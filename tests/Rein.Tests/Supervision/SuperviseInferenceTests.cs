using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary><c>--restart-on-hang</c> and <c>--stop-after-idle</c>: the worker's own breadcrumbs (<c>rein mark pre/post</c>
/// of its run) say when an inference hangs and when the worker has had nothing to do.</summary>
public sealed class SuperviseInferenceTests : SuperviseTestBase
{
    [Fact]
    public void An_inference_open_past_hang_after_restarts_the_worker_as_a_failure()
    {
        // Each incarnation opens an inference and never closes it (a generate stuck in the GPU driver).
        string[] args =
        [
            "supervise",
            "--events",
            EventsPath,
            "--restart-on-hang",
            "--max-restarts",
            "1",
            "--backoff-min",
            "100ms",
            "--grace",
            "300ms",
            "--",
            "sh",
            "-c",
            $"echo $$ >> '{PidFile}'; \"$REIN\" mark pre org/w; exec '{Paths.Helper}' {Marker} hang",
        ];
        using var rein = ReinProcess.Start(
            args,
            HomeEnv(("REIN", Paths.Rein), ("REIN_HANG_AFTER", "1s"))
        );
        // Two incarnations each hang: one restart, then the budget (1) is spent.
        var r = rein.Wait(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal(2, File.ReadAllLines(PidFile).Length);
        Assert.Equal(2, Events("hang").Count);
        Assert.Contains(Events("backoff"), e => e.GetProperty("reason").GetString() == "hang");
        Assert.Single(Events("give_up"));
        AssertNoSurvivors();
    }

    [Fact]
    public void Finished_inferences_are_not_hangs()
    {
        string[] args =
        [
            "supervise",
            "--events",
            EventsPath,
            "--restart-on-hang",
            "--grace",
            "300ms",
            "--",
            "sh",
            "-c",
            $"echo $$ >> '{PidFile}'; \"$REIN\" mark pre org/w; \"$REIN\" mark post org/w; exec '{Paths.Helper}' {Marker} hang",
        ];
        using var rein = ReinProcess.Start(
            args,
            HomeEnv(("REIN", Paths.Rein), ("REIN_HANG_AFTER", "1s"))
        );
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(30)));
        Thread.Sleep(3000); // well past hang_after, several polls
        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        Assert.Empty(Events("hang"));
        Assert.Single(File.ReadAllLines(PidFile));
        AssertNoSurvivors();
    }

    [Fact]
    public void An_idle_worker_is_stopped_and_supervision_ends_with_0()
    {
        // One request served, then nothing: after --stop-after-idle the worker is stopped, supervision ends 0.
        string[] args =
        [
            "supervise",
            "--events",
            EventsPath,
            "--stop-after-idle",
            "1500ms",
            "--grace",
            "300ms",
            "--",
            "sh",
            "-c",
            $"echo $$ >> '{PidFile}'; \"$REIN\" mark pre org/w; \"$REIN\" mark post org/w; exec '{Paths.Helper}' {Marker} hang",
        ];
        using var rein = ReinProcess.Start(args, HomeEnv(("REIN", Paths.Rein)));
        var r = rein.Wait(TimeSpan.FromSeconds(40));
        Assert.Equal(0, r.ExitCode);
        Assert.Single(Events("idle_stop"));
        Assert.Contains(
            Events("end"),
            e =>
                e.GetProperty("reason")
                    .GetString()!
                    .StartsWith("idle_stop", StringComparison.Ordinal)
        );
        Assert.Empty(Events("restart"));
        Assert.Single(File.ReadAllLines(PidFile));
        AssertNoSurvivors();
    }

    [Fact]
    public void A_worker_in_the_middle_of_an_inference_is_not_idle()
    {
        string[] args =
        [
            "supervise",
            "--events",
            EventsPath,
            "--stop-after-idle",
            "1s",
            "--grace",
            "300ms",
            "--",
            "sh",
            "-c",
            $"echo $$ >> '{PidFile}'; \"$REIN\" mark pre org/w; exec '{Paths.Helper}' {Marker} hang",
        ];
        using var rein = ReinProcess.Start(args, HomeEnv(("REIN", Paths.Rein)));
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(30)));
        Thread.Sleep(3000);
        Assert.False(rein.HasExited);
        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        Assert.Empty(Events("idle_stop"));
        AssertNoSurvivors();
    }

    [Fact]
    public void A_zero_idle_is_one_line_and_exit_125()
    {
        var r = ReinProcess.Run(["supervise", "--stop-after-idle", "0s", "--", "true"], HomeEnv());
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--stop-after-idle", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
