using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>`rein timeout` against the behaviours coreutils asserts for timeout(1) in tests/timeout/timeout.sh and
/// timeout-parameters.sh (ported, with the test helper in place of sleep), plus rein's own usage rules.</summary>
public sealed class TimeoutCliTests : RunTestBase
{
    /// <summary>rein timeout OPTIONS... DURATION rein-testhelper MARKER script...</summary>
    IEnumerable<string> Timeout(string[] options, string duration, params string[] script) =>
        ["timeout", .. options, duration, Paths.Helper, Marker, .. script];

    [Theory]
    [InlineData("10")]
    [InlineData("1d")]
    [InlineData("0")]
    [InlineData("10.34")]
    [InlineData("9.999999999")]
    [InlineData("2.34e+5d")]
    [InlineData("4294967296")]
    [InlineData("1.18973149535723176502e+4932")]
    public void Command_that_ends_in_time_exits_0(string duration)
    {
        var r = ReinProcess.Run(["timeout", duration, "true"]);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void Exit_status_of_the_command_is_passed_through()
    {
        // coreutils' test uses 2, which is also what an unknown verb exits with: 3 tells them apart.
        Assert.Equal(3, ReinProcess.Run(["timeout", "10", "sh", "-c", "exit 3"]).ExitCode);
    }

    [Fact]
    public void Timed_out_command_exits_124_silently()
    {
        var r = ReinProcess.Run(Timeout([], ".1", "hang"));

        Assert.Equal(124, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(5), $"took {r.Elapsed}");
        AssertNoSurvivors();
    }

    [Fact]
    public void A_duration_that_underflows_is_the_smallest_tick_not_no_timeout()
    {
        Assert.Equal(124, ReinProcess.Run(Timeout([], "1e-10000", "hang")).ExitCode);
    }

    [Fact]
    public void Preserve_status_on_timeout_gives_128_plus_TERM()
    {
        Assert.Equal(143, ReinProcess.Run(Timeout(["--preserve-status"], ".1", "hang")).ExitCode);
        Assert.Equal(143, ReinProcess.Run(Timeout(["-p"], ".1", "hang")).ExitCode);
    }

    [Theory]
    [InlineData("-s", "INT")]
    [InlineData("-s", "2")]
    [InlineData("--signal", "sigint")]
    [InlineData("--signal=SIGINT", null)]
    public void Timeout_with_another_signal_exits_124_and_130_with_preserve_status(
        string option,
        string? value
    )
    {
        string[] signal = value is null ? [option] : [option, value];

        Assert.Equal(124, ReinProcess.Run(Timeout(signal, ".2", "hang")).ExitCode);
        Assert.Equal(130, ReinProcess.Run(Timeout(["-p", .. signal], ".2", "hang")).ExitCode);
    }

    [Fact]
    public void Command_that_traps_TERM_and_exits_7_gives_124_or_7_with_preserve_status()
    {
        Assert.Equal(
            124,
            ReinProcess.Run(Timeout([], ".2", "exit-on", "15", "7", "hang")).ExitCode
        );
        Assert.Equal(
            7,
            ReinProcess.Run(Timeout(["-p"], ".2", "exit-on", "15", "7", "hang")).ExitCode
        );
    }

    [Theory]
    [InlineData("-s0", "-k.2")]
    [InlineData("--foreground", "-s0", "-k.2")]
    [InlineData("-f", "-s0", "-k.2")]
    [InlineData("-sKILL")]
    [InlineData("-p", "-sKILL")]
    public void A_command_that_needed_KILL_after_the_timeout_gives_137(params string[] options)
    {
        var r = ReinProcess.Run(Timeout(options, ".1", "hang"));

        Assert.Equal(137, r.ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void Kill_after_bounds_a_command_that_ignores_TERM()
    {
        var r = ReinProcess.Run(
            Timeout(["-k", ".3"], ".2", "ignore-term", "hang"),
            new Dictionary<string, string?> { ["REIN_GRACE"] = "30s" }
        );

        Assert.Equal(137, r.ExitCode);
        Assert.True(
            r.Elapsed < TimeSpan.FromSeconds(10),
            $"took {r.Elapsed}: -k did not win over REIN_GRACE"
        );
        AssertNoSurvivors();
    }

    [Fact]
    public void Without_kill_after_a_command_that_ignores_TERM_is_killed_after_the_run_grace()
    {
        // coreutils would wait forever here; rein bounds it with run.grace (REIN_GRACE, default 5s).
        var r = ReinProcess.Run(
            Timeout([], ".2", "ignore-term", "hang"),
            new Dictionary<string, string?> { ["REIN_GRACE"] = "300ms" }
        );

        Assert.Equal(137, r.ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void Kill_after_zero_is_no_kill_after_as_in_coreutils_so_the_run_grace_applies()
    {
        // A command that needs half a second to clean up after TERM: "-k 0" must not mean KILL right after TERM.
        var r = ReinProcess.Run(
            [
                "timeout",
                "-k",
                "0",
                ".2",
                "sh",
                "-c",
                "trap 'sleep .5; exit 7' TERM; sleep 10 & wait",
                Marker,
            ],
            new Dictionary<string, string?> { ["REIN_GRACE"] = "30s" }
        );

        Assert.Equal(124, r.ExitCode);
        Assert.Equal(
            7,
            ReinProcess
                .Run(
                    [
                        "timeout",
                        "-p",
                        "-k",
                        "0",
                        ".2",
                        "sh",
                        "-c",
                        "trap 'sleep .5; exit 7' TERM; sleep 10 & wait",
                        Marker,
                    ],
                    new Dictionary<string, string?> { ["REIN_GRACE"] = "30s" }
                )
                .ExitCode
        );
    }

    [Fact]
    public void Cannot_execute_is_126_and_not_found_is_127()
    {
        var notFound = ReinProcess.Run(["timeout", "10", "no_such-" + Marker]);
        var notExecutable = ReinProcess.Run(["timeout", "10", "."]);

        Assert.Equal(127, notFound.ExitCode);
        Assert.Equal(126, notExecutable.ExitCode);
        Assert.Single(notFound.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("rein timeout: ", notFound.Stderr);
    }

    [Theory]
    [InlineData("invalid")]
    [InlineData(" -0.1")]
    [InlineData(" -1e-10000")]
    [InlineData("42D")]
    [InlineData("-1.18973149535723176502e+4932")]
    public void Invalid_durations_exit_125_in_one_line(string duration)
    {
        var r = ReinProcess.Run(["timeout", "--", duration, "true"]);
        var k = ReinProcess.Run(["timeout", $"--kill-after={duration}", "1", "true"]);

        foreach (var x in new[] { r, k })
        {
            Assert.Equal(125, x.ExitCode);
            Assert.Single(x.Stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains("invalid time interval", x.Stderr);
        }
    }

    [Theory]
    [InlineData("--signal=invalid")]
    [InlineData("-s100")]
    [InlineData("-x")]
    [InlineData("--bogus")]
    public void Invalid_signals_and_options_exit_125_without_running_anything(string option)
    {
        var r = ReinProcess.Run(["timeout", option, "1", Paths.Helper, Marker, "pidfile", PidFile]);

        Assert.Equal(125, r.ExitCode);
        Assert.Matches(@"^rein timeout: [^\n]+ \(see rein timeout --help\)\n$", r.Stderr);
        Assert.False(File.Exists(PidFile));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("-v")]
    public void Missing_duration_or_command_exits_125(string args)
    {
        var r = ReinProcess.Run([
            "timeout",
            .. args.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        ]);

        Assert.Equal(125, r.ExitCode);
        Assert.Contains("missing operand", r.Stderr);
    }

    [Fact]
    public void Options_after_the_command_are_the_commands_own()
    {
        var r = ReinProcess.Run(Timeout([], "10", "print", "-v", "print", "--help", "print", "-k"));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("-v\n--help\n-k\n", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void Help_teaches_with_examples_and_states_the_differences()
    {
        var r = ReinProcess.Run(["timeout", "--help"]);

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Usage: rein timeout [OPTION]... DURATION COMMAND [ARG]...", r.Stdout);
        foreach (
            var word in new[]
            {
                "--kill-after",
                "--signal",
                "--preserve-status",
                "--foreground",
                "--verbose",
                "Examples:",
                "124",
                "137",
                "setsid",
            }
        )
        {
            Assert.Contains(word, r.Stdout);
        }

        Assert.Equal(r.Stdout, ReinProcess.Run(["help", "timeout"]).Stdout);
        Assert.Contains("timeout", ReinProcess.Run(["--help"]).Stdout);
    }

    [Fact]
    public void Version_prints_one_line()
    {
        var r = ReinProcess.Run(["timeout", "--version"]);

        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^rein timeout \(rein\) \d+\.\d+\.\d+(-[0-9A-Za-z.]+)?\n$", r.Stdout);
    }
}
