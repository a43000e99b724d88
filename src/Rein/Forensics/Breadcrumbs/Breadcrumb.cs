namespace Rein.Forensics.Breadcrumbs;

/// <summary>Which side of an inference a breadcrumb marks.</summary>
public enum BreadcrumbKind
{
    /// <summary>Written just before the inference starts.</summary>
    Pre,

    /// <summary>Written once it has returned (or failed).</summary>
    Post,
}

/// <summary>One PRE or POST mark around an inference. The caller is a process identity (pid and its start time,
/// <see cref="Processes.ProcessInfo.StartTime"/>), so a pid reused by another process is never taken for the
/// caller; the run is the guarded run the caller belongs to (<c>REIN_RUN_ID</c>), null outside one.</summary>
public sealed record Breadcrumb(
    DateTimeOffset At,
    BreadcrumbKind Kind,
    string Model,
    int Pid,
    ulong PidStart,
    string? RunId,
    string? Note = null
)
{
    /// <summary>What pairs a POST with its PRE: the caller and its run, then the model. Never the model alone:
    /// two workers on one model must not close each other's inferences.</summary>
    public (int Pid, ulong PidStart, string? RunId, string Model) PairKey =>
        (Pid, PidStart, RunId, Model.ToLowerInvariant());

    public static string KindName(BreadcrumbKind kind) =>
        kind == BreadcrumbKind.Pre ? "pre" : "post";

    public static BreadcrumbKind? ParseKind(string? text) =>
        text switch
        {
            "pre" => BreadcrumbKind.Pre,
            "post" => BreadcrumbKind.Post,
            _ => null,
        };
}
