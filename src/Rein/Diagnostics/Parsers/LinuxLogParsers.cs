using System.Globalization;
using System.Text.RegularExpressions;

namespace Rein.Diagnostics.Parsers;

/// <summary>A <c>segfault at … in LIB[…]</c> kernel log line.</summary>
public sealed record SegfaultLine(string Command, int Pid, string? Library);

/// <summary>One row of <c>coredumpctl list</c>.</summary>
public sealed record CoredumpRow(string Time, int Pid, int Signal, string Executable);

/// <summary>Pure parsers for Linux crash evidence: kernel log lines and <c>coredumpctl list</c>.</summary>
public static partial class LinuxLogParsers
{
    public static List<SegfaultLine> ParseSegfaults(string log)
    {
        var result = new List<SegfaultLine>();
        foreach (Match m in Segfault().Matches(log))
        {
            result.Add(
                new SegfaultLine(
                    m.Groups[1].Value,
                    int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                    m.Groups[3].Success ? m.Groups[3].Value : null
                )
            );
        }

        return result;
    }

    /// <summary>"Out of memory: Killed process 3352 (python)" lines: the global OOM killer's victims.</summary>
    public static List<(int Pid, string Command)> ParseOomKills(string log) =>
        [
            .. OomKill()
                .Matches(log)
                .Select(m =>
                    (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value)
                ),
        ];

    public static List<CoredumpRow> ParseCoredumpctlList(string text)
    {
        var rows = new List<CoredumpRow>();
        foreach (var line in text.Split('\n'))
        {
            var m = CoredumpRowRegex().Match(line);
            if (m.Success)
            {
                rows.Add(
                    new CoredumpRow(
                        m.Groups[1].Value.Trim(),
                        int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                        int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
                        m.Groups[4].Value.Trim()
                    )
                );
            }
        }

        return rows;
    }

    [GeneratedRegex(
        @"([^\s\]]+)\[(\d+)\]: segfault at [0-9a-f]+ ip [0-9a-f]+ sp [0-9a-f]+ error \d+(?: in ([^\[\s]+)\[)?"
    )]
    private static partial Regex Segfault();

    [GeneratedRegex(@"Out of memory: Killed process (\d+) \(([^)]+)\)")]
    private static partial Regex OomKill();

    [GeneratedRegex(
        @"^(\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+)\s+(\d+)\s+\d+\s+\d+\s+(\d+)\s+\S+\s+(.+)$"
    )]
    private static partial Regex CoredumpRowRegex();
}
