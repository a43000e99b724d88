using System.Text.Json.Serialization;

namespace Rein.Journal;

/// <summary>Source-generated JSON for the small arrays stored in journal columns (no reflection under AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int[]))]
internal sealed partial class JournalJsonContext : JsonSerializerContext { }
