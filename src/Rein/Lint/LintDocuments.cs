using System.Text.Json.Serialization;

namespace Rein.Lint;

/// <summary>The <c>rein.lint/1</c> document that <c>--json</c> prints.</summary>
public sealed record LintDocument(
    string Schema,
    string Linter,
    IReadOnlyList<string> Files,
    IReadOnlyList<LintDocumentFinding> Findings,
    LintDocumentSummary Summary
)
{
    public const string SchemaName = "rein.lint/1";

    public static LintDocument From(LintReport report, LintSeverity failOn) =>
        new(
            SchemaName,
            report.Linter,
            report.Files,
            [
                .. report.Sorted.Select(f => new LintDocumentFinding(
                    f.File,
                    f.Line,
                    f.Severity.Name(),
                    f.Rule,
                    f.Message,
                    f.Fix,
                    f.Details
                )),
            ],
            new LintDocumentSummary(
                report.Count(LintSeverity.Error),
                report.Count(LintSeverity.Warning),
                report.Count(LintSeverity.Info),
                failOn.Name(),
                report.FailsAt(failOn)
            )
        );
}

public sealed record LintDocumentFinding(
    string File,
    int Line,
    string Severity,
    string Rule,
    string Message,
    string? Fix,
    LintDetails Details
);

public sealed record LintDocumentSummary(
    int Errors,
    int Warnings,
    int Infos,
    string FailOn,
    bool Failed
);

/// <summary>Source-generated (reflection-free, NativeAOT-safe) JSON for <see cref="LintDocument"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true
)]
[JsonSerializable(typeof(LintDocument))]
public sealed partial class LintJsonContext : JsonSerializerContext { }
