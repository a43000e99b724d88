using System.Text.Json;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Panics;

/// <summary>The panic gate as a user meets it, through the binary: a simulated reboot under a --model run (a
/// suspected panic) refuses the next one; rein ack lifts a lockout; REIN_PANIC_GATE=off; fail-open.</summary>
public sealed class PanicGateCliTests : RunTestBase
{
    const string Model = "test-org/tiny-1B";

    /// <summary>A private state directory and empty report places: the machine's own reports never leak in.</summary>
    Dictionary<string, string?> Env(params (string Key, string Value)[] more)
    {
        if (more.Any(m => m.Key == "REIN_BOOT_ID"))
        {
            Requires.TestHooks(); // a simulated reboot
        }

        var empty = Directory.CreateDirectory(Path.Combine(Scratch, "empty")).FullName;
        return HomeEnv([
            ("REIN_DIAGNOSTIC_REPORTS", Path.Combine(Scratch, "no-reports")),
            ("REIN_PSTORE_DIR", empty),
            ("REIN_CRASH_DIR", empty),
            ("REIN_PREVIOUS_KERNEL_LOG", "off"),
            ("REIN_CADENCE", "off"), // the same model loads again within seconds here
            .. more,
        ]);
    }

    /// <summary>A --model run alive when "the machine went down": rein SIGKILLed under boot id <paramref name="boot"/>
    /// (no end record, and nothing else runs in that boot), then the next rein sees another boot id.</summary>
    void CrashUnderModelRun(string boot)
    {
        File.Delete(PidFile);
        using var rein = ReinProcess.Start(
            RunArgs(["--model", Model, "--no-fit-check"], "pidfile", PidFile, "hang"),
            Env(("REIN_BOOT_ID", boot), ("REIN_PANIC_GATE", "off"))
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(20));
        LibC.kill(rein.Pid, LibC.SIGKILL);
        rein.WaitForExit(TimeSpan.FromSeconds(10));
    }

    static JsonElement Json(string[] args, Dictionary<string, string?> env)
    {
        var r = ReinProcess.Run(args, env);
        Assert.True(
            r.ExitCode is 0 or 75,
            $"rein {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}"
        );
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Fact]
    public void A_suspected_panic_from_a_reboot_refuses_the_next_model_run_and_the_journal_shows_it()
    {
        CrashUnderModelRun("boot-before-" + Marker);
        var after = Env(("REIN_BOOT_ID", "boot-after-" + Marker));

        var refused = ReinProcess.Run(
            ["run", "--model", Model, "--no-fit-check", "--", Paths.Helper, Marker, "exit", "0"],
            after
        );
        Assert.Equal(75, refused.ExitCode);
        Assert.Contains("a kernel panic", refused.Stderr);
        Assert.Contains("suspected", refused.Stderr);
        Assert.Contains("cooldown", refused.Stderr);

        var journal = Json(["journal", "--json"], after);
        var crashed = journal
            .GetProperty("runs")
            .EnumerateArray()
            .Single(r => r.GetProperty("state").GetString() == "unclean")
            .GetProperty("run_id")
            .GetString();
        var run = journal
            .GetProperty("runs")
            .EnumerateArray()
            .First(r => r.GetProperty("outcome").GetString() == "refused");
        var refusal = run.GetProperty("refusal");
        Assert.Equal("panic_cooldown", refusal.GetProperty("code").GetString());
        Assert.Equal("panic", refusal.GetProperty("gate").GetString());

        var panics = Json(["panics", "--json"], after);
        Assert.Equal("rein.panics/1", panics.GetProperty("schema").GetString());
        var panic = Assert.Single(panics.GetProperty("panics").EnumerateArray());
        Assert.Equal("suspected", panic.GetProperty("kind").GetString());
        Assert.Equal("suspected:" + crashed, panic.GetProperty("source").GetString());
        Assert.Contains(
            panic.GetProperty("runs_alive").EnumerateArray(),
            r => r.GetProperty("run_id").GetString() == crashed
        );
        Assert.Equal(
            Model,
            Assert.Single(panic.GetProperty("models_alive").EnumerateArray()).GetString()
        );

        // A run without --model is not gated.
        Assert.Equal(
            0,
            ReinProcess.Run(["run", "--", Paths.Helper, Marker, "exit", "0"], after).ExitCode
        );

        // The same phrasing, exit 75, from rein cadence acquire.
        var acquire = ReinProcess.Run(["cadence", "acquire", Model], after);
        Assert.Equal(75, acquire.ExitCode);
        Assert.Contains("a kernel panic", acquire.Stderr);
    }

    [Fact]
    public void Rein_ack_lifts_a_lockout_end_to_end()
    {
        // Cooldowns off, so only the lockout (2 panics within 24 h) stands between the user and the run.
        (string, string)[] noCooldowns =
        [
            ("REIN_PANIC_GATE_COOLDOWN", "0"),
            ("REIN_PANIC_GATE_BREAKER_COOLDOWN", "0"),
        ];
        CrashUnderModelRun("boot-1-" + Marker);
        CrashUnderModelRun("boot-2-" + Marker);
        var now = Env([("REIN_BOOT_ID", "boot-3-" + Marker), .. noCooldowns]);

        var gate = ReinProcess.Run(["gate", "--json"], now);
        Assert.True(gate.ExitCode == 75, gate.Stdout + gate.Stderr);
        var doc = JsonDocument.Parse(gate.Stdout).RootElement;
        Assert.Equal("rein.gate/1", doc.GetProperty("schema").GetString());
        Assert.Equal("lockout", doc.GetProperty("state").GetString());
        Assert.Equal("panic_lockout", doc.GetProperty("code").GetString());
        Assert.Equal(2, doc.GetProperty("panics").GetArrayLength());

        string[] run =
        [
            "run",
            "--model",
            Model,
            "--no-fit-check",
            "--",
            Paths.Helper,
            Marker,
            "exit",
            "0",
        ];
        var locked = ReinProcess.Run(run, now);
        Assert.Equal(75, locked.ExitCode);
        Assert.Contains("rein ack", locked.Stderr);

        var ack = ReinProcess.Run(["ack"], now);
        Assert.Equal(0, ack.ExitCode);
        Assert.Contains("the lockout is lifted until", ack.Stdout);

        Assert.Equal(0, ReinProcess.Run(["gate"], now).ExitCode);
        Assert.Equal(0, ReinProcess.Run(run, now).ExitCode);

        var again = ReinProcess.Run(["ack"], now);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing new to acknowledge", again.Stdout);
    }

    [Fact]
    public void Ack_with_nothing_to_acknowledge_says_so()
    {
        var r = ReinProcess.Run(["ack"], Env());
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("nothing to acknowledge", r.Stdout);
        Assert.Equal(0, ReinProcess.Run(["gate"], Env()).ExitCode);
    }

    [Fact]
    public void REIN_PANIC_GATE_off_lets_model_runs_through()
    {
        CrashUnderModelRun("boot-a-" + Marker);
        var after = Env(("REIN_BOOT_ID", "boot-b-" + Marker), ("REIN_PANIC_GATE", "off"));
        var r = ReinProcess.Run(
            ["run", "--model", Model, "--no-fit-check", "--", Paths.Helper, Marker, "exit", "0"],
            after
        );
        Assert.True(r.ExitCode == 0, r.Stderr);
        var gate = ReinProcess.Run(["gate"], after);
        Assert.Equal(0, gate.ExitCode);
        Assert.Contains("off", gate.Stdout);
    }

    [Fact]
    public void A_fresh_real_panic_report_blocks_and_is_listed()
    {
        var reports = Directory
            .CreateDirectory(Path.Combine(Scratch, "DiagnosticReports"))
            .FullName;
        File.Copy(
            Paths.Fixture(
                "diagnostics",
                "panic",
                "iogpu-completememory-underflow-550-mlx-lm-1666.head-excerpt.panic.txt"
            ),
            Path.Combine(reports, "Kernel-iogpu.panic")
        );
        // No timestamp inside: its time is the file's. A copy keeps the fixture's mtime (its checkout's), so set it.
        File.SetLastWriteTimeUtc(Path.Combine(reports, "Kernel-iogpu.panic"), DateTime.UtcNow);
        var env = Env(("REIN_DIAGNOSTIC_REPORTS", reports));
        var gate = ReinProcess.Run(["gate"], env);
        Assert.Equal(75, gate.ExitCode);
        Assert.Contains("IOGPUMemory.cpp:550", gate.Stdout);

        env["COLUMNS"] = "80";
        var listed = ReinProcess.Run(["panics"], env);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("prepare_count_underflow", listed.Stdout);
        Assert.Contains("IOGPUMemory.cpp:550", listed.Stdout);
        Assert.All(listed.Stdout.TrimEnd().Split('\n'), l => Assert.True(l.Length <= 80, l));

        var doctor = ReinProcess.Run(["doctor", "--json", "--check", "panics"], env);
        Assert.Contains("IOGPUMemory.cpp:550", doctor.Stdout);
    }

    [Fact]
    public void An_unreadable_reports_folder_is_said_loudly_and_the_run_proceeds()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root reads every folder");
        var reports = Directory.CreateDirectory(Path.Combine(Scratch, "locked")).FullName;
        File.SetUnixFileMode(reports, UnixFileMode.None);
        var r = ReinProcess.Run(
            ["run", "--model", Model, "--no-fit-check", "--", Paths.Helper, Marker, "exit", "0"],
            Env(("REIN_DIAGNOSTIC_REPORTS", reports))
        );
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("WARNING", r.Stderr);
        Assert.Contains("fail-open", r.Stderr);
    }

    [Fact]
    public void Bad_since_is_a_one_line_usage_error()
    {
        var r = ReinProcess.Run(["panics", "--since", "soon"], Env());
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
    }
}
