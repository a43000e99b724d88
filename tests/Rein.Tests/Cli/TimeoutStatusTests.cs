using Rein.Cli.Commands;
using Rein.Processes.Posix;
using Rein.Running;

namespace Rein.Tests.Cli;

/// <summary>The exit status of `rein timeout` for each way a run ends, by coreutils timeout's rules (src/timeout.c:
/// 124 unless --preserve-status, 137 when the command needed KILL, and a signal death that rein did not cause by
/// timing out is re-raised on rein itself).</summary>
public sealed class TimeoutStatusTests
{
    static RunVerdict Verdict(RunOutcome outcome, int? exitCode = null, int? signal = null) =>
        new()
        {
            RunId = "r",
            Outcome = outcome,
            ExitCode = exitCode,
            Signal = signal,
            Duration = TimeSpan.FromSeconds(1),
            StartedAt = DateTimeOffset.UnixEpoch,
        };

    [Theory]
    [InlineData(0, false, 0)]
    [InlineData(2, false, 2)]
    [InlineData(2, true, 2)]
    public void A_command_that_ends_in_time_keeps_its_status(int code, bool preserve, int expected)
    {
        var s = TimeoutStatus.Decide(Verdict(RunOutcome.Exited, exitCode: code), preserve);

        Assert.Equal(expected, s.ExitCode);
        Assert.Null(s.Raise);
    }

    [Theory]
    [InlineData(false, 124)]
    [InlineData(true, 7)]
    public void A_timed_out_command_that_handles_the_signal_and_exits(bool preserve, int expected)
    {
        var s = TimeoutStatus.Decide(Verdict(RunOutcome.TimedOut, exitCode: 7), preserve);

        Assert.Equal(expected, s.ExitCode);
        Assert.Null(s.Raise);
    }

    [Theory]
    [InlineData(15, false, 124)]
    [InlineData(15, true, 143)]
    [InlineData(2, true, 130)]
    [InlineData(9, false, 137)]
    [InlineData(9, true, 137)]
    public void A_timed_out_command_killed_by_the_signal_is_not_re_raised(
        int signal,
        bool preserve,
        int expected
    )
    {
        var s = TimeoutStatus.Decide(Verdict(RunOutcome.TimedOut, signal: signal), preserve);

        Assert.Equal(expected, s.ExitCode);
        Assert.Null(s.Raise);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_command_killed_by_a_signal_of_its_own_is_re_raised(bool preserve)
    {
        var s = TimeoutStatus.Decide(Verdict(RunOutcome.Signaled, signal: 11), preserve);

        Assert.Equal(139, s.ExitCode);
        Assert.Equal(11, s.Raise);
    }

    [Fact]
    public void A_signal_sent_to_rein_that_ends_the_command_is_re_raised()
    {
        var s = TimeoutStatus.Decide(Verdict(RunOutcome.Interrupted, signal: 2), false);

        Assert.Equal(130, s.ExitCode);
        Assert.Equal(2, s.Raise);
    }

    [Fact]
    public void A_command_that_handles_a_signal_sent_to_rein_keeps_its_status()
    {
        var s = TimeoutStatus.Decide(
            Verdict(RunOutcome.Interrupted, exitCode: 7, signal: 15),
            false
        );

        Assert.Equal(7, s.ExitCode);
        Assert.Null(s.Raise);
    }

    [Theory]
    [InlineData(2, 127)] // ENOENT
    [InlineData(13, 126)] // EACCES
    public void A_command_that_cannot_start_gives_126_or_127(int errno, int expected)
    {
        var v = Verdict(RunOutcome.StartFailed) with
        {
            StartFailure = new SpawnFailure(errno, "x"),
        };

        Assert.Equal(expected, TimeoutStatus.Decide(v, false).ExitCode);
    }
}
