using System.Globalization;

namespace Rein.Processes.Linux;

/// <summary>Pure parser for <c>/proc/PID/stat</c> (proc(5)). The command name sits in parentheses and may
/// itself contain spaces and parentheses, so fields are counted from the last ')'.</summary>
public static class ProcStatParser
{
    public static ProcessInfo? Parse(string stat, long pageSize)
    {
        var open = stat.IndexOf('(');
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= stat.Length)
        {
            return null;
        }

        if (
            !int.TryParse(
                stat.AsSpan(0, open).Trim(),
                NumberStyles.Integer,
                CultureInfo.InvariantCulture,
                out var pid
            )
        )
        {
            return null;
        }

        var comm = stat[(open + 1)..close];
        var rest = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // rest[0]=state (field 3), rest[1]=ppid, rest[2]=pgrp, rest[3]=session, rest[19]=starttime (field 22), rest[21]=rss (field 24)
        if (rest.Length < 22)
        {
            return null;
        }

        return new ProcessInfo(
            pid,
            ParseInt(rest[1]),
            ParseInt(rest[2]),
            ParseInt(rest[3]),
            rest[0].Length > 0 ? rest[0][0] : '?',
            ulong.TryParse(rest[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var st)
                ? st
                : 0,
            long.TryParse(rest[21], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rss)
                ? rss * pageSize
                : 0,
            comm
        );
    }

    static int ParseInt(string s) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
