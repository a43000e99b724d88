using System.Diagnostics;
using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>Where `rein timeout` deliberately does more than coreutils timeout: the whole tree ends (escapees
/// included, also when rein is SIGKILLed), leftovers of a command that ended by itself are stopped, and the run
/// is in the journal.</summary>
[Collection("Latency")]
public sealed class TimeoutTreeTests : RunTestBase
{
    IEnumerable<string> Timeout(string[] options, string duration, params string[] script) =>
        ["timeout", .. options, duration, Paths.Helper, Marker, .. script];

    /// <summary>A command that leaves its process group twice: a setsid child with a cleared environment that
    /// ignores TERM, and an orphaned double-forked daemon; then it hangs itself.</summary>
    string[] Escapees =>
        [
            "setsid",
            "[",
            "clearenv",
            "ignore-term",
            "pidfile",
            PidFile,
            "hang",
            "]",
            "daemon",
            "[",
            "pidfile",
            PidFile,
            "hang",
            "]",
            "pidfile",
            PidFile,
            "hang",
        ];

    [Fact]
    public void Escapees_of_a_timed_out_command_are_killed()
    {
        Requires.Subreaper();
        var r = ReinProcess.Run(
            Timeout(["-k", ".5"], "1", Escapees),
            new Dictionary<string, string?> { ["REIN_GRACE"] = "30s" }
        );

        Assert.Equal(124, r.ExitCode);
        Assert.Equal(3, ProcessProbe.WaitForPids(PidFile, 3, TimeSpan.Zero).Count);
        AssertNoSurvivors();
    }

    [Fact]
    public void An_escapee_that_coreutils_timeout_leaves_running_is_killed()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/timeout"), "needs coreutils timeout to compare");
        using (
            var coreutils = Process.Start(
                "/usr/bin/timeout",
                [
                    ".5",
                    Paths.Helper,
                    Marker,
                    "setsid",
                    "[",
                    "pidfile",
                    PidFile,
                    "hang",
                    "]",
                    "pidfile",
                    PidFile,
                    "hang",
                ]
            )
        )
        {
            Assert.True(coreutils.WaitForExit(TimeSpan.FromSeconds(10)));
            Assert.Equal(124, coreutils.ExitCode);
        }

        Thread.Sleep(300);
        Assert.NotEmpty(ProcessProbe.Alive(Marker)); // the setsid child outlived timeout(1)
        ProcessProbe.KillAll(Marker);
        File.Delete(PidFile);

        var r = ReinProcess.Run(
            Timeout(
                [],
                ".5",
                "setsid",
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

        Assert.Equal(124, r.ExitCode);
        Assert.Equal(2, ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.Zero).Count);
        AssertNoSurvivors();
    }

    [Fact]
    public void SIGKILL_of_rein_timeout_kills_the_whole_tree_within_a_second()
    {
        Requires.Subreaper();
        using var rein = ReinProcess.Start(Timeout([], "60", Escapees));
        Assert.Equal(3, ProcessProbe.WaitForPids(PidFile, 3, TimeSpan.FromSeconds(10)).Count);
        Thread.Sleep(200);

        AssertSigkillOfReinKillsTheTree(rein);
    }

    [Fact]
    public void What_a_command_left_running_when_it_ended_is_stopped_and_said()
    {
        var r = ReinProcess.Run(
            Timeout(
                [],
                "30",
                "setsid",
                "[",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "sleep",
                ".3",
                "exit",
                "3"
            )
        );

        Assert.Equal(3, r.ExitCode);
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.Zero));
        AssertNoSurvivors();
        var line = Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("rein timeout: ", line);
        Assert.Contains("left running", line);
    }

    [Fact]
    public void Foreground_still_kills_the_commands_children()
    {
        var r = ReinProcess.Run(
            Timeout(
                ["--foreground"],
                ".3",
                "bg",
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

        Assert.Equal(124, r.ExitCode);
        Assert.Equal(2, ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.Zero).Count);
        AssertNoSurvivors();
    }

    [Fact]
    public void Nested_timeouts_end_at_the_outer_one()
    {
        var r = ReinProcess.Run([
            "timeout",
            ".5",
            Paths.Rein,
            "timeout",
            "30",
            Paths.Helper,
            Marker,
            "pidfile",
            PidFile,
            "hang",
        ]);

        Assert.Equal(124, r.ExitCode);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(10), $"took {r.Elapsed}");
        AssertNoSurvivors();
    }

    [Fact]
    public void The_run_is_in_the_journal_and_a_timeout_does_not_open_the_retry_breaker()
    {
        Assert.Equal(124, ReinProcess.Run(Timeout([], ".2", "hang"), HomeEnv()).ExitCode);

        var journal = ReinProcess.Run(["journal", "--json"], HomeEnv());
        var run = Assert.Single(
            JsonDocument.Parse(journal.Stdout).RootElement.GetProperty("runs").EnumerateArray()
        );
        Assert.Equal("timed_out", run.GetProperty("outcome").GetString());
        Assert.Equal(Marker, run.GetProperty("command")[1].GetString());

        // Timing out is what `rein timeout` is for: the same command under `rein run` is not refused for it.
        var again = ReinProcess.Run(
            ["run", "--timeout", ".2", "--", Paths.Helper, Marker, "hang"],
            HomeEnv()
        );
        Assert.Equal(124, again.ExitCode);
    }
}
