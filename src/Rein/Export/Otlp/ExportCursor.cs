using System.Text.Json;
using System.Text.Json.Serialization;
using Rein.Journal;

namespace Rein.Export.Otlp;

/// <summary>How far an export has shipped: the end time of the last run the collector accepted, and the runs that
/// ended within the overlap before it (a run written late, with an earlier end, is still found; one already
/// shipped is not sent twice).</summary>
public sealed class ExportCursor
{
    /// <summary>Unix milliseconds; 0 before the first export.</summary>
    [JsonPropertyName("at")]
    public long At { get; set; }

    /// <summary>The highest panic id shipped as a span.</summary>
    [JsonPropertyName("panic_id")]
    public long PanicId { get; set; }

    /// <summary>When the cumulative metrics began (Unix milliseconds): the first metrics export of this journal.</summary>
    [JsonPropertyName("metrics_start")]
    public long MetricsStart { get; set; }

    /// <summary>Run id → its end (Unix milliseconds), for the runs shipped within the overlap before <see cref="At"/>.</summary>
    [JsonPropertyName("recent")]
    public Dictionary<string, long> Recent { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Moves past <paramref name="runs"/>, which the collector accepted.</summary>
    public void Advance(IEnumerable<RunRecord> runs, long overlapMs)
    {
        foreach (var run in runs)
        {
            var at = (run.EndedAt ?? run.UncleanDetectedAt)!.Value.ToUnixTimeMilliseconds();
            At = Math.Max(At, at);
            Recent[run.Id] = at;
        }

        // Only the ids a later look can meet again are worth keeping.
        foreach (var (id, end) in Recent.ToList())
        {
            if (end < At - overlapMs)
            {
                Recent.Remove(id);
            }
        }
    }

    public static ExportCursor FromJson(string? json)
    {
        if (json is null)
        {
            return new ExportCursor();
        }

        try
        {
            return JsonSerializer.Deserialize(json, ExportCursorJson.Default.ExportCursor)
                ?? new ExportCursor();
        }
        catch (JsonException)
        {
            return new ExportCursor(); // a damaged cursor ships again, never nothing
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, ExportCursorJson.Default.ExportCursor);
}

[JsonSerializable(typeof(ExportCursor))]
internal sealed partial class ExportCursorJson : JsonSerializerContext;
