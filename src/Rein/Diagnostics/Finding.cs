using System.Text.Json.Nodes;

namespace Rein.Diagnostics;

/// <summary>One result of one check: a one-line summary, a "do this" line, and machine-readable details.</summary>
public sealed record Finding(
    string Check,
    Severity Severity,
    string Summary,
    string? Advice = null,
    JsonObject? Details = null
)
{
    public static Finding Ok(string check, string summary, JsonObject? details = null) =>
        new(check, Severity.Ok, summary, null, details);
}
