using System.Text.Json;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>Retry breaker, memory caps, process caps and memory admission, end to end.</summary>
[Collection("Latency")]
public sealed class AdmissionTests : RunTestBase
{
    [Fact]
    public void Breaker_refuses_a_rerun_after_a_timeout_and_force_overrides()
    {
        string[] cmd = ["--", Paths.Helper, Marker, "hang"];
        Assert.Equal(
            124,
            ReinProcess.Run(["run", "--timeout", "300ms", .. cmd], HomeEnv()).ExitCode
        );

        var refused = ReinProcess.Run(["run", "--timeout", "300ms", .. cmd], HomeEnv());
        Assert.Equal(75, refused.ExitCode);
        Assert.Contains("timed out", refused.Stderr);
        Assert.Contains("--force", refused.Stderr);
        Assert.Contains("retry breaker", refused.Stderr);

        Assert.Equal(
            124,
            ReinProcess.Run(["run", "--force", "--timeout", "300ms", .. cmd], HomeEnv()).ExitCode
        );
        // Another directory is another command as far as the breaker is concerned.
        var elsewhere = ReinProcess.Run(
            ["run", "--timeout", "300ms", .. cmd],
            HomeEnv(),
            workingDirectory: Scratch
        );
        Assert.Equal(124, elsewhere.ExitCode);
        // A zero cooldown disables the breaker.
        Assert.Equal(
            124,
            ReinProcess
                .Run(["run", "--breaker-cooldown", "0", "--timeout", "300ms", .. cmd], HomeEnv())
                .ExitCode
        );
        AssertNoSurvivors();
    }

    [Fact]
    public void Breaker_does_not_trip_on_an_ordinary_failure()
    {
        Assert.Equal(3, ReinProcess.Run(RunArgs([], "exit", "3"), HomeEnv()).ExitCode);
        Assert.Equal(3, ReinProcess.Run(RunArgs([], "exit", "3"), HomeEnv()).ExitCode);
    }

    [Theory]
    [InlineData("poll")]
    [InlineData("auto")]
    public void Memory_cap_stops_a_tree_that_allocates_four_times_the_cap(string method)
    {
        var r = ReinProcess.Run(
            [
                "run",
                "--memory",
                "64M",
                "--cap-method",
                method,
                "--report",
                ReportPath,
                "--",
                Paths.Helper,
                Marker,
                "alloc",
                "256",
                "hang",
            ],
            HomeEnv()
        );

        Assert.Equal(137, r.ExitCode);
        var report = ReadReport();
        Assert.Equal("memory_exceeded", report.GetProperty("outcome").GetString());
        var used = report.GetProperty("caps").GetProperty("method").GetString();
        Assert.Equal(
            method == "poll" ? "poll"
                : CgroupWritable() ? "cgroup-v1"
                : "poll",
            used
        );
        Assert.Equal(
            64L << 20,
            report.GetProperty("caps").GetProperty("memory_limit_bytes").GetInt64()
        );
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(4), $"took {r.Elapsed} to stop the hog");
        Assert.Contains("exceeded its memory cap of 64 MiB", r.Stderr);
        AssertNoSurvivors();

        var journal = JsonDocument
            .Parse(ReinProcess.Run(["journal", "--json"], HomeEnv()).Stdout)
            .RootElement;
        Assert.Equal(used, journal.GetProperty("runs")[0].GetProperty("cap_method").GetString());
    }

    [Fact]
    public void Python_hog_is_stopped_by_the_memory_cap()
    {
        Assert.SkipUnless(
            File.Exists("/usr/bin/python3") || File.Exists("/usr/local/bin/python3"),
            "needs python3"
        );
        var r = ReinProcess.Run(
            [
                "run",
                "--memory",
                "100M",
                "--report",
                ReportPath,
                "--",
                "python3",
                "-c",
                "import time; a = bytearray(400 << 20); time.sleep(30)",
            ],
            HomeEnv()
        );
        Assert.Equal(137, r.ExitCode);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("poll")]
    [InlineData("auto")]
    public void Fork_bomb_is_contained_by_max_procs(string method)
    {
        var r = ReinProcess.Run(
            [
                "run",
                "--max-procs",
                "20",
                "--cap-method",
                method,
                "--report",
                ReportPath,
                "--",
                Paths.Helper,
                Marker,
                "fan",
                "200",
                "[",
                "hang",
                "]",
                "hang",
            ],
            HomeEnv()
        );

        Assert.Equal(137, r.ExitCode);
        Assert.Equal("max_procs_exceeded", ReadReport().GetProperty("outcome").GetString());
        AssertNoSurvivors();
    }

    [Fact]
    public void SIGKILLed_rein_leaves_no_cgroup_behind()
    {
        Assert.SkipUnless(
            CgroupWritable(),
            "needs a writable cgroup (root with cgroup v1, or v2 delegation)"
        );
        using var rein = ReinProcess.Start(
            [
                "run",
                "--max-procs",
                "50",
                "--memory",
                "1G",
                "--",
                Paths.Helper,
                Marker,
                "pidfile",
                PidFile,
                "hang",
            ],
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        var runId = JsonDocument
            .Parse(ReinProcess.Run(["ps", "--json"], HomeEnv()).Stdout)
            .RootElement.GetProperty("runs")[0]
            .GetProperty("run_id")
            .GetString()!;
        string[] Leftovers() =>
            [
                .. Directory.EnumerateDirectories(
                    "/sys/fs/cgroup",
                    "rein-" + runId,
                    SearchOption.AllDirectories
                ),
            ];
        Assert.NotEmpty(Leftovers());

        Rein.Platform.Posix.LibC.kill(rein.Pid, Rein.Platform.Posix.LibC.SIGKILL);

        Assert.True(
            ProcessProbe.WaitUntil(() => Leftovers().Length == 0, TimeSpan.FromSeconds(3)),
            string.Join(", ", Leftovers())
        );
        AssertNoSurvivors();
    }

    [Fact]
    public void Admission_refuses_when_more_memory_is_asked_than_the_machine_has()
    {
        var r = ReinProcess.Run(["run", "--min-available", "64T", "--", "true"], HomeEnv());
        Assert.Equal(75, r.ExitCode);
        Assert.Contains("below --min-available 64 TiB", r.Stderr);
        Assert.Contains("biggest users", r.Stderr);
    }

    [Fact]
    public void Admission_passes_when_memory_is_there()
    {
        Assert.Equal(
            0,
            ReinProcess.Run(["run", "--min-available", "1M", "--", "true"], HomeEnv()).ExitCode
        );
    }

    static bool CgroupWritable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var caps = Rein.Processes.Linux.CgroupCaps.TryCreate(
            "probe-" + Guid.NewGuid().ToString("N")[..8],
            1 << 30,
            null,
            out _
        );
        caps?.Dispose();
        return caps is not null;
    }
}
