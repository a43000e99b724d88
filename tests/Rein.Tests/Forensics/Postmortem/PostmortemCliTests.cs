using System.Text.Json;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Postmortem;

/// <summary><c>rein postmortem</c> through the binary: a --model run that marked a PRE when "the machine went down"
/// (rein SIGKILLed under one boot id, the next rein under another) is in the bundle's timeline before the crash.</summary>
public sealed class PostmortemCliTests : RunTestBase
{
    const string Model = "test-org/tiny-1B";

    Dictionary<string, string?> Env(params (string Key, string Value)[] more)
    {
        if (more.Any(m => m.Key == "REIN_BOOT_ID"))
        {
            Requires.TestHooks(); // a simulated reboot
        }

        var empty = Directory.CreateDirectory(Path.Combine(Scratch, "empty")).FullName;
        return HomeEnv([
            ("REIN_DIAGNOSTIC_REPORTS", empty),
            ("REIN_PSTORE_DIR", empty),
            ("REIN_CRASH_DIR", empty),
            ("REIN_PREVIOUS_KERNEL_LOG", "off"),
            ("REIN_CADENCE", "off"),
            .. more,
        ]);
    }

    [Fact]
    public void A_crash_under_a_model_run_is_a_timeline_with_its_run_and_breadcrumbs()
    {
        var boot = Env(("REIN_BOOT_ID", "boot-a-" + Marker), ("REIN_PANIC_GATE", "off"));
        var script =
            $"'{Paths.Rein}' mark pre {Model} --note 'batch 7' && exec '{Paths.Helper}' {Marker} pidfile '{PidFile}' hang";
        using (
            var rein = ReinProcess.Start(
                ["run", "--model", Model, "--no-fit-check", "--", "sh", "-c", script],
                boot
            )
        )
        {
            ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(20));
            LibC.kill(rein.Pid, LibC.SIGKILL);
            rein.WaitForExit(TimeSpan.FromSeconds(10));
        }

        var after = Env(("REIN_BOOT_ID", "boot-b-" + Marker));
        var dir = Path.Combine(Scratch, "bundle");
        var r = ReinProcess.Run(["postmortem", dir, "--json"], after);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var result = JsonDocument.Parse(r.Stdout);
        Assert.Equal("rein.postmortem/1", result.RootElement.GetProperty("schema").GetString());
        Assert.Equal(1, result.RootElement.GetProperty("panics").GetInt32());
        Assert.Equal(1, result.RootElement.GetProperty("breadcrumbs").GetInt32());

        var index = File.ReadAllText(Path.Combine(dir, "index.md"));
        var lines = index.Split('\n');
        var started = Array.FindIndex(
            lines,
            l =>
                l.Contains("started `sh -c", StringComparison.Ordinal)
                && l.Contains(Model, StringComparison.Ordinal)
        );
        var pre = Array.FindIndex(
            lines,
            l =>
                l.Contains($"PRE model {Model} (pid", StringComparison.Ordinal)
                && l.Contains("batch 7", StringComparison.Ordinal)
        );
        var down = Array.FindIndex(
            lines,
            l => l.Contains("machine down (suspected panic", StringComparison.Ordinal)
        );
        Assert.True(started >= 0 && pre > started && down > pre, index);
        using var ledger = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "ledger.json")));
        Assert.Equal("suspected", ledger.RootElement[0].GetProperty("kind").GetString());

        var again = ReinProcess.Run(["postmortem", dir], after);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("not empty", again.Stderr);
        Assert.Single(again.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void No_panics_is_said_and_the_bundle_is_still_written()
    {
        var dir = Path.Combine(Scratch, "quiet");
        var r = ReinProcess.Run(["postmortem", dir], Env());
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("0 panic(s)", r.Stdout);
        Assert.Contains(
            "No panics in this window.",
            File.ReadAllText(Path.Combine(dir, "index.md"))
        );
        Assert.Equal(2, ReinProcess.Run(["postmortem", dir, "--since", "soon"], Env()).ExitCode);
    }
}
