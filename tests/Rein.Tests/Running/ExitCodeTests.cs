using Rein.Tests.Support;

namespace Rein.Tests.Running;

public sealed class ExitCodeTests : RunTestBase
{
    [Fact]
    public void Command_exit_code_is_passed_through()
    {
        var r = ReinProcess.Run(RunArgs([], "print", "hello", "exit", "3"));
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("hello\n", r.Stdout);
        Assert.Equal("", r.Stderr); // nothing to say when rein did not intervene
    }

    [Fact]
    public void Command_that_does_not_exist_exits_127_with_one_line()
    {
        var r = ReinProcess.Run(["run", "--", $"no-such-command-{Marker}"]);
        Assert.Equal(127, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd().Split("\n"));
        Assert.Contains("command not found", r.Stderr);
    }

    [Fact]
    public void File_that_is_not_executable_exits_126()
    {
        var path = Path.Combine(Scratch, "not-executable");
        File.WriteAllText(path, "#!/bin/sh\necho hi\n");
        var r = ReinProcess.Run(["run", "--", path]);
        Assert.Equal(126, r.ExitCode);
        Assert.Contains("permission denied", r.Stderr);
    }

    [Fact]
    public void Command_killed_by_a_signal_exits_128_plus_the_signal()
    {
        var r = ReinProcess.Run(RunArgs(["--report", ReportPath], "die", "10"));
        Assert.Equal(128 + 10, r.ExitCode);
        var report = ReadReport();
        Assert.Equal("signaled", report.GetProperty("outcome").GetString());
        Assert.Equal(10, report.GetProperty("signal").GetInt32());
    }

    [Theory]
    [InlineData("--timeout", "abc", "'abc' is not a duration")]
    [InlineData("--grace", "5parsecs", "unknown unit 'parsecs'")]
    [InlineData("--idle-timeout", "-3", "must be 0 or more")]
    public void Bad_duration_exits_125_with_one_line_naming_the_value(
        string option,
        string value,
        string expected
    )
    {
        var r = ReinProcess.Run(["run", option, value, "--", "true"]);
        Assert.Equal(125, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Contains(option, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr); // never a stack trace
        Assert.Single(r.Stderr.TrimEnd().Split("\n"));
    }

    [Fact]
    public void Missing_double_dash_exits_125_and_shows_how()
    {
        var r = ReinProcess.Run(["run", "make", "ci"]);
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("rein run --timeout 30m -- make ci", r.Stderr);
    }

    [Fact]
    public void Unknown_option_is_refused_not_run()
    {
        var r = ReinProcess.Run(["run", "--bogus", "--", "true"]);
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("unexpected '--bogus'", r.Stderr);
    }

    [Fact]
    public void Run_help_teaches_the_options_and_exit_codes()
    {
        var r = ReinProcess.Run(["run", "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("rein run", r.Stdout);
        Assert.Contains("--idle-timeout", r.Stdout);
        Assert.Contains("--lock", r.Stdout);
        Assert.Contains("124", r.Stdout);
    }

    [Fact]
    public void Invalid_environment_value_names_its_variable()
    {
        var r = ReinProcess.Run(
            ["run", "--", "true"],
            new Dictionary<string, string?> { ["REIN_TIMEOUT"] = "soon" }
        );
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("REIN_TIMEOUT", r.Stderr);
        Assert.Contains("'soon'", r.Stderr);
    }

    [Fact]
    public void Arguments_after_double_dash_reach_the_command_untouched()
    {
        var r = ReinProcess.Run([
            "run",
            "--",
            "printf",
            "%s|",
            "--timeout",
            "@file",
            "a b",
            "$HOME",
            "*",
        ]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("--timeout|@file|a b|$HOME|*|", r.Stdout);
    }
}
