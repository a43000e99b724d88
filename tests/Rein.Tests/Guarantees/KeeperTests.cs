using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>G2: when rein is SIGKILLed, its shim (the command's parent, subreaper and keeper) kills every
/// descendant within a second — also those that hid: a new session, a cleared environment, a dead parent.</summary>
[Collection("Latency")]
public sealed class KeeperTests : RunTestBase
{
    /// <summary>What Popen(env={...}, start_new_session=True) does: own session, no REIN_RUN_ID; it ignores TERM.</summary>
    string[] HiddenEscapee =>
        ["setsid", "[", "clearenv", "ignore-term", "pidfile", PidFile, "hang", "]"];

    [Fact]
    public void SIGKILL_of_rein_kills_setsid_escapees_with_a_cleared_environment_and_orphaned_daemons()
    {
        Requires.Subreaper();
        using var rein = ReinProcess.Start(
            RunArgs(
                [],
                [
                    .. HiddenEscapee,
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
                    "hang",
                ]
            )
        );
        Assert.Equal(3, ProcessProbe.WaitForPids(PidFile, 3, TimeSpan.FromSeconds(5)).Count);
        Thread.Sleep(200);

        AssertSigkillOfReinKillsTheTree(rein);
    }

    [Fact]
    public void SIGKILL_of_rein_gives_the_command_its_stop_signal_first_and_still_kills_the_tree_within_a_second()
    {
        Requires.Subreaper();
        // As coreutils' timeout has its child signalled when it dies: a handler gets to run (here it leaves a
        // note), and what ignores the signal is still SIGKILLed within G2's second.
        var note = Path.Combine(Scratch, "got-term");
        using var rein = ReinProcess.Start(
            RunArgs(
                [],
                [
                    "bg",
                    "[",
                    "ignore-term",
                    "pidfile",
                    PidFile,
                    "hang",
                    "]",
                    "note-on",
                    "15",
                    note,
                    "pidfile",
                    PidFile,
                    "hang",
                ]
            ),
            HomeEnv()
        );
        Assert.Equal(2, ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(5)).Count);

        AssertSigkillOfReinKillsTheTree(rein);
        Assert.True(File.Exists(note), "the command never got SIGTERM before the kill");
    }

    [Fact]
    public void SIGKILL_of_rein_wakes_a_stopped_command_so_its_stop_signal_handler_still_runs()
    {
        Requires.Subreaper();
        // A command stopped (SIGSTOP, a debugger, Ctrl-Z's SIGTSTP) when rein dies cannot act on its stop signal
        // until it runs again: the keeper continues it, so the handler leaves its note before the kill.
        var note = Path.Combine(Scratch, "got-term");
        using var rein = ReinProcess.Start(
            RunArgs([], "note-on", "15", note, "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));
        LibC.kill(pid, LibC.SIGSTOP);
        Assert.True(
            ProcessProbe.WaitUntil(() => ProcessProbe.IsStopped(pid), TimeSpan.FromSeconds(5)),
            "the command never stopped"
        );

        AssertSigkillOfReinKillsTheTree(rein);
        Assert.True(File.Exists(note), "the stopped command never ran its SIGTERM handler");
    }

    [Fact]
    public void An_error_after_the_spawn_still_kills_the_tree()
    {
        Requires.TestHooks();
        Requires.Subreaper();
        // REIN_FAULT makes the guard throw right after the command started: the keeper must not be disarmed.
        var r = ReinProcess.Run(
            RunArgs(
                ["--lock", "fault-" + Marker[^6..]],
                [.. HiddenEscapee, "pidfile", PidFile, "hang"]
            ),
            HomeEnv(("REIN_FAULT", "after-spawn"))
        );
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("injected fault after spawn", r.Stderr);
        AssertNoSurvivors();
    }

    [Fact]
    public void A_command_that_SIGKILLs_its_shim_still_has_its_whole_tree_stopped()
    {
        // The shim runs as the command's user, so the command can kill it; rein is still alive and must not
        // leave the now orphaned tree running (G1) while it reports the error. (Without the shim nothing adopts
        // orphans any more: a member whose parent dies during this teardown and that carries no marker can still
        // get away; that is the limit of this fallback.)
        var r = ReinProcess.Run(
            [
                "run",
                "--timeout",
                "20s",
                "--grace",
                "200ms",
                "--",
                "sh",
                "-c",
                // The tree is built first (two pids written), then the command kills its shim and waits.
                $"\"$0\" \"$@\" & until [ \"$(wc -l < {PidFile} 2>/dev/null)\" -ge 2 ]; do sleep 0.05; done; kill -9 $PPID; wait",
                Paths.Helper,
                Marker,
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
                "hang",
            ],
            HomeEnv()
        );
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("shim exited unexpectedly", r.Stderr);
        AssertNoSurvivors();
    }

    [Fact]
    public void A_command_of_another_user_cannot_forge_the_shim_events_through_proc()
    {
        var (_, helper, wrapper) = OtherUser.Prepare(Scratch);
        // As an ordinary user, the command could open its parent's descriptors through /proc/PPID/fd and write
        // "exit 7 0" to rein: rein then believed the command had exited, found nothing else below the shim and
        // left the command running, orphaned. The shim is not dumpable, so /proc refuses.
        var home = Path.Combine(Scratch, "nobody");
        Directory.CreateDirectory(home);
        File.SetUnixFileMode(home, (UnixFileMode)0x1FF);
        var evt = "$(tr '\\0' '\\n' < /proc/$PPID/cmdline | sed -n '/^--evt$/{n;p;q}')";
        var r = ReinProcess.Run(
            [
                "run",
                "--",
                "sh",
                "-c",
                $"echo 'exit 7 0' > /proc/$PPID/fd/{evt} && echo forged >&2; exec \"$0\" \"$@\"",
                helper,
                Marker,
                "pidfile",
                PidFile,
                "sleep",
                "1",
                "exit",
                "3",
            ],
            new Dictionary<string, string?>
            {
                ["REIN_HOME"] = Path.Combine(home, "state"),
                ["HOME"] = home,
            },
            workingDirectory: home,
            wrapper: wrapper
        );
        Assert.DoesNotContain("forged", r.Stderr);
        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}: {r.Stderr}");
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
