using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>G1: when a run ends for any reason, no process of its tree survives.</summary>
[Collection("Latency")]
public sealed class TreeTeardownTests : RunTestBase
{
    [Fact]
    public void Tree_that_ignores_TERM_is_killed_after_grace()
    {
        var r = ReinProcess.Run(
            RunArgs(
                ["--timeout", "1s", "--grace", "1s", "--report", ReportPath],
                "ignore-term",
                "fan",
                "5",
                "[",
                "ignore-term",
                "hang",
                "]",
                "hang"
            )
        );

        Assert.Equal(124, r.ExitCode);
        AssertNoSurvivors();
        Assert.True(
            r.Elapsed >= TimeSpan.FromSeconds(1.9),
            $"SIGKILL came before the grace ended ({r.Elapsed})"
        );
        var report = ReadReport();
        Assert.Equal("timed_out", report.GetProperty("outcome").GetString());
        Assert.Equal(6, report.GetProperty("pids_killed").GetArrayLength());
        Assert.Contains("timed out after 1s", r.Stderr);
    }

    [Fact]
    public void Tree_that_obeys_TERM_ends_without_waiting_for_the_grace()
    {
        var r = ReinProcess.Run(
            RunArgs(["--timeout", "500ms", "--grace", "30s"], "fan", "3", "[", "hang", "]", "hang")
        );
        Assert.Equal(124, r.ExitCode);
        Assert.True(
            r.Elapsed < TimeSpan.FromSeconds(10),
            $"teardown waited for the grace ({r.Elapsed})"
        );
        AssertNoSurvivors();
    }

    [Fact]
    public void Grandchild_that_calls_setsid_is_killed()
    {
        var r = ReinProcess.Run(
            RunArgs(
                ["--timeout", "1s", "--grace", "300ms"],
                "bg",
                "[",
                "setsid",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "hang",
                "]",
                "hang"
            )
        );
        Assert.Equal(124, r.ExitCode);
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(1)));
        AssertNoSurvivors();
    }

    [Fact]
    public void Double_forked_daemon_is_killed_when_the_command_exits_normally()
    {
        var r = ReinProcess.Run(
            RunArgs(
                ["--report", ReportPath],
                "daemon",
                "[",
                "pidfile",
                PidFile,
                "ignore-term",
                "hang",
                "]",
                "sleep",
                "0.3",
                "exit",
                "0"
            )
        );

        Assert.Equal(0, r.ExitCode);
        var daemon = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(1)));
        AssertNoSurvivors();
        var report = ReadReport();
        Assert.Equal("exited", report.GetProperty("outcome").GetString());
        Assert.Contains(
            daemon,
            report.GetProperty("pids_killed").EnumerateArray().Select(e => e.GetInt32())
        );
        Assert.Contains("leftover", r.Stderr);
    }

    [Fact]
    public void Background_job_of_a_shell_is_killed_when_the_shell_exits()
    {
        var r = ReinProcess.Run([
            "run",
            "--",
            "sh",
            "-c",
            $"{Paths.Helper} {Marker} hang & exit 0",
        ]);
        Assert.Equal(0, r.ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void Processes_rein_did_not_start_survive_its_teardown()
    {
        // G6: an unrelated process, started before the run and carrying another run's marker, is left alone.
        var bystanderMarker = TestMarker.New("bystander");
        var psi = new System.Diagnostics.ProcessStartInfo(Paths.Helper) { UseShellExecute = false };
        psi.ArgumentList.Add(bystanderMarker);
        psi.ArgumentList.Add("hang");
        psi.Environment["REIN_RUN_ID"] = "20200101T000000Z-someoneelse";
        using var bystander = System.Diagnostics.Process.Start(psi)!;
        try
        {
            var r = ReinProcess.Run(
                RunArgs(
                    ["--timeout", "500ms", "--grace", "200ms"],
                    "ignore-term",
                    "fan",
                    "3",
                    "[",
                    "ignore-term",
                    "hang",
                    "]",
                    "daemon",
                    "[",
                    "hang",
                    "]",
                    "hang"
                )
            );
            Assert.Equal(124, r.ExitCode);
            AssertNoSurvivors();
            Assert.False(bystander.HasExited, "rein killed a process it did not start");
            Assert.Single(ProcessProbe.Alive(bystanderMarker));
        }
        finally
        {
            bystander.Kill();
        }
    }

    [Fact]
    public void Tree_that_keeps_escaping_its_group_while_being_killed_is_killed()
    {
        // Every 5 ms a new child calls setsid() and ignores TERM, during the grace and the KILL phase too.
        var r = ReinProcess.Run(
            RunArgs(
                ["--timeout", "500ms", "--grace", "300ms", "--report", ReportPath],
                "ignore-term",
                "spawnloop"
            )
        );

        Assert.Equal(124, r.ExitCode);
        AssertNoSurvivors();
        Assert.True(ReadReport().GetProperty("pids_killed").GetArrayLength() > 20);
        Assert.Equal(0, ReadReport().GetProperty("unkillable").GetArrayLength());
    }

    [Fact]
    public void Foreground_run_still_kills_its_tree_by_tracking()
    {
        var r = ReinProcess.Run(
            RunArgs(
                ["--foreground", "--timeout", "700ms", "--grace", "300ms"],
                "fan",
                "2",
                "[",
                "ignore-term",
                "hang",
                "]",
                "daemon",
                "[",
                "hang",
                "]",
                "hang"
            )
        );
        Assert.Equal(124, r.ExitCode);
        AssertNoSurvivors();
    }
}
