using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>Every help page fits 80 columns with no trailing spaces, piped as well as on a terminal (issue 22: help
/// that teaches, output that fits). Verbs are found from the help itself, two levels deep.</summary>
public sealed class HelpWidthTests
{
    /// <summary>The names listed under "Commands:" in a help page.</summary>
    static List<string> Commands(string help) =>
        [
            .. help.Split('\n')
                .SkipWhile(l => !l.StartsWith("Commands:", StringComparison.Ordinal))
                .Skip(1)
                .TakeWhile(l => l.Length == 0 || l.StartsWith(' '))
                .Where(l =>
                    l.StartsWith("  ", StringComparison.Ordinal)
                    && !l.StartsWith("   ", StringComparison.Ordinal)
                )
                .Select(l => l.Trim().Split(' ')[0]),
        ];

    [Fact]
    public void Every_help_page_fits_80_columns_without_trailing_spaces()
    {
        var env = new Dictionary<string, string?> { ["COLUMNS"] = null };
        var top = ReinProcess.Run(["--help"], env);
        Assert.Equal(0, top.ExitCode);
        var pages = new List<(string Verb, string Help)> { ("", top.Stdout) };
        foreach (var verb in Commands(top.Stdout))
        {
            var help = ReinProcess.Run([verb, "--help"], env).Stdout;
            pages.Add((verb, help));
            foreach (var sub in Commands(help))
            {
                pages.Add(($"{verb} {sub}", ReinProcess.Run([verb, sub, "--help"], env).Stdout));
            }
        }

        Assert.True(pages.Count > 20, $"only {pages.Count} help pages found");
        var bad = pages
            .SelectMany(p =>
                p.Help.Split('\n')
                    .Where(l => l.Length > 80 || l.EndsWith(' '))
                    .Select(l => $"rein {p.Verb}: [{l.Length}] {l}")
            )
            .ToList();
        Assert.True(bad.Count == 0, string.Join('\n', bad.Take(20)));
    }
}
