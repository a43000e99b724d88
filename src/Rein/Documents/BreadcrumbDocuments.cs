using Rein.Forensics.Breadcrumbs;

namespace Rein.Documents;

/// <summary>A breadcrumb in a document (<c>rein journal show --json</c>, <c>rein ps --json</c>).</summary>
public sealed record BreadcrumbDocument(
    DateTimeOffset At,
    string Kind,
    string Model,
    int Pid,
    ulong PidStart,
    string? RunId,
    string? Note
)
{
    public static BreadcrumbDocument From(Breadcrumb b) =>
        new(b.At, Breadcrumb.KindName(b.Kind), b.Model, b.Pid, b.PidStart, b.RunId, b.Note);
}

/// <summary>A PRE without a POST that <c>rein ps</c> reports: <c>in_flight</c> (its process lives, older than
/// inference.hang_after) or <c>died</c> (its process is gone).</summary>
public sealed record InferenceDocument(
    string State,
    string Model,
    int Pid,
    ulong PidStart,
    string? RunId,
    DateTimeOffset PreAt,
    long AgeMs,
    string? Note,
    string Message
)
{
    public static InferenceDocument From(OpenInference i) =>
        new(
            OpenInference.StateName(i.State),
            i.Pre.Model,
            i.Pre.Pid,
            i.Pre.PidStart,
            i.Pre.RunId,
            i.Pre.At,
            (long)i.Age.TotalMilliseconds,
            i.Pre.Note,
            i.Describe()
        );
}
