using System.Globalization;

namespace Rein.Processes.MacOS;

/// <summary>One row of BSD <c>ps aux</c>: enough for the doctor (state, memory, command line).</summary>
public sealed record PsAuxRow(string User, int Pid, long RssBytes, string State, string Command)
{
    /// <summary>macOS marks uninterruptible wait with U (UE, U+ ...); Linux procps with D.</summary>
    public bool Uninterruptible => State.Length > 0 && State[0] is 'U' or 'D';

    public bool Zombie => State.Length > 0 && State[0] == 'Z';
}

/// <summary>Pure parser for <c>ps aux</c> (USER PID %CPU %MEM VSZ RSS TT STAT STARTED TIME COMMAND). The
/// command is the rest of the line and may be cut at the terminal width; rows that do not parse are skipped.</summary>
public static class PsAuxParser
{
    public static List<PsAuxRow> Parse(string output)
    {
        var rows = new List<PsAuxRow>();
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Split(
                ' ',
                11,
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            );
            if (
                parts.Length < 11
                || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pid)
            )
            {
                continue;
            }

            long.TryParse(parts[5], CultureInfo.InvariantCulture, out var rssKiB);
            rows.Add(new PsAuxRow(parts[0], pid, rssKiB * 1024, parts[7], parts[10]));
        }

        return rows;
    }
}
