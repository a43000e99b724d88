using System.Text.Json;
using Rein.Models;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Models;

/// <summary>`rein gate hold` / `release` as a person uses them, through the binary: every model load is refused with
/// the reason while the hold stands (rein run --model, rein cadence acquire, rein gate), journaled as load_hold;
/// a release or the end of the hold lets loads through; the panic gate's kill switch does not lift it.</summary>
public sealed class LoadHoldTests : RunTestBase
{
    const string Model = "test-org/tiny-1B";

    Dictionary<string, string?> Env(params (string Key, string Value)[] more)
    {
        var empty = Directory.CreateDirectory(Path.Combine(Scratch, "empty")).FullName;
        return HomeEnv([
            ("REIN_DIAGNOSTIC_REPORTS", Path.Combine(Scratch, "no-reports")),
            ("REIN_PSTORE_DIR", empty),
            ("REIN_CRASH_DIR", empty),
            ("REIN_PREVIOUS_KERNEL_LOG", "off"),
            ("REIN_CADENCE", "off"),
            .. more,
        ]);
    }

    string[] ModelRun() =>
        ["run", "--model", Model, "--no-fit-check", "--", Paths.Helper, Marker, "exit", "0"];

    [Fact]
    public void A_hold_refuses_every_model_load_with_its_reason_until_it_is_released()
    {
        var env = Env();
        var reason = "panic #10, waiting for the driver fix " + Marker;
        var set = ReinProcess.Run(["gate", "hold", "6h", "--reason", reason], env);
        Assert.Equal(0, set.ExitCode);
        Assert.Contains("model loads held until", set.Stdout);

        var refused = ReinProcess.Run(ModelRun(), env);
        Assert.Equal(75, refused.ExitCode);
        Assert.Contains("model loads are on hold", refused.Stderr);
        Assert.Contains(reason, refused.Stderr);
        Assert.Contains("rein gate release", refused.Stderr);

        var acquire = ReinProcess.Run(["cadence", "acquire", Model], env);
        Assert.Equal(75, acquire.ExitCode);
        Assert.Contains(reason, acquire.Stderr);

        var gate = ReinProcess.Run(["gate", "--json"], env);
        Assert.Equal(75, gate.ExitCode);
        var doc = JsonDocument.Parse(gate.Stdout).RootElement;
        Assert.Equal("load_hold", doc.GetProperty("code").GetString());
        Assert.Equal(reason, doc.GetProperty("hold").GetProperty("reason").GetString());
        Assert.InRange(doc.GetProperty("remaining_s").GetInt64(), 6 * 3600 - 120, 6 * 3600);

        var journal = JsonDocument
            .Parse(ReinProcess.Run(["journal", "--json"], env).Stdout)
            .RootElement;
        var run = journal
            .GetProperty("runs")
            .EnumerateArray()
            .First(r => r.GetProperty("outcome").GetString() == "refused");
        Assert.Equal("load_hold", run.GetProperty("refusal").GetProperty("code").GetString());
        Assert.Equal("hold", run.GetProperty("refusal").GetProperty("gate").GetString());

        // A plain run (no --model) is not a model load: the hold does not touch it.
        var plain = ReinProcess.Run(["run", "--", Paths.Helper, Marker, "exit", "0"], env);
        Assert.Equal(0, plain.ExitCode);

        var release = ReinProcess.Run(["gate", "release"], env);
        Assert.Equal(0, release.ExitCode);
        Assert.Contains("released the hold", release.Stdout);
        Assert.Equal(0, ReinProcess.Run(ModelRun(), env).ExitCode);
        Assert.Equal(0, ReinProcess.Run(["gate"], env).ExitCode);
        Assert.Contains("no hold was in force", ReinProcess.Run(["gate", "release"], env).Stdout);
    }

    [Fact]
    public void The_panic_gate_kill_switch_does_not_lift_a_hold()
    {
        var env = Env(("REIN_PANIC_GATE", "off"));
        Assert.Equal(
            0,
            ReinProcess.Run(["gate", "hold", "1h", "--reason", "keep the GPU idle"], env).ExitCode
        );
        var refused = ReinProcess.Run(ModelRun(), env);
        Assert.Equal(75, refused.ExitCode);
        Assert.Contains("keep the GPU idle", refused.Stderr);
    }

    [Theory]
    [InlineData(new[] { "gate", "hold", "soon", "--reason", "x" }, "rein gate hold:")]
    [InlineData(new[] { "gate", "hold", "0s", "--reason", "x" }, "not a hold length")]
    [InlineData(new[] { "gate", "hold", "90d", "--reason", "x" }, "at most 30d")]
    [InlineData(new[] { "gate", "hold", "1h", "--reason", "  " }, "--reason must say why")]
    public void Bad_hold_input_is_one_line_and_exit_2(string[] args, string expected)
    {
        var r = ReinProcess.Run(args, Env());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_hold_ends_by_itself_and_a_malformed_hold_file_holds_nothing()
    {
        var state = Directory.CreateDirectory(Path.Combine(Scratch, "holdstate")).FullName;
        var store = new LoadHoldStore(state);
        var t0 = new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
        store.Set(t0, TimeSpan.FromHours(1), "why", "someone");
        Assert.NotNull(store.Read(t0.AddMinutes(59)).Hold);
        Assert.Null(store.Read(t0.AddMinutes(61)).Hold);

        File.WriteAllText(Path.Combine(state, "gate", "hold"), "{\"until\": 5}");
        var (hold, problem) = store.Read(t0);
        Assert.Null(hold);
        Assert.Contains("not a hold record", problem);
        Assert.Null(store.Release(t0));
        Assert.False(File.Exists(Path.Combine(state, "gate", "hold")));
    }
}
