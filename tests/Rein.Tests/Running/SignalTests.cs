using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

[Collection("Latency")]
public sealed class SignalTests : RunTestBase
{
    [Fact]
    public void SIGKILL_of_rein_kills_the_whole_tree_within_one_second()
    {
        using var rein = ReinProcess.Start(
            RunArgs(
                [],
                "fan",
                "2",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "setsid",
                "[",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "daemon",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "pidfile",
                PidFile,
                "hang"
            )
        );
        Assert.Equal(5, ProcessProbe.WaitForPids(PidFile, 5, TimeSpan.FromSeconds(5)).Count);

        AssertSigkillOfReinKillsTheTree(rein);
    }

    [Fact]
    public void SIGINT_is_forwarded_and_the_tree_is_cleaned_up()
    {
        using var rein = ReinProcess.Start(
            RunArgs(
                ["--report", ReportPath],
                "fan",
                "2",
                "[",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "pidfile",
                PidFile,
                "hang"
            )
        );
        ProcessProbe.WaitForPids(PidFile, 3, TimeSpan.FromSeconds(5));

        LibC.kill(rein.Pid, LibC.SIGINT);
        var r = rein.Wait(TimeSpan.FromSeconds(10));

        Assert.Equal(130, r.ExitCode);
        Assert.Equal("interrupted", ReadReport().GetProperty("outcome").GetString());
        Assert.Contains("interrupted by SIGINT", r.Stderr);
        AssertNoSurvivors();
    }

    [Fact]
    public void Ctrl_Z_suspends_the_command_too_and_fg_resumes_it()
    {
        using var rein = ReinProcess.Start(RunArgs([], "pidfile", PidFile, "hang"));
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));

        LibC.kill(rein.Pid, LibC.SIGTSTP); // as the terminal sends it on Ctrl-Z
        Assert.True(
            ProcessProbe.WaitUntil(() => ProcessProbe.IsStopped(pid), TimeSpan.FromSeconds(3)),
            "the command kept running"
        );
        Assert.True(
            ProcessProbe.WaitUntil(() => ProcessProbe.IsStopped(rein.Pid), TimeSpan.FromSeconds(3)),
            "rein did not stop"
        );

        LibC.kill(rein.Pid, LibC.SIGCONT); // fg
        Assert.True(
            ProcessProbe.WaitUntil(() => !ProcessProbe.IsStopped(pid), TimeSpan.FromSeconds(3)),
            "the command stayed stopped"
        );

        LibC.kill(rein.Pid, LibC.SIGTERM);
        Assert.Equal(143, rein.Wait(TimeSpan.FromSeconds(10)).ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void SIGTERM_to_rein_stops_the_run_with_143()
    {
        using var rein = ReinProcess.Start(RunArgs([], "pidfile", PidFile, "hang"));
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));

        LibC.kill(rein.Pid, LibC.SIGTERM);
        var r = rein.Wait(TimeSpan.FromSeconds(10));

        Assert.Equal(143, r.ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void Second_SIGINT_kills_at_once_instead_of_waiting_for_the_grace()
    {
        using var rein = ReinProcess.Start(
            RunArgs(
                ["--grace", "60s"],
                "ignore-term",
                "fan",
                "2",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "pidfile",
                PidFile,
                "hang"
            )
        );
        ProcessProbe.WaitForPids(PidFile, 3, TimeSpan.FromSeconds(5));

        LibC.kill(rein.Pid, LibC.SIGINT);
        Thread.Sleep(300);
        Assert.False(
            rein.HasExited,
            "the tree ignores SIGINT/TERM, so rein should still be in its grace period"
        );
        LibC.kill(rein.Pid, LibC.SIGINT);
        var r = rein.Wait(TimeSpan.FromSeconds(10));

        Assert.Equal(130, r.ExitCode);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(15));
        AssertNoSurvivors();
    }
}
