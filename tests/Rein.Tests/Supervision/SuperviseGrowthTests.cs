using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary><c>rein supervise --warn-before --on-growth restart</c>: a worker whose memory heads for the cap is
/// restarted before it gets there, and each warning is an event.</summary>
public sealed class SuperviseGrowthTests : SuperviseTestBase
{
    [Fact]
    public void A_growing_worker_is_restarted_before_the_cap_and_the_warning_is_an_event()
    {
        string[] growing =
        [
            "pidfile",
            PidFile,
            .. Enumerable.Range(0, 300).SelectMany(_ => new[] { "alloc", "20", "sleep", "0.1" }),
            "exit",
            "0",
        ];
        var r = ReinProcess.Run(
            SuperviseArgs(
                [
                    "--memory",
                    "8G",
                    "--warn-before",
                    "10m",
                    "--on-growth",
                    "restart",
                    "--max-restarts",
                    "1",
                    "--backoff-min",
                    "100ms",
                    "--grace",
                    "300ms",
                ],
                growing
            ),
            HomeEnv(),
            TimeSpan.FromSeconds(60)
        );

        Assert.True(r.ExitCode != 0, r.Stderr);
        Assert.Equal(2, File.ReadAllLines(PidFile).Length);
        var warnings = Events("growth");
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("memory grows ", warnings[0].GetProperty("reason").GetString());
        Assert.Single(Events("give_up"));
        AssertNoSurvivors();

        // Each incarnation is a run: the journal keeps its warning, and that it stopped it.
        var list = ReinProcess.Run(["journal", "--json"], HomeEnv());
        var runs = System
            .Text.Json.JsonDocument.Parse(list.Stdout)
            .RootElement.GetProperty("runs")
            .EnumerateArray()
            .ToList();
        Assert.Equal(2, runs.Count);
        Assert.All(
            runs,
            run =>
            {
                Assert.NotEqual(
                    System.Text.Json.JsonValueKind.Null,
                    run.GetProperty("supervision").ValueKind
                );
                var growth = run.GetProperty("growth");
                Assert.True(growth.GetProperty("stopped").GetBoolean(), run.ToString());
                Assert.Equal("memory", growth.GetProperty("limit").GetString());
            }
        );
    }
}
