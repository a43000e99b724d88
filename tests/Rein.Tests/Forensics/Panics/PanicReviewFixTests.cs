using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Rein.Diagnostics.Parsers;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Panics;

/// <summary>The review findings on the ledger and the gate, through the binary with private report places: one
/// crash's many reports count once, a future-dated panic counts now, a touched report is not a new panic, a FIFO
/// does not hang the gate, a corrupt report keeps being reported.</summary>
public sealed class PanicReviewFixTests : RunTestBase
{
    string Dir(string name) => Directory.CreateDirectory(Path.Combine(Scratch, name)).FullName;

    Dictionary<string, string?> Env(string? kernelLog = null)
    {
        Requires.TestHooks(); // REIN_BOOT_ID
        return HomeEnv(
            ("REIN_BOOT_ID", "boot-" + Marker),
            ("REIN_DIAGNOSTIC_REPORTS", Dir("reports")),
            ("REIN_PSTORE_DIR", Dir("pstore")),
            ("REIN_CRASH_DIR", Dir("crash")),
            ("REIN_PREVIOUS_KERNEL_LOG", kernelLog ?? "off")
        );
    }

    static JsonElement Json(string[] args, Dictionary<string, string?> env)
    {
        var r = ReinProcess.Run(args, env, TimeSpan.FromSeconds(60));
        Assert.True(
            r.ExitCode is 0 or 75,
            $"rein {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}"
        );
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    static string State(JsonElement gate) => gate.GetProperty("state").GetString()!;

    static string KernelLogLine(DateTimeOffset at, string what) =>
        $"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffff}+00:00 host kernel: Kernel panic - not syncing: {what}\n";

    [Fact]
    public void One_linux_crash_reported_five_ways_is_one_panic_and_a_cooldown()
    {
        var env = Env(Path.Combine(Scratch, "kernel.log"));
        var pstore = Path.Combine(Scratch, "pstore");
        var crash = Path.Combine(Scratch, "crash");
        var what = "Fatal exception " + Marker;
        File.WriteAllText(
            Path.Combine(pstore, "dmesg-efi-172000000101001"),
            $"Panic#1 Part1\n<0>[  812.3] Kernel panic - not syncing: {what}\n"
        );
        File.WriteAllText(
            Path.Combine(pstore, "dmesg-efi-172000000102001"),
            "Panic#1 Part2\n<4>[  812.1] RIP: 0010:some_function+0x10/0x20\n"
        );
        var kdump = Dir(Path.Combine("crash", "202611240102"));
        File.WriteAllText(
            Path.Combine(kdump, "dmesg.202611240102"),
            $"[ 812.3] Kernel panic - not syncing: {what}\n"
        );
        var local = DateTime.Now.AddMinutes(-1);
        File.WriteAllText(
            Path.Combine(crash, "linux-image-6.8.0-45-generic-202611240102.crash"),
            "ProblemType: KernelCrash\nDate: "
                + local.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture)
                + $"\nTitle: {what}\n"
        );
        File.WriteAllText(
            Path.Combine(Scratch, "kernel.log"),
            KernelLogLine(DateTimeOffset.UtcNow.AddMinutes(-3), what)
        );

        var gate = Json(["gate", "--json"], env);
        Assert.Equal("cooldown", State(gate));
        Assert.Single(gate.GetProperty("panics").EnumerateArray());
        var panic = Assert.Single(
            Json(["panics", "--json"], env).GetProperty("panics").EnumerateArray()
        );
        Assert.Contains(what, panic.GetProperty("signature").GetString());
    }

    [Fact]
    public void A_future_dated_panic_counts_now_and_rein_ack_reports_the_real_state()
    {
        var now = DateTimeOffset.UtcNow;
        var log = Path.Combine(Scratch, "kernel.log");
        File.WriteAllText(
            log,
            KernelLogLine(now.AddHours(-5), "first " + Marker)
                + KernelLogLine(now.AddHours(-3), "second " + Marker)
                + KernelLogLine(now.AddHours(3), "skewed " + Marker)
        );
        var env = Env(log);

        Assert.Equal("lockout", State(Json(["gate", "--json"], env)));
        var skewed = Json(["panics", "--json"], env)
            .GetProperty("panics")
            .EnumerateArray()
            .Single(p => p.GetProperty("signature").GetString()!.Contains("skewed"));
        Assert.True(
            DateTimeOffset.Parse(
                skewed.GetProperty("time").GetString()!,
                CultureInfo.InvariantCulture
            ) <= DateTimeOffset.UtcNow
        );
        Assert.Contains("clock skew", skewed.GetProperty("signature").GetString());

        var ack = Json(["ack", "--json"], env);
        Assert.True(ack.GetProperty("recorded").GetBoolean());
        var after = ack.GetProperty("state_after").GetString();
        var gate = Json(["gate", "--json"], env);
        Assert.Equal(State(gate), after);
        // The skewed panic is now: the ack lifts the lockout, and its cooldown runs.
        Assert.Equal("cooldown", after);
        if (after == "lockout")
        {
            Assert.DoesNotContain("lifted", ack.GetProperty("message").GetString());
        }
    }

    [Fact]
    public void A_touched_or_copied_report_without_a_time_is_the_same_panic()
    {
        var env = Env();
        var reports = Path.Combine(Scratch, "reports");
        var report = Path.Combine(reports, "Kernel-touched.panic");
        File.WriteAllText(
            report,
            $"panic(cpu 1 caller 0x1): \"completeMemory() prepare count underflow {Marker}\" @IOGPUMemory.cpp:550\n"
        );
        File.SetLastWriteTimeUtc(report, DateTime.UtcNow.AddHours(-30));
        Assert.Single(Json(["panics", "--json"], env).GetProperty("panics").EnumerateArray());

        File.SetLastWriteTimeUtc(report, DateTime.UtcNow.AddMinutes(-1));
        var retired = Dir(Path.Combine("reports", "Retired"));
        File.Copy(report, Path.Combine(retired, "Kernel-touched.panic"));
        File.SetLastWriteTimeUtc(Path.Combine(retired, "Kernel-touched.panic"), DateTime.UtcNow);

        Assert.Single(Json(["panics", "--json"], env).GetProperty("panics").EnumerateArray());
        Assert.Equal("clear", State(Json(["gate", "--json"], env)));
    }

    [Theory]
    [InlineData("2026-11-23 10:11:12.12345 +0100")]
    [InlineData("2026-11-23 10:11:12.123456 +0100")]
    public void Report_times_with_five_or_six_digit_fractions_parse(string text)
    {
        var t = PanicReportParser.ParseTime(text);
        Assert.NotNull(t);
        var second = new DateTimeOffset(2026, 11, 23, 9, 11, 12, TimeSpan.Zero);
        Assert.InRange(t!.Value, second, second.AddSeconds(1));
    }

    [Fact]
    public void A_spaced_bug_type_210_header_is_a_panic()
    {
        var env = Env();
        File.WriteAllText(
            Path.Combine(Scratch, "reports", "Kernel-spaced.ips"),
            "{\"bug_type\": \"210\", \"timestamp\": \"2026-11-23 10:11:12.123456 +0000\"}\n"
                + "{\"macOSPanicString\": \"panic(cpu 0 caller 0x1): \\\"AGX GPU hang "
                + Marker
                + "\\\"\"}\n"
        );
        var panic = Assert.Single(
            Json(["panics", "--json", "--since", "30d"], env).GetProperty("panics").EnumerateArray()
        );
        Assert.Equal(
            "Kernel-spaced.ips@"
                + DateTimeOffset
                    .Parse("2026-11-23T10:11:12.123Z", CultureInfo.InvariantCulture)
                    .ToUnixTimeMilliseconds(),
            panic.GetProperty("source").GetString()
        );
    }

    [Fact]
    public void A_fifo_named_like_a_report_does_not_hang_the_gate_or_the_doctor()
    {
        var env = Env();
        var fifo = Path.Combine(Scratch, "reports", "x-" + Marker + ".panic");
        using (var mk = Process.Start("mkfifo", [fifo]))
        {
            mk.WaitForExit();
            Assert.Equal(0, mk.ExitCode);
        }

        var gate = ReinProcess.Run(["gate", "--json"], env, TimeSpan.FromSeconds(60));
        Assert.Equal(0, gate.ExitCode);
        Assert.Equal("clear", State(JsonDocument.Parse(gate.Stdout).RootElement));
        var doctor = ReinProcess.Run(["doctor", "--json"], env, TimeSpan.FromSeconds(120));
        Assert.DoesNotContain("Unhandled", doctor.Stderr);
    }

    [Fact]
    public void The_doctors_report_listing_skips_a_fifo()
    {
        // The doctor reads .ips crash reports only on macOS; its listing is tested in-process here.
        var dir = Dir("doctor-reports");
        var fifo = Path.Combine(dir, "y-" + Marker + ".ips");
        using (var mk = Process.Start("mkfifo", [fifo]))
        {
            mk.WaitForExit();
            Assert.Equal(0, mk.ExitCode);
        }

        File.WriteAllText(Path.Combine(dir, "z-" + Marker + ".ips"), "{}");
        var (files, unreadable) = Rein.Diagnostics.Checks.ReportFiles.Recent(
            [dir],
            DateTimeOffset.UtcNow.AddDays(-1),
            _ => true
        );
        Assert.Empty(unreadable);
        Assert.Equal("z-" + Marker + ".ips", Assert.Single(files).Name);
    }

    [Fact]
    public void A_corrupt_report_keeps_being_reported()
    {
        var env = Env();
        File.WriteAllText(
            Path.Combine(Scratch, "reports", "Kernel-corrupt-" + Marker + ".panic"),
            "{\"bug_type\":\"210\", \"timestamp\": trunc"
        );
        for (var i = 0; i < 2; i++)
        {
            var problems = Json(["gate", "--json"], env).GetProperty("problems");
            Assert.Contains(
                problems.EnumerateArray(),
                p => p.GetString()!.Contains("Kernel-corrupt-" + Marker)
            );
        }
    }
}
