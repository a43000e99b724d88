using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rein.Running.Gates;

namespace Rein.Documents;

/// <summary>The one serialisation of Rein's documents (source-generated: no reflection under NativeAOT). Names are
/// snake_case; nulls are written (a reader sees every field of the schema).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true
)]
[JsonSerializable(typeof(RunDocument))]
[JsonSerializable(typeof(JournalDocument))]
[JsonSerializable(typeof(PsDocument))]
[JsonSerializable(typeof(UnkillableDocument[]))]
[JsonSerializable(typeof(Refusal))]
public sealed partial class ReinJsonContext : JsonSerializerContext
{
    /// <summary>Readable text: a '+' in a timestamp or a quote in a command line stays as it is (the output is
    /// never embedded in HTML).</summary>
    public static ReinJsonContext Create(bool indented) =>
        new(
            new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                WriteIndented = indented,
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }
        );

    public static ReinJsonContext Readable { get; } = Create(indented: true);

    public static ReinJsonContext Compact { get; } = Create(indented: false);
}
