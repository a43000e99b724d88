using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cadence;

/// <summary>The cadence across real rein processes: atomic check-and-mark, the verbs, refusals in the journal.</summary>
public sealed class CadenceCliTests : RunTestBase
{
    /// <summary>A model id of this test's own (the state directory is the test's too).</summary>
    // No 'b' from the marker's hex: "…8684022b-7b" reads as 8,684,022B parameters, and the fit check refuses it.
    string Model(string name = "m") => $"test-org/{name}-{Marker[^8..].Replace('b', 'x')}-7b";

    string Log => Path.Combine(Scratch, "ran");

    string[] Logging => ["sh", "-c", $"echo ran >> {Log}"];

    static JsonElement Json(RunResult r) => JsonDocument.Parse(r.Stdout).RootElement;

    List<JsonElement> Journal() =>
        [
            .. Json(ReinProcess.Run(["journal", "--json", "--last", "100"], HomeEnv()))
                .GetProperty("runs")
                .EnumerateArray(),
        ];

    [Fact]
    public void Twenty_runs_racing_for_one_model_start_exactly_one()
    {
        Requires.TestHooks();
        var model = Model();
        var racers = Enumerable
            .Range(0, 20)
            .Select(_ =>
                // The fault hook widens the window between "clear" and the mark to 100 ms: a check and a mark that
                // were two steps would let several through.
                ReinProcess.Start(
                    ["run", "--model", model, "--", .. Logging],
                    HomeEnv(("REIN_FAULT", "slow-cadence-mark"))
                )
            )
            .ToList();
        var results = racers.Select(p => p.Wait(TimeSpan.FromSeconds(60))).ToList();
        racers.ForEach(p => p.Dispose());

        Assert.Single(results, r => r.ExitCode == 0);
        Assert.Equal(19, results.Count(r => r.ExitCode == 75));
        Assert.Single(File.ReadAllLines(Log));
        var refused = results.First(r => r.ExitCode == 75).Stderr;
        Assert.Contains("same-model interval is 3m00s", refused);
        Assert.Contains("--wait", refused);

        // Every refusal is in the journal with its code, the model and the run in the way.
        var runs = Journal();
        var winner = Assert.Single(runs, r => r.GetProperty("outcome").GetString() == "exited");
        var losers = runs.Where(r => r.GetProperty("outcome").GetString() == "refused").ToList();
        Assert.Equal(19, losers.Count);
        Assert.All(
            losers,
            r =>
            {
                Assert.Equal(model, r.GetProperty("model").GetString());
                var refusal = r.GetProperty("refusal");
                Assert.Equal("cadence_same_model", refusal.GetProperty("code").GetString());
                Assert.Equal(
                    winner.GetProperty("run_id").GetString(),
                    refusal.GetProperty("holders")[0].GetProperty("run_id").GetString()
                );
            }
        );
    }

    [Fact]
    public void Ten_acquires_at_once_let_one_through()
    {
        Requires.TestHooks();
        var model = Model();
        var callers = Enumerable
            .Range(0, 10)
            .Select(_ =>
                ReinProcess.Start(
                    ["cadence", "acquire", model],
                    HomeEnv(("REIN_FAULT", "slow-cadence-mark"))
                )
            )
            .ToList();
        var results = callers.Select(p => p.Wait(TimeSpan.FromSeconds(60))).ToList();
        callers.ForEach(p => p.Dispose());

        Assert.Single(results, r => r.ExitCode == 0);
        Assert.Equal(9, results.Count(r => r.ExitCode == 75));
        Assert.Contains("same-model interval", results.First(r => r.ExitCode == 75).Stderr);
        var status = Json(ReinProcess.Run(["cadence", "status", "--json"], HomeEnv()));
        var load = Assert.Single(status.GetProperty("loads").EnumerateArray());
        // The holder is the caller (this test process), which is alive: the load is running.
        Assert.Equal(Environment.ProcessId, load.GetProperty("pid").GetInt32());
        Assert.Equal("running", load.GetProperty("state").GetString());
    }

    [Fact]
    public void Acquire_check_release_and_status_work_together()
    {
        var model = Model();
        Assert.Equal(0, ReinProcess.Run(["cadence", "check", model], HomeEnv()).ExitCode);
        var acquired = ReinProcess.Run(["cadence", "acquire", model, "--json"], HomeEnv());
        Assert.Equal(0, acquired.ExitCode);
        Assert.True(Json(acquired).GetProperty("clear").GetBoolean());

        var check = ReinProcess.Run(["cadence", "check", model, "--json"], HomeEnv());
        Assert.Equal(75, check.ExitCode);
        var refusal = Json(check).GetProperty("refusal");
        Assert.Equal("cadence_same_model", refusal.GetProperty("code").GetString());
        Assert.Equal(
            "running",
            refusal.GetProperty("facts").GetProperty("blocking_state").GetString()
        );
        Assert.Contains(
            "still running",
            ReinProcess.Run(["cadence", "check", model], HomeEnv()).Stdout
        );

        Assert.Equal(0, ReinProcess.Run(["cadence", "release", model], HomeEnv()).ExitCode);
        var again = ReinProcess.Run(["cadence", "release", model], HomeEnv());
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already released", again.Stderr);
        var typo = ReinProcess.Run(["cadence", "release", model + "x"], HomeEnv());
        Assert.Equal(1, typo.ExitCode);
        Assert.Contains("no load of", typo.Stderr);

        var status = Json(ReinProcess.Run(["cadence", "status", "--json"], HomeEnv()));
        Assert.Equal("released", status.GetProperty("loads")[0].GetProperty("state").GetString());
        var block = Assert.Single(
            status.GetProperty("blocks").EnumerateArray(),
            b => b.GetProperty("rule").GetString() == "same_model"
        );
        Assert.Equal(model, block.GetProperty("scope").GetString());
        Assert.InRange(block.GetProperty("remaining_s").GetDouble(), 170, 180);
        var table = ReinProcess.Run(["cadence", "status"], HomeEnv(("COLUMNS", "80")));
        Assert.Contains("cadence.same_model_interval = 180s (default)", table.Stdout);
        Assert.Contains("same model", table.Stdout);
        Assert.All(
            table.Stdout.Split('\n'),
            l => Assert.True(l.Length <= 80, $"wider than 80: {l}")
        );
    }

    [Fact]
    public void Acquire_with_wait_goes_ahead_once_the_interval_has_passed()
    {
        var model = Model();
        string[] interval = ["--same-model-interval", "2s"];
        Assert.Equal(
            0,
            ReinProcess.Run(["cadence", "acquire", model, .. interval], HomeEnv()).ExitCode
        );
        Assert.Equal(
            75,
            ReinProcess.Run(["cadence", "acquire", model, .. interval], HomeEnv()).ExitCode
        );
        var waited = ReinProcess.Run(
            ["cadence", "acquire", model, "--wait", "20s", .. interval],
            HomeEnv()
        );
        Assert.Equal(0, waited.ExitCode);
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
        Assert.Contains("waiting for the cadence of", waited.Stderr);
    }

    [Fact]
    public void Run_with_wait_waits_for_the_cadence_like_a_busy_lock()
    {
        var model = Model();
        var env = HomeEnv(("REIN_SAME_MODEL_INTERVAL", "2s"));
        Assert.Equal(0, ReinProcess.Run(["run", "--model", model, "--", .. Logging], env).ExitCode);
        var waited = ReinProcess.Run(
            ["run", "--model", model, "--wait", "20s", "--", .. Logging],
            env
        );
        Assert.True(waited.ExitCode == 0, $"exit {waited.ExitCode}: {waited.Stderr}");
        Assert.Equal(2, File.ReadAllLines(Log).Length);
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void The_family_floor_spaces_different_models_and_the_refusal_says_so()
    {
        Assert.Equal(
            0,
            ReinProcess
                .Run(["run", "--model", "unsloth/gemma-4-e4b-it", "--", .. Logging], HomeEnv())
                .ExitCode
        );
        var r = ReinProcess.Run(["run", "--model", Model(), "--", .. Logging], HomeEnv());
        Assert.Equal(75, r.ExitCode);
        Assert.Contains(
            "'unsloth/gemma-4-e4b-it' is in the gemma-4 family, whose floor of 1m30s (built-in)",
            r.Stderr
        );
        Assert.Equal(
            "cadence_family_floor",
            Journal()[0].GetProperty("refusal").GetProperty("code").GetString()
        );
        // The cross-model interval off and the floor overridden: the same pair passes.
        File.WriteAllText(
            Path.Combine(Scratch, "rein.toml"),
            "[[cadence.family]]\nname = \"gemma-4\"\npattern = \"^gemma-4-\"\nfloor = \"0\"\n"
        );
        Assert.Equal(
            0,
            ReinProcess
                .Run(
                    ["run", "--model", Model(), "--", .. Logging],
                    HomeEnv(),
                    workingDirectory: Scratch
                )
                .ExitCode
        );
    }

    [Fact]
    public void The_kill_switch_turns_the_cadence_off()
    {
        var model = Model();
        var off = HomeEnv(("REIN_CADENCE", "off"));
        Assert.Equal(0, ReinProcess.Run(["run", "--model", model, "--", .. Logging], off).ExitCode);
        Assert.Equal(0, ReinProcess.Run(["run", "--model", model, "--", .. Logging], off).ExitCode);
        Assert.Equal(2, File.ReadAllLines(Log).Length);
        Assert.Equal(0, ReinProcess.Run(["cadence", "acquire", model], off).ExitCode);
        Assert.Equal(0, ReinProcess.Run(["cadence", "acquire", model], off).ExitCode);
    }

    [Theory]
    [InlineData("--cross-model-interval", "soon", null, "flag --cross-model-interval")]
    [InlineData(null, null, "soon", "env REIN_CROSS_MODEL_INTERVAL")]
    public void A_bad_interval_is_one_line_naming_its_source(
        string? flag,
        string? value,
        string? env,
        string named
    )
    {
        string[] flags = flag is null ? [] : [flag, value!];
        var environment = env is null ? HomeEnv() : HomeEnv(("REIN_CROSS_MODEL_INTERVAL", env));
        var run = ReinProcess.Run(["run", "--model", Model(), .. flags, "--", "true"], environment);
        Assert.Equal(125, run.ExitCode);
        Assert.Contains(named, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        var check = ReinProcess.Run(["cadence", "check", Model(), .. flags], environment);
        Assert.Equal(2, check.ExitCode);
        Assert.Contains(named, check.Stderr);
        Assert.DoesNotContain("   at ", check.Stderr);
    }

    [Fact]
    public void A_run_whose_rein_was_killed_counts_as_released_at_its_last_sign_of_life()
    {
        var model = Model();
        using (
            var rein = ReinProcess.Start(
                ["run", "--model", model, "--", Paths.Helper, Marker, "hang"],
                HomeEnv()
            )
        )
        {
            // Rein's own argv carries the marker too, so wait for the run itself to be listed
            // (its record is written before the command is spawned).
            Assert.True(
                ProcessProbe.WaitUntil(
                    () =>
                        Json(ReinProcess.Run(["ps", "--json"], HomeEnv()))
                            .GetProperty("runs")
                            .GetArrayLength() > 0,
                    TimeSpan.FromSeconds(10)
                ),
                "the run never appeared in rein ps"
            );
            var ps = Json(ReinProcess.Run(["ps", "--json"], HomeEnv()));
            Assert.Equal(model, ps.GetProperty("runs")[0].GetProperty("model").GetString());
            Assert.Contains(
                "running",
                ReinProcess.Run(["cadence", "check", model], HomeEnv()).Stdout
            );
            // The guard's heartbeat (every 5 s) refreshes the run's last sign of life.
            Assert.True(
                ProcessProbe.WaitUntil(
                    () =>
                    {
                        var load = Json(ReinProcess.Run(["cadence", "status", "--json"], HomeEnv()))
                            .GetProperty("loads")[0];
                        return load.GetProperty("seen_at").GetDateTimeOffset()
                            > load.GetProperty("started_at").GetDateTimeOffset();
                    },
                    TimeSpan.FromSeconds(12)
                ),
                "no heartbeat within 12 s"
            );
            AssertSigkillOfReinKillsTheTree(rein);
            rein.WaitForExit(TimeSpan.FromSeconds(10));
        }

        var check = Json(ReinProcess.Run(["cadence", "check", model, "--json"], HomeEnv()));
        var facts = check.GetProperty("refusal").GetProperty("facts");
        Assert.Equal("vanished", facts.GetProperty("blocking_state").GetString());
        // Released at the last beat: about 5 s after the start, not at the start.
        var started = DateTimeOffset.Parse(
            facts.GetProperty("blocking_started_at").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture
        );
        var released = DateTimeOffset.Parse(
            facts.GetProperty("blocking_released_at").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture
        );
        Assert.InRange(released - started, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(11));
    }

    [Fact]
    public void The_journal_table_shows_the_models_of_each_run()
    {
        var model = Model();
        ReinProcess.Run(["run", "--model", model, "--", "true"], HomeEnv());
        // 80 columns: the details go under the row, the model after the command.
        var narrow = ReinProcess.Run(["journal"], HomeEnv(("COLUMNS", "80")));
        Assert.Contains($"    true  (model {model})", narrow.Stdout);
        var wide = ReinProcess.Run(["journal"], HomeEnv(("COLUMNS", "160")));
        Assert.EndsWith("command  model", wide.Stdout.Split('\n')[0].TrimEnd());
        Assert.Contains(model, wide.Stdout);
    }

    [Fact]
    public void An_acquire_inside_a_run_with_models_is_released_when_the_run_ends()
    {
        var outer = Model("outer");
        var inner = Model("inner");
        var r = ReinProcess.Run(
            ["run", "--model", outer, "--", Paths.Rein, "cadence", "acquire", inner],
            HomeEnv()
        );
        Assert.Equal(0, r.ExitCode);
        var loads = Json(ReinProcess.Run(["cadence", "status", "--json"], HomeEnv()))
            .GetProperty("loads")
            .EnumerateArray()
            .ToList();
        Assert.Equal(2, loads.Count);
        Assert.All(loads, l => Assert.Equal("released", l.GetProperty("state").GetString()));
        Assert.Single(loads.Select(l => l.GetProperty("token").GetString()).Distinct());
    }
}
