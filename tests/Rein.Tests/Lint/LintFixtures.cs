using System.Text.RegularExpressions;
using Rein.Lint;
using Rein.Tests.Support;

namespace Rein.Tests.Lint;

/// <summary>Fixtures annotate what they expect: a line <c># expect: SEVERITY WHAT</c> (WHAT is the make
/// <c>when</c>, or a rule id) applies to the next line that is not itself a comment; every other line must have
/// no finding. The annotations live beside the code they describe, so a fixture reads as its own test.</summary>
internal static partial class LintFixtures
{
    [GeneratedRegex(@"^\s*#\s*expect:\s*(\w+)\s+(\S+)")]
    private static partial Regex Expect();

    public static string Dir(string linter) => Paths.Fixture("lint", linter);

    /// <summary>(file name, line, severity, what) for every annotation in the files.</summary>
    public static SortedSet<string> Expected(IEnumerable<string> files)
    {
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (Expect().Match(lines[i]) is not { Success: true } m)
                {
                    continue;
                }

                var target = i + 1;
                while (target < lines.Length && lines[target].TrimStart().StartsWith('#'))
                {
                    target++;
                }

                expected.Add(
                    Key(Path.GetFileName(file), target + 1, m.Groups[1].Value, m.Groups[2].Value)
                );
            }
        }

        return expected;
    }

    public static SortedSet<string> Actual(LintReport report, Func<LintFinding, string> what) =>
        new(
            report.Findings.Select(f =>
                Key(Path.GetFileName(f.File), f.Line, f.Severity.Name(), what(f))
            ),
            StringComparer.Ordinal
        );

    static string Key(string file, int line, string severity, string what) =>
        $"{file}:{line:D3}: {severity} {what}";

    /// <summary>A fresh temporary directory for one test.</summary>
    public static string TempDir(string name) =>
        Directory.CreateTempSubdirectory($"rein-lint-{name}-").FullName;
}
