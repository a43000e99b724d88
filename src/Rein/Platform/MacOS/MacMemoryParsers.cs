using System.Globalization;
using System.Text.RegularExpressions;

namespace Rein.Platform.MacOS;

/// <summary>What <c>memory_pressure</c> says: the free percentage and swap traffic.</summary>
public sealed record MemoryPressureReading(
    int FreePercent,
    long Swapins,
    long Swapouts,
    long CompressorPages,
    long PageSize
);

/// <summary><c>vm.swapusage: total = 2048.00M  used = 1017.50M  free = 1030.50M  (encrypted)</c>, in bytes.</summary>
public sealed record SwapUsage(long Total, long Used, long Free);

/// <summary>Pure parsers for macOS memory tools: <c>memory_pressure</c>, <c>sysctl</c>, <c>vm_stat</c>.</summary>
public static partial class MacMemoryParsers
{
    public static MemoryPressureReading? ParseMemoryPressure(string text)
    {
        var free = FreePercent().Match(text);
        if (!free.Success)
        {
            return null;
        }

        return new MemoryPressureReading(
            int.Parse(free.Groups[1].Value, CultureInfo.InvariantCulture),
            Counter(text, "Swapins"),
            Counter(text, "Swapouts"),
            Counter(text, "Pages used by compressor"),
            PageSize().Match(text) is { Success: true } m
                ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : 16384
        );
    }

    /// <summary><c>name: value</c> lines of <c>sysctl</c> output (later lines win).</summary>
    public static Dictionary<string, string> ParseSysctl(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && !line[..colon].Contains(' ', StringComparison.Ordinal))
            {
                values[line[..colon]] = line[(colon + 2)..].Trim();
            }
        }

        return values;
    }

    public static SwapUsage? ParseSwapUsage(string value)
    {
        var m = Swap().Match(value);
        if (!m.Success)
        {
            return null;
        }

        return new SwapUsage(
            Mib(m.Groups[1].Value),
            Mib(m.Groups[2].Value),
            Mib(m.Groups[3].Value)
        );
    }

    /// <summary><c>vm_stat</c>: the page size and every <c>Name: N.</c> counter, in pages.</summary>
    public static (long PageSize, Dictionary<string, long> Pages) ParseVmStat(string text)
    {
        var pages = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.LastIndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim().TrimEnd('.');
            if (long.TryParse(value, CultureInfo.InvariantCulture, out var n))
            {
                pages[line[..colon].Trim().Trim('"')] = n;
            }
        }

        var size = PageSize().Match(text) is { Success: true } m
            ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : 4096;
        return (size, pages);
    }

    static long Counter(string text, string name)
    {
        var m = Regex.Match(text, "^" + Regex.Escape(name) + @":\s*(\d+)", RegexOptions.Multiline);
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    static long Mib(string s) =>
        (long)(double.Parse(s, CultureInfo.InvariantCulture) * 1024 * 1024);

    [GeneratedRegex(@"System-wide memory free percentage:\s*(\d+)%")]
    private static partial Regex FreePercent();

    [GeneratedRegex(@"page size of (\d+)")]
    private static partial Regex PageSize();

    [GeneratedRegex(@"total = ([\d.]+)M\s+used = ([\d.]+)M\s+free = ([\d.]+)M")]
    private static partial Regex Swap();
}
