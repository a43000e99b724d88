using System.Globalization;
using Rein.Platform;

namespace Rein.Processes.Linux;

/// <summary>One line of a PSI file: the share of time (percent) some/all tasks were stalled, over 10 s, 60 s, 300 s.</summary>
public sealed record PressureLine(
    double Avg10,
    double Avg60,
    double Avg300,
    long TotalMicroseconds
);

public sealed record Pressure(PressureLine Some, PressureLine? Full);

/// <summary>Pure parser for /proc/pressure/{cpu,io,memory} (<c>some avg10=0.00 avg60=0.00 avg300=0.00 total=0</c>).</summary>
public static class PressureParser
{
    public static Pressure? Parse(string text)
    {
        PressureLine? some = null,
            full = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 5)
            {
                continue;
            }

            var kv = parts[1..]
                .Select(p => p.Split('=', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            if (
                !kv.TryGetValue("avg10", out var a10)
                || !kv.TryGetValue("avg60", out var a60)
                || !kv.TryGetValue("avg300", out var a300)
                || !double.TryParse(
                    a10,
                    NumberStyles.Float,
                    CultureInfo.InvariantCulture,
                    out var v10
                )
                || !double.TryParse(
                    a60,
                    NumberStyles.Float,
                    CultureInfo.InvariantCulture,
                    out var v60
                )
                || !double.TryParse(
                    a300,
                    NumberStyles.Float,
                    CultureInfo.InvariantCulture,
                    out var v300
                )
            )
            {
                continue;
            }

            long.TryParse(
                kv.GetValueOrDefault("total"),
                NumberStyles.Integer,
                CultureInfo.InvariantCulture,
                out var total
            );
            var parsed = new PressureLine(v10, v60, v300, total);
            if (parts[0] == "some")
            {
                some = parsed;
            }
            else if (parts[0] == "full")
            {
                full = parsed;
            }
        }

        return some is null ? null : new Pressure(some, full);
    }

    public static Pressure? ReadCurrent(string resource = "memory") =>
        ProcFile.ReadText($"/proc/pressure/{resource}") is { } text ? Parse(text) : null;
}
