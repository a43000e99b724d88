using System.Text.Json.Serialization;

namespace Rein.Journal;

internal sealed record UnkillableEntry(int Pid, string State, string Command);

/// <summary>Source-generated JSON for the small arrays stored in journal columns (no reflection under AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(UnkillableEntry[]))]
internal sealed partial class JournalJsonContext : JsonSerializerContext { }
