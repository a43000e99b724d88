using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rein.Running.Gates;

namespace Rein.Documents;

/// <summary>The one serialisation of Rein's documents (source-generated: no reflection under NativeAOT). Names are
/// snake_case; nulls are written (a reader sees every field of the schema).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    Converters = [typeof(RoundTripTime)]
)]
[JsonSerializable(typeof(RunDocument))]
[JsonSerializable(typeof(SuperviseReportDocument))]
[JsonSerializable(typeof(SuperviseEventDocument))]
[JsonSerializable(typeof(SupervisionStatusDocument))]
[JsonSerializable(typeof(JournalDocument))]
[JsonSerializable(typeof(PsDocument))]
[JsonSerializable(typeof(UnkillableDocument[]))]
[JsonSerializable(typeof(Refusal))]
[JsonSerializable(typeof(Rein.Forensics.Classification.RunFailure))]
[JsonSerializable(typeof(GrowthDocument))]
[JsonSerializable(typeof(Rein.Forensics.Classification.ClassifyDocument))]
[JsonSerializable(typeof(Rein.Status.StatusDocument))]
[JsonSerializable(typeof(OtlpExportDocument))]
[JsonSerializable(typeof(ConfigDocument))]
[JsonSerializable(typeof(ModelsCheckDocument))]
[JsonSerializable(typeof(ModelsEstimateDocument))]
[JsonSerializable(typeof(CadenceDocument))]
[JsonSerializable(typeof(PanicsDocument))]
[JsonSerializable(typeof(AckDocument))]
[JsonSerializable(typeof(GateDocument))]
[JsonSerializable(typeof(GateReleaseDocument))]
[JsonSerializable(typeof(LintDocument))]
[JsonSerializable(typeof(LocksDocument))]
[JsonSerializable(typeof(DoctorDocument))]
[JsonSerializable(typeof(JournalPruneDocument))]
[JsonSerializable(typeof(CadenceStatusDocument))]
[JsonSerializable(typeof(PrometheusExportDocument))]
[JsonSerializable(typeof(Rein.Forensics.Postmortem.PostmortemResult))]
[JsonSerializable(typeof(IReadOnlyList<Rein.Forensics.Postmortem.PostmortemPanic>))]
[JsonSerializable(typeof(IReadOnlyList<Rein.Forensics.Postmortem.PostmortemCrumb>))]
[JsonSerializable(typeof(Rein.Cache.CacheDocument))]
[JsonSerializable(typeof(Rein.Cleanup.CleanupDocument))]
public sealed partial class ReinJsonContext : JsonSerializerContext
{
    /// <summary>Readable text: a '+' in a timestamp or a quote in a command line stays as it is (the output is
    /// never embedded in HTML).</summary>
    public static ReinJsonContext Create(bool indented) =>
        new(
            new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                Converters = { new RoundTripTime() },
                WriteIndented = indented,
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }
        );

    public static ReinJsonContext Readable { get; } = Create(indented: true);

    public static ReinJsonContext Compact { get; } = Create(indented: false);
}

/// <summary>Times as .NET's round-trip format (<c>2026-11-23T21:51:53.1230000+00:00</c>): always seven fractional
/// digits, so every document (and every version of it) writes a time the same way.</summary>
public sealed class RoundTripTime : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(
        ref Utf8JsonReader reader,
        Type typeToConvert,
        JsonSerializerOptions options
    ) => reader.GetDateTimeOffset();

    public override void Write(
        Utf8JsonWriter writer,
        DateTimeOffset value,
        JsonSerializerOptions options
    ) =>
        writer.WriteStringValue(
            value.ToString("O", System.Globalization.CultureInfo.InvariantCulture)
        );
}
