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

    static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
}
