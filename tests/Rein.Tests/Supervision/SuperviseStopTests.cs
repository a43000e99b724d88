using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary>Intentional stop versus crash, and no orphans: signals to rein stop supervision with a graceful
/// teardown and exit 0; SIGKILL of rein leaves nothing running.</summary>
[Collection("Latency")]
public sealed class SuperviseStopTests : SuperviseTestBase
{
    [Fact]
    public void SIGTERM_during_a_backoff_stops_at_once_without_a_restart()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(["--backoff-min", "20s"], "exit", "1"),
            HomeEnv()
        );
        Assert.True(WaitForEvents("backoff", 1), "no backoff");
        var clock = Stopwatch.StartNew();
        Term(rein);
        var r = rein.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(0, r.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Single(Events("start"));
        Assert.Single(Events("stop"));
        AssertNoSurvivors();
    }

    [Fact]
    public void SIGTERM_during_a_run_stops_the_worker_tree_and_exits_0()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(
                [],
                "setsid",
                "[",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        Assert.Equal(2, ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(10)).Count);
        Term(rein);
        var r = rein.Wait(TimeSpan.FromSeconds(15));
        Assert.Equal(0, r.ExitCode);
        AssertNoSurvivors();
        Assert.Single(Events("start"));
        Assert.Equal(
            "interrupted",
            Assert.Single(Events("exit")).GetProperty("outcome").GetString()
        );
    }

    [Fact]
    public void A_worker_that_ignores_TERM_is_killed_after_the_grace()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(["--grace", "400ms"], "ignore-term", "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
        var clock = Stopwatch.StartNew();
        Term(rein);
        var r = rein.Wait(TimeSpan.FromSeconds(15));
        Assert.Equal(0, r.ExitCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(4));
        AssertNoSurvivors();
        Assert.Single(Events("start"));
    }

    [Fact]
    public void A_second_signal_skips_the_grace_and_exits_128_plus_N()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(
                ["--grace", "30s", "--report", ReportPath],
                "ignore-term",
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
        Term(rein);
        Assert.True(WaitForEvents("stop", 1));
        Thread.Sleep(200);
        LibC.kill(rein.Pid, LibC.SIGINT);
        var r = rein.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(130, r.ExitCode);
        Assert.Equal(130, ReadReport().GetProperty("rein_exit_code").GetInt32());
        AssertNoSurvivors();
    }

    [Fact]
    public void SIGKILL_of_the_supervisor_leaves_no_worker_within_a_second()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(
                [],
                "setsid",
                "[",
                "clearenv",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        Assert.Equal(2, ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(10)).Count);
        AssertSigkillOfReinKillsTheTree(rein);
    }

    [Fact]
    public void A_hundred_quick_restarts_leave_no_zombie_and_no_extra_process()
    {
        using var rein = ReinProcess.Start(
            SuperviseArgs(
                ["--max-restarts", "100", "--backoff-min", "1ms", "--backoff-max", "1ms"],
                "crash-until",
                CrashFile,
                "100",
                "1",
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        var worker = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(120)));
        // The worker can write its pid before the supervisor has appended the incarnation's start event.
        Assert.True(WaitForEvents("start", 101), $"{Events("start").Count} start events");
        Assert.Equal(101, Events("start").Count);

        // rein's children: the current incarnation's shim and nothing else — no shim of an earlier incarnation,
        // alive or a zombie.
        var children = Children(rein.Pid);
        var shim = Assert.Single(children);
        Assert.False(ProcessProbe.Table.Read(shim)?.IsZombie ?? true, "the shim is a zombie");
        // Besides rein and that shim (their command lines name the worker), the worker is the only process left.
        Assert.Equal([worker], ProcessProbe.Alive(Marker).Where(p => p != rein.Pid && p != shim));

        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        AssertNoSurvivors();
    }

    static List<int> Children(int pid) =>
        [
            .. Directory
                .EnumerateDirectories($"/proc/{pid}/task")
                .SelectMany(t =>
                    File.ReadAllText(Path.Combine(t, "children"))
                        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                )
                .Select(int.Parse),
        ];
}
