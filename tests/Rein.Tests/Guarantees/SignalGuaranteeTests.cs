using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>Signals: forwarded, never fatal to rein by surprise; exit statuses right whatever the caller did to
/// SIGCHLD or the pid namespace.</summary>
[Collection("Latency")]
public sealed class SignalGuaranteeTests : RunTestBase
{
    [Fact]
    public void SIGUSR1_is_forwarded_and_the_run_goes_on()
    {
        using var rein = ReinProcess.Start(
            RunArgs(
                [],
                "catch",
                LibC.SIGUSR1.ToString(),
                "pidfile",
                PidFile,
                "sleep",
                "1.5",
                "exit",
                "0"
            ),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        LibC.kill(rein.Pid, LibC.SIGUSR1);
        var r = rein.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"caught {LibC.SIGUSR1}", r.Stdout);
    }

    [Fact]
    public void With_foreground_SIGUSR1_is_forwarded_to_the_command_too()
    {
        // --foreground keeps the command in Rein's process group: the signal goes to the command itself.
        using var rein = ReinProcess.Start(
            RunArgs(
                ["--foreground"],
                "catch",
                LibC.SIGUSR1.ToString(),
                "pidfile",
                PidFile,
                "sleep",
                "1.5",
                "exit",
                "0"
            ),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        LibC.kill(rein.Pid, LibC.SIGUSR1);
        var r = rein.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"caught {LibC.SIGUSR1}", r.Stdout);
    }

    [Fact]
    public void A_command_that_handles_the_forwarded_SIGTERM_keeps_its_own_exit_code()
    {
        using var rein = ReinProcess.Start(
            RunArgs([], "exit-on", "15", "5", "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        LibC.kill(rein.Pid, LibC.SIGTERM);
        Assert.Equal(5, rein.Wait(TimeSpan.FromSeconds(10)).ExitCode);
    }

    [Fact]
    public void A_parent_that_ignores_SIGCHLD_still_gets_the_real_exit_status()
    {
        var r = ReinProcess.Run(
            ["run", "--", "sh", "-c", "exit 5"],
            HomeEnv(),
            wrapper: ["env", "--ignore-signal=CHLD"]
        );
        Assert.Equal(5, r.ExitCode);
    }

    [Fact]
    public void A_SIGCHLD_ignored_by_the_caller_is_not_ignored_for_the_command()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc/self/status");
        // Ignored SIGCHLD means "reap my children for me": the command's own waits would fail (ECHILD) and a
        // shell would report the wrong status for its children. coreutils' timeout resets it too.
        var r = ReinProcess.Run(
            ["run", "--", "grep", "^SigIgn", "/proc/self/status"],
            HomeEnv(),
            wrapper: ["env", "--ignore-signal=CHLD"]
        );
        Assert.Equal(0, r.ExitCode);
        var mask = Convert.ToUInt64(r.Stdout.Split(':')[1].Trim(), 16);
        Assert.Equal(0UL, mask & (1UL << (17 - 1))); // SIGCHLD (Linux)
    }

    [Fact]
    public void As_pid_1_of_a_new_pid_namespace_a_run_ends_quickly_and_reports_nothing_false()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux()
                && File.Exists("/usr/bin/unshare")
                && Environment.UserName == "root",
            "needs unshare(1) and root"
        );
        var r = ReinProcess.Run(
            ["run", "--", "true"],
            HomeEnv(),
            wrapper: ["unshare", "--pid", "--fork"]
        );
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("SIGKILL", r.Stderr);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(2), $"took {r.Elapsed}");

        var timedOut = ReinProcess.Run(
            RunArgs(["--timeout", "300ms", "--grace", "200ms"], "ignore-term", "hang"),
            HomeEnv(),
            wrapper: ["unshare", "--pid", "--fork"]
        );
        Assert.Equal(124, timedOut.ExitCode);
        Assert.DoesNotContain("survived", timedOut.Stderr);
        Assert.True(timedOut.Elapsed < TimeSpan.FromSeconds(3), $"took {timedOut.Elapsed}");
        AssertNoSurvivors();
    }
}
