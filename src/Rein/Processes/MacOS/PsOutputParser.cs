using System.Globalization;

namespace Rein.Processes.MacOS;

/// <summary>Pure parser for <c>ps -axo pid=,ppid=,pgid=,stat=,rss=,lstart=,comm=</c> (BSD ps on macOS; procps
/// accepts the same keywords, which lets Linux CI capture real samples of the format). <c>lstart</c> is five
/// words (<c>Sun Nov 22 18:56:28 2026</c>) and stands in for the start time; <c>comm</c> is the rest of the line.</summary>
public static class PsOutputParser
{
    public const string Arguments = "-axo pid=,ppid=,pgid=,stat=,rss=,lstart=,comm=";

    public static List<ProcessInfo> Parse(string output)
    {
        var result = new List<ProcessInfo>();
        foreach (var line in output.Split('\n'))
        {
            var p = ParseLine(line);
            if (p is not null)
            {
                result.Add(p);
            }
        }

        return result;
    }

    public static ProcessInfo? ParseLine(string line)
    {
        var parts = line.Split(
            ' ',
            11,
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
        );
        if (parts.Length < 11)
        {
            return null;
        }

        if (
            !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var ppid)
            || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out var pgid)
            || !long.TryParse(parts[4], CultureInfo.InvariantCulture, out var rssKiB)
        )
        {
            return null;
        }

        var lstart = string.Join(' ', parts[5..10]);
        var start = DateTime.TryParseExact(
            lstart.Replace("  ", " ", StringComparison.Ordinal),
            ["ddd MMM d HH:mm:ss yyyy", "ddd MMM dd HH:mm:ss yyyy"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AllowWhiteSpaces,
            out var when
        )
            ? (ulong)when.Ticks
            : 0UL;
        return new ProcessInfo(
            pid,
            ppid,
            pgid,
            0,
            parts[3].Length > 0 ? parts[3][0] : '?',
            start,
            rssKiB * 1024,
            parts[10]
        );
    }
}
