using System.Diagnostics;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>G1/G2 against a process that hops: it forks, the parent exits at once and the child goes on, every
/// ~200 µs, ignoring TERM (keeping its group, calling setsid() per hop, or also closing its descriptors). No pid of
/// it lives long enough for a snapshot-then-kill; it must still die on every end path (issue 19, item 1). A hopper
/// is alive while its beacon file keeps changing: a scan of the process table can miss it. Four hoppers per run:
/// a kill that wins a race by luck must win it four times.</summary>
[Collection("Latency")]
public sealed class HoppingTests : RunTestBase, IDisposable
{
    string Beacon => Path.Combine(Scratch, "beacon");

    [Theory]
    [InlineData("group")]
    [InlineData("setsid")]
    [InlineData("closefds")]
    public void A_hopping_leftover_of_a_command_that_exited_is_stopped_and_reported(string mode)
    {
        Requires.Subreaper();
        var r = ReinProcess.Run(
            RunArgs(
                ["--grace", "200ms", "--report", ReportPath],
                "fan",
                "4",
                "[",
                "ignore-term",
                "hop",
                mode,
                Beacon,
                "]",
                "sleep",
                "0.2",
                "exit",
                "0"
            )
        );

        Assert.True(File.Exists(Beacon), "the hopper never started");
        AssertHopperDead();
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("leftover", r.Stderr);
        Assert.NotEqual(0, ReadReport().GetProperty("pids_killed").GetArrayLength());
    }

    [Theory]
    [InlineData("group")]
    [InlineData("setsid")]
    [InlineData("closefds")]
    public void A_hopping_process_dies_at_the_timeout(string mode)
    {
        Requires.Subreaper();
        var r = ReinProcess.Run(
            RunArgs(
                ["--timeout", "500ms", "--grace", "100ms"],
                "ignore-term",
                "fan",
                "4",
                "[",
                "ignore-term",
                "hop",
                mode,
                Beacon,
                "]",
                "hang"
            )
        );

        Assert.True(File.Exists(Beacon), "the hopper never started");
        AssertHopperDead();
        Assert.Equal(124, r.ExitCode);
        AssertNoSurvivors();
    }

    [Theory]
    [InlineData("group")]
    [InlineData("setsid")]
    [InlineData("closefds")]
    public void A_hopping_process_dies_with_a_cgroup_memory_cap_and_the_cgroup_is_removed(
        string mode
    )
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux()
                && Directory.Exists("/sys/fs/cgroup/memory")
                && Environment.UserName == "root",
            "needs root and a cgroup v1 memory hierarchy"
        );
        var r = ReinProcess.Run(
            RunArgs(
                [
                    "--memory",
                    "32M",
                    "--cap-method",
                    "cgroup",
                    "--grace",
                    "100ms",
                    "--report",
                    ReportPath,
                ],
                "fan",
                "4",
                "[",
                "ignore-term",
                "hop",
                mode,
                Beacon,
                "]",
                "sleep",
                "0.3",
                "alloc",
                "200",
                "hang"
            ),
            HomeEnv()
        );

        Assert.True(File.Exists(Beacon), "the hopper never started");
        AssertHopperDead();
        Assert.Equal(137, r.ExitCode);
        var runId = ReadReport().GetProperty("run_id").GetString();
        Assert.Empty(
            Directory.GetDirectories(
                "/sys/fs/cgroup/memory",
                "rein-" + runId,
                SearchOption.AllDirectories
            )
        );
    }

    [Theory]
    [InlineData("group")]
    [InlineData("setsid")]
    [InlineData("closefds")]
    public void A_hopping_process_dies_within_a_second_of_SIGKILL_of_rein(string mode)
    {
        Requires.Subreaper();
        using var rein = ReinProcess.Start(
            RunArgs(
                [],
                "ignore-term",
                "fan",
                "4",
                "[",
                "ignore-term",
                "hop",
                mode,
                Beacon,
                "]",
                "hang"
            )
        );
        Assert.True(
            ProcessProbe.WaitUntil(() => File.Exists(Beacon), TimeSpan.FromSeconds(10)),
            "the hopper never started"
        );
        Thread.Sleep(100);
        Rein.Platform.Posix.LibC.kill(rein.Pid, Rein.Platform.Posix.LibC.SIGKILL);
        var clock = Stopwatch.StartNew();
        Thread.Sleep(1000);
        Assert.True(
            Still(Beacon),
            $"the hopper still hops {clock.ElapsedMilliseconds} ms after SIGKILL of rein"
        );
        AssertNoSurvivors();
    }

    /// <summary>The beacon stops changing within 2 s (the run has ended by now).</summary>
    void AssertHopperDead()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            if (Still(Beacon))
            {
                return;
            }
        }

        Chase();
        Assert.Fail("a hopping process of the run survived its end");
    }

    /// <summary>True when the file did not change for 300 ms (a live hopper touches it every few ms).</summary>
    static bool Still(string path)
    {
        var before = File.GetLastWriteTimeUtc(path);
        Thread.Sleep(300);
        return File.GetLastWriteTimeUtc(path) == before;
    }

    /// <summary>A failed test must not leave its hopper on the machine: kill the newest pids first (a hop's pid is
    /// usually the newest) until the beacon is still.</summary>
    void Chase()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            ProcessProbe.ChaseNewest(Marker, TimeSpan.FromMilliseconds(300));
            if (File.Exists(Beacon) && Still(Beacon))
            {
                return;
            }
        }
    }

    void IDisposable.Dispose()
    {
        if (File.Exists(Beacon) && !Still(Beacon))
        {
            Chase();
        }

        base.Dispose();
    }
}
