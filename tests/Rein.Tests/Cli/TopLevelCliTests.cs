using System.Text.RegularExpressions;
using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>What `rein` says when it is called without a verb, with a wrong one, or asked for help or its version.</summary>
public sealed class TopLevelCliTests
{
    [Fact]
    public void Rein_help_prints_the_same_help_as_rein_dash_dash_help()
    {
        var help = ReinProcess.Run(["help"]);
        var dashHelp = ReinProcess.Run(["--help"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Equal(dashHelp.Stdout, help.Stdout);
        Assert.Contains("Usage:", help.Stdout);
        Assert.Equal("", help.Stderr);
    }

    [Fact]
    public void Rein_help_run_prints_the_help_of_run()
    {
        var help = ReinProcess.Run(["help", "run"]);
        var dashHelp = ReinProcess.Run(["run", "--help"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Equal(dashHelp.Stdout, help.Stdout);
        Assert.Contains("--timeout", help.Stdout);
    }

    [Fact]
    public void Rein_help_locks_prints_the_help_of_locks()
    {
        var help = ReinProcess.Run(["help", "locks"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Equal(ReinProcess.Run(["locks", "--help"]).Stdout, help.Stdout);
    }

    [Theory]
    [InlineData("-v")]
    [InlineData("--version")]
    public void Version_flags_print_one_line_with_the_version(string flag)
    {
        var r = ReinProcess.Run([flag]);

        Assert.Equal(0, r.ExitCode);
        Assert.Matches(new Regex(@"^rein \d+\.\d+\.\d+(-[0-9A-Za-z.]+)?\n$"), r.Stdout);
    }

    [Fact]
    public void Unknown_command_is_named_with_a_pointer_to_the_help()
    {
        var r = ReinProcess.Run(["bogus"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("rein: unknown command 'bogus' (see rein --help)\n", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Help_for_an_unknown_command_names_it()
    {
        var r = ReinProcess.Run(["help", "bogus"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("rein: unknown command 'bogus' (see rein --help)\n", r.Stderr);
    }

    [Fact]
    public void Unknown_top_level_option_is_named()
    {
        var r = ReinProcess.Run(["--bogus"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("rein: unknown option '--bogus' (see rein --help)\n", r.Stderr);
    }

    [Fact]
    public void Rein_alone_prints_the_help_and_fails_as_git_does()
    {
        var r = ReinProcess.Run([]);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(ReinProcess.Run(["--help"]).Stdout, r.Stdout);
    }
}
