using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>`rein timeout` next to the machine's own coreutils timeout (when there is one) on what coreutils' tests
/// check: the -v wording, the rejection of a trailing space in DURATION, SIGPIPE passed on, and a prompt end in a
/// pid namespace whose /proc is not its own.</summary>
public sealed class TimeoutParityTests : RunTestBase
{
    const string Coreutils = "/usr/bin/timeout";

    static (int Exit, string Stderr) Gnu(params string[] args)
    {
        var psi = new ProcessStartInfo(Coreutils)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.Environment["LC_ALL"] = "C"; // plain quotes, as rein writes them
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)));
        // coreutils names itself as invoked: "/usr/bin/timeout: …".
        return (p.ExitCode, err.Result.Replace(Coreutils + ":", "timeout:"));
    }

    static void RequireCoreutils() =>
        Assert.SkipUnless(File.Exists(Coreutils), $"compares with {Coreutils}, not installed");

    [Fact]
    public void Verbose_says_EXIT_for_signal_0_and_KILL_after_k_as_coreutils_does()
    {
        RequireCoreutils();
        string[] args = ["-v", "-s0", "-k", ".1", ".1", "sleep", "10"];
        var gnu = Gnu(args);
        var rein = ReinProcess.Run(["timeout", .. args]);

        Assert.Equal(
            "timeout: sending signal EXIT to command 'sleep'\n"
                + "timeout: sending signal KILL to command 'sleep'\n",
            gnu.Stderr
        );
        Assert.Equal(gnu.Exit, rein.ExitCode);
        Assert.Equal(gnu.Stderr.Replace("timeout:", "rein timeout:"), rein.Stderr);
    }

    [Theory]
    [InlineData("1 ", 125)]
    [InlineData("1s ", 125)]
    [InlineData("1\t", 125)]
    [InlineData(" 1", 0)]
    public void A_duration_with_trailing_white_space_is_refused_as_coreutils_does(
        string duration,
        int expected
    )
    {
        if (File.Exists(Coreutils))
        {
            Assert.Equal(expected, Gnu(duration, "true").Exit);
        }

        var r = ReinProcess.Run(["timeout", duration, "true"]);

        Assert.Equal(expected, r.ExitCode);
        if (expected == 125)
        {
            Assert.Contains("invalid time interval", r.Stderr);
        }
    }

    [Fact]
    public void SIGPIPE_sent_to_rein_timeout_reaches_the_command()
    {
        var ready = Path.Combine(Scratch, "ready");
        using var rein = ReinProcess.Start(
            [
                "timeout",
                "20",
                "sh",
                "-c",
                $"trap 'echo got PIPE; exit 3' PIPE; touch {ready}; while :; do sleep 0.05; done",
                Marker,
            ],
            // A shell's default: the test host leaves SIGPIPE ignored, which the command would keep (and a shell
            // cannot trap a signal ignored on entry). env execs rein: the pid is rein's.
            wrapper: ["env", "--default-signal=PIPE"]
        );
        Assert.True(
            ProcessProbe.WaitUntil(() => File.Exists(ready), TimeSpan.FromSeconds(20)),
            "the command did not start"
        );

        LibC.kill(rein.Pid, LibC.SIGPIPE);

        var r = rein.Wait(TimeSpan.FromSeconds(20));
        Assert.Equal("got PIPE\n", r.Stdout);
        Assert.Equal(3, r.ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void Rein_writing_to_a_closed_pipe_does_not_send_SIGPIPE_to_the_command()
    {
        // rein's own EPIPE (its stdout's reader gone) raises a SIGPIPE that names rein as its sender: not the
        // command's. The command, which handles SIGPIPE, must see none of it and end on its own.
        var status = Path.Combine(Scratch, "status");
        var r = ReinProcess.Run(
            [
                "run",
                "--idle-timeout", // the output goes through rein's relay, so rein is the writer that meets EPIPE
                "60s",
                "--",
                "sh",
                "-c",
                // The second line meets the closed pipe at rein, not here; nothing is written after it.
                "trap 'echo got PIPE >&2; exit 3' PIPE; echo a; sleep 0.3; echo b; sleep 0.7; exit 0",
                Marker,
            ],
            wrapper:
            [
                "sh",
                "-c",
                $"{{ env --default-signal=PIPE \"$0\" \"$@\"; echo $? > {status}; }} | head -c1 >/dev/null",
            ]
        );

        Assert.DoesNotContain("got PIPE", r.Stderr);
        Assert.NotEqual("3", File.ReadAllText(status).Trim());
        AssertNoSurvivors();
    }

    [Fact]
    public void In_a_pid_namespace_without_its_own_proc_a_timed_out_run_ends_promptly()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux()
                && Environment.UserName == "root"
                && File.Exists("/usr/bin/unshare"),
            "needs root and unshare(1)"
        );
        foreach (
            var args in new[]
            {
                new[] { "timeout", ".5", "sleep", "10" },
                ["timeout", ".5", "sh", "-c", "sleep 10 & sleep 10"],
                ["run", "--timeout", "500ms", "--", "sleep", "10"],
            }
        )
        {
            var clock = Stopwatch.StartNew();
            // A private journal: the retry breaker must not refuse a `sleep 10` that timed out in another test.
            var r = ReinProcess.Run(args, HomeEnv(), wrapper: ["unshare", "--pid", "--fork"]);
            var took = clock.Elapsed;

            Assert.Equal(124, r.ExitCode);
            Assert.DoesNotContain("survived", r.Stderr);
            // The grace is 5 s: a run that waits for it all did not see its command end.
            Assert.True(
                took < TimeSpan.FromSeconds(3.5),
                $"{string.Join(' ', args)} took {took.TotalSeconds:0.0}s"
            );
        }
    }
}
