using System.Text.Json.Serialization;

namespace Rein.Cache;

/// <summary><c>rein.cache/1</c>: one result per spec (fields in docs/schemas.md).</summary>
public sealed record CacheDocument(IReadOnlyList<CacheResult> Results)
{
    [JsonPropertyOrder(-1)]
    public string Schema => "rein.cache/1";
}
