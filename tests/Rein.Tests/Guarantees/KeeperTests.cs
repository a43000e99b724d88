using System.Diagnostics;
using Rein.Processes.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>G2: when rein is SIGKILLed, its shim (the command's parent, subreaper and keeper) kills every
/// descendant within a second — also those that hid: a new session, a cleared environment, a dead parent.</summary>
[Collection("Latency")]
public sealed class KeeperTests : RunTestBase
{
    [Fact]
    public void SIGKILL_of_rein_kills_setsid_escapees_with_a_cleared_environment_and_orphaned_daemons()
    {
        using var rein = ReinProcess.Start(
            RunArgs(
                [],
                // What Popen(env={...}, start_new_session=True) does: no REIN_RUN_ID, own session.
                "setsid",
                "[",
                "clearenv",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                // A double-forked daemon without the marker whose parent exited long ago (adopted by the shim).
                "daemon",
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
            )
        );
        Assert.Equal(3, ProcessProbe.WaitForPids(PidFile, 3, TimeSpan.FromSeconds(5)).Count);
        Thread.Sleep(200);

        LibC.kill(rein.Pid, LibC.SIGKILL);
        var sw = Stopwatch.StartNew();
        var gone = ProcessProbe.WaitUntil(
            () => ProcessProbe.Alive(Marker).Count == 0,
            TimeSpan.FromSeconds(1)
        );
        Assert.True(
            gone,
            $"still alive {sw.ElapsedMilliseconds} ms after SIGKILL of rein: {string.Join(", ", ProcessProbe.Alive(Marker))}"
        );
    }

    [Fact]
    public void An_error_after_the_spawn_still_kills_the_tree()
    {
        // REIN_FAULT makes the guard throw right after the command started: the keeper must not be disarmed.
        var r = ReinProcess.Run(
            RunArgs(
                ["--lock", "fault-" + Marker[^6..]],
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
            HomeEnv(("REIN_FAULT", "after-spawn"))
        );
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("injected fault after spawn", r.Stderr);
        AssertNoSurvivors();
    }

    [Fact]
    public void With_stdout_closed_a_SIGKILL_of_rein_still_kills_the_tree()
    {
        using var rein = ReinProcess.Start(
            RunArgs([], "setsid", "[", "pidfile", PidFile, "hang", "]", "pidfile", PidFile, "hang"),
            HomeEnv(),
            wrapper: ["sh", "-c", "exec \"$0\" \"$@\" >&-"]
        );
        Assert.Equal(2, ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(5)).Count);
        LibC.kill(rein.Pid, LibC.SIGKILL);
        Assert.True(
            ProcessProbe.WaitUntil(
                () => ProcessProbe.Alive(Marker).Count == 0,
                TimeSpan.FromSeconds(1)
            ),
            $"survivors: {string.Join(", ", ProcessProbe.Alive(Marker))}"
        );
    }

    [Fact]
    public void With_stderr_closed_a_timed_out_run_exits_124()
    {
        var r = ReinProcess.Run(
            RunArgs(["--timeout", "300ms"], "hang"),
            HomeEnv(),
            wrapper: ["sh", "-c", "exec \"$0\" \"$@\" 2>&-"]
        );
        Assert.Equal(124, r.ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void The_keeper_is_reaped_on_a_clean_end()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux(),
            "uses a Linux subreaper as a parent that never reaps"
        );
        // A parent that reaps nothing but rein (like a container without an init): as a subreaper it would
        // inherit the shim if rein left it unreaped, and it would show up there as a zombie.
        var script = """
            import ctypes, os, subprocess, sys, time
            ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
            p = subprocess.Popen(sys.argv[1:])
            p.wait()
            time.sleep(0.3)
            kids = open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()
            zombies = [k for k in kids if open(f"/proc/{k}/stat").read().split(") ")[1][0] == "Z"]
            print(p.returncode, len(zombies))
            """;
        var r = ReinProcess.Run(
            ["run", "--", "true"],
            HomeEnv(),
            wrapper: ["python3", "-c", script]
        );
        Assert.Equal("0 0", r.Stdout.Trim());
    }
}
