using System.Text.Json;
using System.Text.Json.Serialization;
using Rein.Journal;

namespace Rein.Export.Otlp;

/// <summary>How the last OTLP export went, kept in the journal for <c>rein doctor</c>: when it ran, whether
/// everything shipped, and since when exports have been failing.</summary>
public sealed record ExportStatus
{
    /// <summary>The journal's meta key.</summary>
    public const string StateKey = "export.otlp.last";

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    [JsonPropertyName("endpoint")]
    public string Endpoint { get; init; } = "";

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("queued")]
    public int Queued { get; init; }

    /// <summary>The first failure after the last export that shipped everything; null while exports succeed.</summary>
    [JsonPropertyName("failing_since")]
    public DateTimeOffset? FailingSince { get; init; }

    public static ExportStatus? Read(JournalStore store)
    {
        if (store.MetaValue(StateKey) is not { } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, ExportStatusJson.Default.ExportStatus);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static void Record(JournalStore store, OtlpExportResult result, DateTimeOffset now)
    {
        var previous = Read(store);
        var status = new ExportStatus
        {
            At = now,
            Endpoint = result.Endpoint,
            Error = result.Error,
            Queued = result.Queued,
            FailingSince = result.Error is null ? null : previous?.FailingSince ?? now,
        };
        store.SetMetaValue(
            StateKey,
            JsonSerializer.Serialize(status, ExportStatusJson.Default.ExportStatus)
        );
    }
}

[JsonSerializable(typeof(ExportStatus))]
internal sealed partial class ExportStatusJson : JsonSerializerContext;
