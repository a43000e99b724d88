using System.Text.Json.Serialization;
using Rein.Lint;

namespace Rein.Documents;

/// <summary>The <c>rein.lint/1</c> document that <c>rein lint make|compose|python --json</c> prints. A finding's
/// <c>fix</c> and its details' fields are left out when they have no value (a linter fills only its own).</summary>
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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Fix,
    LintDetails Details
);

public sealed record LintDocumentSummary(
    int Errors,
    int Warnings,
    int Infos,
    string FailOn,
    bool Failed
);
