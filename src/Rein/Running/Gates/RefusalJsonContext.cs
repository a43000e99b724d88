using System.Text.Json.Serialization;

namespace Rein.Running.Gates;

/// <summary>Source-generated JSON for refusals (the spool's end line, the journal column, <c>--json</c> output).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Refusal))]
public sealed partial class RefusalJsonContext : JsonSerializerContext { }
