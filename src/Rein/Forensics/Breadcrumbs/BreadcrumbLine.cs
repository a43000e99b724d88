using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>A breadcrumb as one line of a breadcrumb file (docs/schemas.md, "Breadcrumb line"): short, stable field
/// names, because a file written by one rein is imported by the next.</summary>
internal sealed record BreadcrumbLine(
    long At,
    string Kind,
    string Model,
    int Pid,
    ulong PidStart,
    string? Run,
    string? Note
)
{
    public static byte[] Encode(Breadcrumb b) =>
        Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(
                new BreadcrumbLine(
                    b.At.ToUnixTimeMilliseconds(),
                    Breadcrumb.KindName(b.Kind),
                    b.Model,
                    b.Pid,
                    b.PidStart,
                    b.RunId,
                    b.Note
                ),
                BreadcrumbJsonContext.Default.BreadcrumbLine
            ) + "\n"
        );

    /// <summary>Null for a line that does not parse (cut short by a crash, or not ours).</summary>
    public static Breadcrumb? Decode(ReadOnlySpan<byte> line)
    {
        try
        {
            var l = JsonSerializer.Deserialize(line, BreadcrumbJsonContext.Default.BreadcrumbLine);
            return l is null || Breadcrumb.ParseKind(l.Kind) is not { } kind || l.Model is null
                ? null
                : new Breadcrumb(
                    DateTimeOffset.FromUnixTimeMilliseconds(l.At),
                    kind,
                    l.Model,
                    l.Pid,
                    l.PidStart,
                    l.Run,
                    l.Note
                );
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull
)]
[JsonSerializable(typeof(BreadcrumbLine))]
internal sealed partial class BreadcrumbJsonContext : JsonSerializerContext { }
