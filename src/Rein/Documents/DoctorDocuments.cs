using System.Text.Json.Nodes;
using Rein.Diagnostics;

namespace Rein.Documents;

/// <summary>The <c>rein.doctor/1</c> document (<c>rein doctor --json</c>): how long the checks took and what each
/// found. A finding's <c>details</c> are its check's own facts (an empty object when it has none): each check names
/// them, so they are a JSON object here rather than a record.</summary>
public sealed record DoctorDocument(
    string Schema,
    long TookMs,
    IReadOnlyList<DoctorFindingDocument> Findings
)
{
    public const string SchemaName = "rein.doctor/1";

    public static DoctorDocument From(IReadOnlyList<Finding> findings, TimeSpan took) =>
        new(
            SchemaName,
            (long)took.TotalMilliseconds,
            [
                .. findings.Select(f => new DoctorFindingDocument(
                    f.Check,
                    f.Severity.ToString().ToLowerInvariant(),
                    f.Summary,
                    f.Details ?? [],
                    f.Advice
                )),
            ]
        );
}

public sealed record DoctorFindingDocument(
    string Check,
    string Severity,
    string Summary,
    JsonObject Details,
    string? Advice
);
