using System.Text.Json;
using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary>Each incarnation is a journal run linked to its supervision; rein journal groups them and rein ps shows
/// the supervision's state, also between incarnations.</summary>
public sealed class SuperviseJournalTests : SuperviseTestBase
{
    [Fact]
    public void Each_incarnation_is_journaled_with_its_supervision_attempt_and_restart_reason()
    {
        var r = ReinProcess.Run(
            SuperviseArgs(
                ["--backoff-min", "20ms", "--report", ReportPath],
                "crash-until",
                CrashFile,
                "2",
                "1"
            ),
            HomeEnv(),
            TimeSpan.FromSeconds(30)
        );
        Assert.True(0 == r.ExitCode, r.Stderr);
        var supervisionId = ReadReport().GetProperty("supervision_id").GetString()!;

        var journal = ReinProcess.Run(["journal", "--json"], HomeEnv());
        var runs = JsonDocument
            .Parse(journal.Stdout)
            .RootElement.GetProperty("runs")
            .EnumerateArray()
            .Where(x => x.GetProperty("supervision").ValueKind == JsonValueKind.Object)
            .Select(x => x.GetProperty("supervision"))
            .OrderBy(s => s.GetProperty("attempt").GetInt32())
            .ToList();
        Assert.Equal(3, runs.Count);
        Assert.All(
            runs,
            s => Assert.Equal(supervisionId, s.GetProperty("supervision_id").GetString())
        );
        Assert.Equal([1, 2, 3], runs.Select(s => s.GetProperty("attempt").GetInt32()));
        Assert.Equal(
            [null, "exit 1", "exit 1"],
            runs.Select(s => s.GetProperty("restart_reason").GetString())
        );

        var text = ReinProcess.Run(["journal"], HomeEnv(("COLUMNS", "80")));
        Assert.Contains(
            $"supervision {supervisionId}: 3 incarnation(s) listed (attempts 1, 2, 3); restarts: #2 after exit 1, #3 after exit 1",
            text.Stdout.Replace("\n", " ", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void Rein_ps_shows_a_supervision_backing_off_between_incarnations()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(["--backoff-min", "30s", "--backoff-max", "30s"], "exit", "1"),
            HomeEnv()
        );
        Assert.True(WaitForEvents("backoff", 1));
        var ps = ReinProcess.Run(["ps", "--json"], HomeEnv());
        var sup = Assert.Single(
            JsonDocument.Parse(ps.Stdout).RootElement.GetProperty("supervisions").EnumerateArray()
        );
        Assert.Equal("backing_off", sup.GetProperty("state").GetString());
        Assert.Equal(rein.Pid, sup.GetProperty("rein_pid").GetInt32());
        Assert.Equal(0, sup.GetProperty("restarts").GetInt32()); // the first restart is still ahead
        Assert.Contains("backing off until", ReinProcess.Run(["ps"], HomeEnv()).Stdout);

        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(10)).ExitCode);
        // Gone with the supervision.
        Assert.Empty(
            JsonDocument
                .Parse(ReinProcess.Run(["ps", "--json"], HomeEnv()).Stdout)
                .RootElement.GetProperty("supervisions")
                .EnumerateArray()
        );
    }

    [Fact]
    public void Rein_ps_shows_a_running_supervision_with_its_worker()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs([], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        var worker = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
        var sup = Assert.Single(
            JsonDocument
                .Parse(ReinProcess.Run(["ps", "--json"], HomeEnv()).Stdout)
                .RootElement.GetProperty("supervisions")
                .EnumerateArray()
        );
        Assert.Equal("running", sup.GetProperty("state").GetString());
        Assert.Equal(worker, sup.GetProperty("worker_pid").GetInt32());
        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(10)).ExitCode);
        AssertNoSurvivors();
    }
}
