using System.Text.Json;

namespace Rein.Diagnostics.Parsers;

public sealed record ContainerInfo(string Name, bool Running, long MemoryLimit);

public sealed record ContainerStats(string Name, string MemUsage, string MemPercent);

/// <summary>Pure parsers for <c>docker inspect</c> (an array, or one object as the Engine API returns it) and
/// <c>docker stats --no-stream --format '{{json .}}'</c> (one JSON object per line).</summary>
public static class DockerParsers
{
    public static List<ContainerInfo> ParseInspect(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var items =
            doc.RootElement.ValueKind == JsonValueKind.Array
                ? doc.RootElement.EnumerateArray().ToList()
                : [doc.RootElement];
        var result = new List<ContainerInfo>();
        foreach (var c in items)
        {
            var name = c.TryGetProperty("Name", out var n)
                ? n.GetString()?.TrimStart('/') ?? "?"
                : "?";
            var running =
                c.TryGetProperty("State", out var s)
                && s.TryGetProperty("Running", out var r)
                && r.GetBoolean();
            var memory =
                c.TryGetProperty("HostConfig", out var h) && h.TryGetProperty("Memory", out var m)
                    ? m.GetInt64()
                    : 0;
            result.Add(new ContainerInfo(name, running, memory));
        }

        return result;
    }

    public static List<ContainerStats> ParseStats(string jsonLines)
    {
        var result = new List<ContainerStats>();
        foreach (var line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            result.Add(new ContainerStats(Str(e, "Name"), Str(e, "MemUsage"), Str(e, "MemPerc")));
        }

        return result;
    }

    /// <summary>docker's human sizes: <c>2.352MiB</c>, <c>7.8GiB</c>, <c>13.3kB</c>, <c>0B</c> (binary and decimal units).</summary>
    public static long? ParseSize(string text)
    {
        var t = text.Trim();
        var i = 0;
        while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.'))
        {
            i++;
        }

        if (
            i == 0
            || !double.TryParse(
                t.AsSpan(0, i),
                System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture,
                out var n
            )
        )
        {
            return null;
        }

        double? factor = t[i..].Trim() switch
        {
            "B" or "" => 1,
            "kB" or "KB" => 1e3,
            "KiB" => 1024,
            "MB" => 1e6,
            "MiB" => 1 << 20,
            "GB" => 1e9,
            "GiB" => 1 << 30,
            "TB" => 1e12,
            "TiB" => 1L << 40,
            _ => null,
        };
        return factor is null ? null : (long)(n * factor.Value);
    }

    static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
}
