using System.Globalization;
using Rein.Platform;

namespace Rein.Processes.Linux;

/// <summary>The lines of /proc/meminfo Rein uses, in bytes.</summary>
public sealed record MemInfo(
    long TotalBytes,
    long AvailableBytes,
    long SwapTotalBytes,
    long SwapFreeBytes
);

/// <summary>Pure parser for /proc/meminfo (<c>MemAvailable:   123456 kB</c>).</summary>
public static class MemInfoParser
{
    public static MemInfo? Parse(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (
                parts.Length >= 1
                && long.TryParse(
                    parts[0],
                    NumberStyles.Integer,
                    CultureInfo.InvariantCulture,
                    out var n
                )
            )
            {
                values[line[..colon]] = parts.Length > 1 && parts[1] == "kB" ? n * 1024 : n;
            }
        }

        if (
            !values.TryGetValue("MemTotal", out var total)
            || !values.TryGetValue("MemAvailable", out var available)
        )
        {
            return null;
        }

        return new MemInfo(
            total,
            available,
            values.GetValueOrDefault("SwapTotal"),
            values.GetValueOrDefault("SwapFree")
        );
    }

    public static MemInfo? ReadCurrent() =>
        ProcFile.ReadText("/proc/meminfo") is { } text ? Parse(text) : null;
}
