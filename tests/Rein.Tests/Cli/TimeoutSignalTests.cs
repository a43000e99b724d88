using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>Signals in and out of `rein timeout`, as coreutils' timeout handles them: -v names what was sent,
/// signals sent to rein reach the command, a signal death that was not the timeout's is re-raised on rein itself
/// (so the caller's shell sees "killed by SIGTERM", not "exited 143"), and ignored or blocked signals stay so.</summary>
public sealed class TimeoutSignalTests : RunTestBase
{
    /// <summary>Runs rein under python, which reports how it ended: "exit N" or "signal N" (what a shell cannot
    /// tell apart), and writes rein's pid to <see cref="ReinPidFile"/> first.</summary>
    const string WaitStatus = """
        import subprocess, sys
        p = subprocess.Popen(sys.argv[2:])
        open(sys.argv[1], "w").write(str(p.pid))
        r = p.wait()
        print(f"signal {-r}" if r < 0 else f"exit {r}")
        """;

    string ReinPidFile => Path.Combine(Scratch, "rein.pid");

    IEnumerable<string> Timeout(string[] options, string duration, params string[] script) =>
        ["timeout", .. options, duration, Paths.Helper, Marker, .. script];

    ReinProcess StartWithStatus(IEnumerable<string> args) =>
        ReinProcess.Start(args, wrapper: ["python3", "-c", WaitStatus, ReinPidFile]);

    static string Status(RunResult r) => r.Stdout.TrimEnd('\n').Split('\n')[^1];

    [Fact]
    public void Verbose_names_each_signal_sent_on_timeout()
    {
        foreach (var flag in new[] { "-v", "--verbose" })
        {
            var r = ReinProcess.Run(Timeout([flag, "-s0", "-k", ".1"], ".1", "hang"));

            Assert.Equal(137, r.ExitCode);
            Assert.Equal(
                $"rein timeout: sending signal EXIT to command '{Paths.Helper}'\n"
                    + $"rein timeout: sending signal KILL to command '{Paths.Helper}'\n",
                r.Stderr
            );
        }

        var term = ReinProcess.Run(Timeout(["-v"], ".1", "hang"));
        Assert.Equal(124, term.ExitCode);
        Assert.Equal(
            $"rein timeout: sending signal TERM to command '{Paths.Helper}'\n",
            term.Stderr
        );
    }

    [Fact]
    public void A_closed_stderr_does_not_change_the_status_of_a_verbose_timeout()
    {
        var status = Path.Combine(Scratch, "status");
        // As coreutils' test: the reader of stderr is gone before -v writes (SIGPIPE/EPIPE must not kill rein).
        ReinProcess.Run(
            Timeout(["-v"], ".1", "hang"),
            wrapper: ["sh", "-c", $"{{ \"$0\" \"$@\" 2>&1; echo $? > {status}; }} | :"]
        );

        Assert.Equal("124", File.ReadAllText(status).Trim());
    }

    [Fact]
    public void A_SIGPIPE_ignored_by_the_caller_stays_ignored_for_the_command()
    {
        var r = ReinProcess.Run(
            ["timeout", "10", "yes"],
            wrapper: ["sh", "-c", "trap '' PIPE; \"$0\" \"$@\" | :"]
        );

        Assert.Contains("Broken pipe", r.Stderr);
    }

    [Fact]
    public void A_SIGALRM_blocked_by_the_caller_does_not_stop_the_timeout()
    {
        Assert.SkipUnless(
            ReinProcess.Run(["--version"], wrapper: ["env", "--block-signal=ALRM"]).ExitCode == 0,
            "needs env --block-signal (coreutils 8.31+)"
        );

        Assert.Equal(
            124,
            ReinProcess
                .Run(Timeout([], ".1", "hang"), wrapper: ["env", "--block-signal=ALRM"])
                .ExitCode
        );
    }

    [Fact]
    public void A_caller_ignoring_SIGCHLD_does_not_confuse_rein()
    {
        var r = ReinProcess.Run(
            ["timeout", "10", "sh", "-c", "exit 3"],
            wrapper: ["sh", "-c", "trap '' CHLD; exec \"$0\" \"$@\""]
        );

        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void A_SIGCHLD_ignored_by_the_caller_is_not_passed_on_to_the_command()
    {
        // With SIGCHLD ignored, the kernel reaps the command's children itself and `wait` loses their status.
        var r = ReinProcess.Run(
            [
                "timeout",
                "10",
                "python3",
                "-c",
                "import subprocess; print(subprocess.run(['sh', '-c', 'exit 3']).returncode)",
            ],
            wrapper:
            [
                "python3",
                "-c",
                "import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])",
            ]
        );

        Assert.Equal("3\n", r.Stdout);
    }

    [Fact]
    public void A_child_rein_did_not_start_is_not_taken_for_the_command()
    {
        // coreutils Bug#9098: rein starts with a child of its own (the shell's sleep, inherited by exec).
        var r = ReinProcess.Run(
            ["timeout", ".5", "sh", "-c", "sleep 2; echo foo", Marker],
            wrapper: ["sh", "-c", "setsid sleep .1 & exec \"$0\" \"$@\""]
        );

        Assert.Equal(124, r.ExitCode);
        Assert.Equal("", r.Stdout);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(11)]
    public void A_command_killed_by_a_signal_of_its_own_makes_rein_die_of_it_too(int signal)
    {
        using var rein = StartWithStatus(Timeout([], "10", "die", signal.ToString()));

        Assert.Equal($"signal {signal}", Status(rein.Wait(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public void A_timed_out_command_is_an_exit_status_never_a_re_raised_signal()
    {
        using (var plain = StartWithStatus(Timeout([], ".1", "hang")))
        {
            Assert.Equal("exit 124", Status(plain.Wait(TimeSpan.FromSeconds(30))));
        }

        using var preserved = StartWithStatus(Timeout(["-p"], ".1", "hang"));
        Assert.Equal("exit 143", Status(preserved.Wait(TimeSpan.FromSeconds(30))));
    }

    [Theory]
    [InlineData(LibC.SIGTERM)]
    [InlineData(LibC.SIGINT)]
    [InlineData(LibC.SIGHUP)]
    public void A_signal_sent_to_rein_ends_the_command_and_then_rein_by_the_same_signal(int signal)
    {
        using var rein = StartWithStatus(Timeout([], "60", "pidfile", PidFile, "hang"));
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        LibC.kill(int.Parse(File.ReadAllText(ReinPidFile)), signal);

        Assert.Equal($"signal {signal}", Status(rein.Wait(TimeSpan.FromSeconds(30))));
        AssertNoSurvivors();
    }

    [Theory]
    [InlineData(LibC.SIGINT)]
    [InlineData(LibC.SIGQUIT)]
    public void A_background_job_with_SIGINT_and_SIGQUIT_ignored_is_still_stopped_by_them(
        int signal
    )
    {
        // A script's `rein timeout 100 cmd &` starts rein with SIGINT and SIGQUIT ignored. coreutils' timeout
        // installs its handlers regardless; rein too: the "stay ignored" rule is for the command only.
        using var rein = ReinProcess.Start(
            Timeout(["-k", "1"], "100", "pidfile", PidFile, "hang"),
            wrapper:
            [
                "python3",
                "-c",
                "import signal, subprocess, sys\n"
                    + "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                    + "signal.signal(signal.SIGQUIT, signal.SIG_IGN)\n"
                    + WaitStatus.Replace("import subprocess, sys\n", "", StringComparison.Ordinal),
                ReinPidFile,
            ]
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        LibC.kill(int.Parse(File.ReadAllText(ReinPidFile)), signal);

        // The command keeps the signal ignored (so the KILL after -k 1 ends it); rein then dies of the signal.
        Assert.Equal($"signal {signal}", Status(rein.Wait(TimeSpan.FromSeconds(30))));
        AssertNoSurvivors();
    }

    [Fact]
    public void A_command_that_handles_a_signal_sent_to_rein_keeps_its_own_status()
    {
        using var rein = StartWithStatus(
            Timeout([], "60", "exit-on", "15", "7", "pidfile", PidFile, "hang")
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        LibC.kill(int.Parse(File.ReadAllText(ReinPidFile)), LibC.SIGTERM);

        Assert.Equal("exit 7", Status(rein.Wait(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public void SIGUSR1_sent_to_rein_is_passed_on_and_the_run_goes_on()
    {
        using var rein = StartWithStatus(
            Timeout(
                [],
                "60",
                "catch",
                LibC.SIGUSR1.ToString(),
                "pidfile",
                PidFile,
                "sleep",
                "2",
                "exit",
                "4"
            )
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        LibC.kill(int.Parse(File.ReadAllText(ReinPidFile)), LibC.SIGUSR1);
        var r = rein.Wait(TimeSpan.FromSeconds(30));

        Assert.Contains($"caught {LibC.SIGUSR1}", r.Stdout);
        Assert.Equal("exit 4", Status(r));
    }
}
