using System.Text.Json.Serialization;

namespace Rein.Lint;

/// <summary>A minimal valid SARIF 2.1.0 log (one run: the tool with its rules, one result per finding), the
/// format GitHub code scanning uploads.</summary>
public sealed record SarifLog(
    [property: JsonPropertyName("$schema")] string Schema,
    string Version,
    IReadOnlyList<SarifRun> Runs
)
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public static SarifLog From(LintReport report, string toolVersion)
    {
        var rules = report
            .Findings.Select(f => f.Rule)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(id => new SarifRule(id, new SarifText(LintRules.Describe(id))))
            .ToList();
        var results = report
            .Sorted.Select(f => new SarifResult(
                f.Rule,
                f.Severity switch
                {
                    LintSeverity.Error => "error",
                    LintSeverity.Warning => "warning",
                    _ => "note",
                },
                new SarifText(f.Fix is null ? f.Message : $"{f.Message}. Fix: {f.Fix}"),
                [
                    new SarifLocation(
                        new SarifPhysicalLocation(
                            new SarifArtifactLocation(Uri(f.File)),
                            new SarifRegion(Math.Max(1, f.Line))
                        )
                    ),
                ]
            ))
            .ToList();
        return new SarifLog(
            SchemaUri,
            "2.1.0",
            [new SarifRun(new SarifTool(new SarifDriver("rein", toolVersion, rules)), results)]
        );
    }

    /// <summary>A relative path stays relative (code scanning resolves it against the repository root), with
    /// forward slashes and each segment escaped; an absolute one becomes a file: URI.</summary>
    static string Uri(string path)
    {
        var segments = path.Replace('\\', '/').Split('/').Select(System.Uri.EscapeDataString);
        var relative = string.Join('/', segments);
        return Path.IsPathRooted(path) ? $"file://{relative}" : relative;
    }
}

public sealed record SarifRun(SarifTool Tool, IReadOnlyList<SarifResult> Results);

public sealed record SarifTool(SarifDriver Driver);

public sealed record SarifDriver(string Name, string Version, IReadOnlyList<SarifRule> Rules);

public sealed record SarifRule(string Id, SarifText ShortDescription);

public sealed record SarifResult(
    string RuleId,
    string Level,
    SarifText Message,
    IReadOnlyList<SarifLocation> Locations
);

public sealed record SarifText(string Text);

public sealed record SarifLocation(SarifPhysicalLocation PhysicalLocation);

public sealed record SarifPhysicalLocation(
    SarifArtifactLocation ArtifactLocation,
    SarifRegion Region
);

public sealed record SarifArtifactLocation(string Uri);

public sealed record SarifRegion(int StartLine);

/// <summary>SARIF 2.1.0 is an external format, not one of Rein's documents: its names are camelCase and its schema
/// is OASIS's, so it keeps this context of its own rather than <see cref="Documents.ReinJsonContext"/>'s
/// snake_case.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true
)]
[JsonSerializable(typeof(SarifLog))]
public sealed partial class SarifJsonContext : JsonSerializerContext
{
    /// <summary>Readable text: a path or a message stays as it is (the file is never embedded in HTML).</summary>
    public static SarifJsonContext Readable { get; } =
        new(
            new System.Text.Json.JsonSerializerOptions
            {
                PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                WriteIndented = true,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }
        );
}
