using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Config;

/// <summary>Durations at the edges of the clock, as `rein run` applies them.</summary>
public sealed class DurationCliTests : RunTestBase
{
    [Fact]
    public void Tiny_positive_timeout_times_out_instead_of_running_unbounded()
    {
        var r = ReinProcess.Run(
            RunArgs(["--timeout", "1e-10000", "--grace", "100ms"], "hang"),
            timeout: TimeSpan.FromSeconds(30)
        );

        Assert.Equal(124, r.ExitCode);
        AssertNoSurvivors();
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("inf")]
    [InlineData("9223372036854775808")]
    public void Timeout_too_large_for_the_clock_lets_the_command_finish(string timeout)
    {
        var r = ReinProcess.Run(RunArgs(["--timeout", timeout], "print", "done", "exit", "0"));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("done\n", r.Stdout);
    }

    [Fact]
    public void Malformed_number_gets_a_one_line_message_not_a_bug_report()
    {
        var r = ReinProcess.Run(["run", "--timeout", "1.5.5s", "--", "true"]);

        Assert.Equal(125, r.ExitCode);
        Assert.Equal(
            "rein run: invalid run.timeout from flag --timeout: '1.5.5s' is not a duration: '1.5.5' is not a number (use e.g. 500ms, 90s, 5m, 1h)\n",
            r.Stderr
        );
    }
}
