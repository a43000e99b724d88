using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>Issue 22: the reports drawn with tables and grids (doctor, journal, ps, locks, config) end no line with
/// a space — Spectre.Console pads cells to the console width — and fit the width they are given.</summary>
public sealed class TrailingSpaceTests : RunTestBase
{
    [Theory]
    [InlineData("doctor")]
    [InlineData("journal")]
    [InlineData("journal show")]
    [InlineData("ps")]
    [InlineData("locks")]
    [InlineData("config")]
    [InlineData("status")]
    public void Report_lines_end_without_spaces_and_fit_80_columns(string words)
    {
        var verb = words.Split(' ');
        // Something to list: a run that ended and one that is alive.
        Assert.Equal(0, ReinProcess.Run(RunArgs([], "print", "done"), HomeEnv()).ExitCode);
        using var alive = ReinProcess.Start(RunArgs([], "pidfile", PidFile, "hang"), HomeEnv());
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        if (verb is ["journal", "show"])
        {
            var list = ReinProcess.Run(["journal", "--json"], HomeEnv()).Stdout;
            var id = System
                .Text.Json.JsonDocument.Parse(list)
                .RootElement.GetProperty("runs")[0]
                .GetProperty("run_id")
                .GetString()!;
            verb = ["journal", "show", id];
        }

        foreach (var columns in new[] { null, "80" })
        {
            var env = HomeEnv();
            env["COLUMNS"] = columns;
            var r = ReinProcess.Run(verb, env);
            var lines = r.Stdout.Split('\n');
            Assert.True(lines.Length > 1, $"rein {string.Join(' ', verb)}: {r.Stderr}");
            Assert.All(lines, l => Assert.False(l.EndsWith(' '), $"trailing space: '{l}'"));
            if (columns is not null)
            {
                Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: '{l}'"));
            }
        }
    }
}
