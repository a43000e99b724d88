using Rein.Cli.Commands;

namespace Rein.Tests.Cli;

/// <summary>`rein timeout` reads its command line as coreutils timeout does (getopt_long with "+fk:ps:v"): options
/// only before DURATION, clustered short options, attached or separate values, unambiguous long prefixes.</summary>
public sealed class TimeoutArgumentsTests
{
    static TimeoutArguments Parsed(params string[] args)
    {
        var p = TimeoutArguments.Parse(args);
        Assert.True(p.Error is null, p.Error);
        Assert.Equal(TimeoutRequest.Run, p.Request);
        return p.Arguments!;
    }

    static string Refused(params string[] args)
    {
        var p = TimeoutArguments.Parse(args);
        Assert.Equal(TimeoutRequest.Error, p.Request);
        return p.Error!;
    }

    [Fact]
    public void Defaults_are_coreutils_defaults()
    {
        var a = Parsed("10", "make", "ci");

        Assert.Equal(TimeSpan.FromSeconds(10), a.Duration);
        Assert.Equal(15, a.Signal);
        Assert.Null(a.KillAfter);
        Assert.False(a.PreserveStatus || a.Verbose || a.Foreground);
        Assert.Equal(["make", "ci"], a.Command);
    }

    [Fact]
    public void Options_after_the_command_belong_to_the_command()
    {
        var a = Parsed("5", "grep", "-v", "-k", "--help", "--", "x");

        Assert.Equal(["grep", "-v", "-k", "--help", "--", "x"], a.Command);
        Assert.False(a.Verbose);
    }

    [Fact]
    public void Short_options_cluster_and_take_attached_or_separate_values()
    {
        var a = Parsed("-pvf", "-k1.5", "-s", "INT", "2", "cmd");

        Assert.True(a.PreserveStatus && a.Verbose && a.Foreground);
        Assert.Equal(TimeSpan.FromSeconds(1.5), a.KillAfter);
        Assert.Equal(2, a.Signal);

        var b = Parsed("-vk", "3", "-sKILL", "2", "cmd");
        Assert.True(b.Verbose);
        Assert.Equal(TimeSpan.FromSeconds(3), b.KillAfter);
        Assert.Equal(9, b.Signal);
    }

    [Fact]
    public void Long_options_take_equals_or_separate_values_and_unambiguous_prefixes()
    {
        var a = Parsed(
            "--kill-after=2",
            "--signal",
            "hup",
            "--preserve",
            "--fore",
            "--verb",
            "1",
            "cmd"
        );

        Assert.Equal(TimeSpan.FromSeconds(2), a.KillAfter);
        Assert.Equal(1, a.Signal);
        Assert.True(a.PreserveStatus && a.Foreground && a.Verbose);
    }

    [Fact]
    public void Double_dash_ends_the_options_before_the_duration()
    {
        var a = Parsed("-v", "--", "3", "-p");

        Assert.True(a.Verbose);
        Assert.False(a.PreserveStatus);
        Assert.Equal(["-p"], a.Command);
    }

    [Fact]
    public void Kill_after_zero_means_no_kill_after_as_in_coreutils()
    {
        Assert.Null(Parsed("-k", "0", "1", "cmd").KillAfter);
        Assert.Null(Parsed("-k", "-0", "1", "cmd").KillAfter);
    }

    [Fact]
    public void A_negative_first_operand_is_an_option_as_for_getopt_so_coreutils_tests_use_double_dash()
    {
        Assert.Contains("invalid option -- '1'", Refused("-1", "cmd"));
        Assert.Contains("invalid time interval '-1'", Refused("--", "-1", "cmd"));
        Assert.Equal(TimeSpan.Zero, Parsed("--", "-0", "cmd").Duration);
    }

    [Theory]
    [InlineData("--help", "Help")]
    [InlineData("-h", "Help")]
    [InlineData("--version", "Version")]
    [InlineData("--vers", "Version")]
    public void Help_and_version_are_answered_where_they_appear(string flag, string request)
    {
        Assert.Equal(
            Enum.Parse<TimeoutRequest>(request),
            TimeoutArguments.Parse(["-v", flag, "1", "cmd"]).Request
        );
        // After DURATION it is the command's argument.
        Assert.Equal(TimeoutRequest.Run, TimeoutArguments.Parse(["1", "cmd", flag]).Request);
    }

    [Theory]
    [InlineData("10.34")]
    [InlineData("9.999999999")]
    [InlineData("1d")]
    [InlineData(".5")]
    [InlineData("2.34e+5d")]
    [InlineData("4294967296")]
    [InlineData("1.18973149535723176502e+4932")]
    [InlineData("999999999999999999999999999d")]
    [InlineData("0")]
    [InlineData("1e-10000")]
    [InlineData("inf")]
    public void Coreutils_durations_are_accepted(string duration)
    {
        Parsed(duration, "true");
        Parsed("-k", duration, "1", "true");
    }

    [Fact]
    public void A_tiny_duration_is_the_smallest_tick_never_no_timeout()
    {
        Assert.True(Parsed("1e-10000", "true").Duration > TimeSpan.Zero);
    }

    [Theory]
    [InlineData("invalid")]
    [InlineData(" -0.1")]
    [InlineData(" -1e-10000")]
    [InlineData("-1.18973149535723176502e+4932")]
    [InlineData("42D")]
    [InlineData("1x")]
    [InlineData("")]
    [InlineData("nan")]
    public void Invalid_durations_are_refused_naming_the_value(string duration)
    {
        Assert.Contains($"invalid time interval '{duration}'", Refused("--", duration, "true"));
        Assert.Contains(
            $"invalid time interval '{duration}'",
            Refused("-k", duration, "1", "true")
        );
    }

    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("term", 15)]
    [InlineData("SIGTERM", 15)]
    [InlineData("sigTerm", 15)]
    [InlineData("15", 15)]
    [InlineData("0", 0)]
    [InlineData("EXIT", 0)]
    [InlineData("KILL", 9)]
    [InlineData("INT", 2)]
    [InlineData("143", 15)] // a shell's $? for a TERM death, as operand2sig accepts
    public void Signals_are_names_with_or_without_SIG_in_any_case_or_numbers(
        string text,
        int number
    )
    {
        Assert.Equal(number, Parsed("-s", text, "1", "cmd").Signal);
    }

    [Theory]
    [InlineData("invalid")]
    [InlineData("SIG")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("100")]
    [InlineData("TERM2")]
    public void Invalid_signals_are_refused(string text)
    {
        Assert.Contains($"'{text}': invalid signal", Refused("-s", text, "1", "cmd"));
    }

    [Fact]
    public void Usage_errors_are_one_line_in_getopt_words()
    {
        Assert.Contains("invalid option -- 'x'", Refused("-x", "1", "cmd"));
        Assert.Contains("unrecognized option '--bogus'", Refused("--bogus", "1", "cmd"));
        Assert.Contains("option '--v' is ambiguous", Refused("--v", "1", "cmd"));
        Assert.Contains("option requires an argument -- 'k'", Refused("-k"));
        Assert.Contains("option '--signal' requires an argument", Refused("--signal"));
        Assert.Contains(
            "option '--verbose' doesn't allow an argument",
            Refused("--verbose=yes", "1", "cmd")
        );
        Assert.Contains("missing operand", Refused());
        Assert.Contains("missing operand", Refused("-v", "10"));
        Assert.All(
            new[] { Refused("-x", "1", "cmd"), Refused("10") },
            m => Assert.DoesNotContain('\n', m)
        );
    }
}
