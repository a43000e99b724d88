using System.Text.Json.Serialization;

namespace Rein.Cache;

/// <summary><c>rein.cache/1</c>: one result per spec (fields in docs/schemas.md).</summary>
public sealed record CacheDocument(IReadOnlyList<CacheResult> Results)
{
    [JsonPropertyOrder(-1)]
    public string Schema => "rein.cache/1";
}

/// <summary>Source-generated serialisation (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true
)]
[JsonSerializable(typeof(CacheDocument))]
public sealed partial class CacheJsonContext : JsonSerializerContext
{
    /// <summary>Readable text: paths are not HTML-escaped.</summary>
    public static CacheJsonContext Readable { get; } =
        new(
            new System.Text.Json.JsonSerializerOptions
            {
                PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
                WriteIndented = true,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }
        );
}
