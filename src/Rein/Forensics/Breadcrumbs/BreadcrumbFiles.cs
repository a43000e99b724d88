namespace Rein.Forensics.Breadcrumbs;

/// <summary>Where breadcrumbs wait for the journal: <c>&lt;state&gt;/crumbs/</c>, one file per run
/// (<c>run-RUN_ID.crumbs</c>) or, outside a run, per caller (<c>pid-PID-START.crumbs</c>). Like the journal's
/// spool, writing here never opens SQLite; every reader of the journal imports these files first.</summary>
public static class BreadcrumbFiles
{
    public const string Folder = "crumbs";

    public const string Extension = ".crumbs";

    public static string Directory(string stateDirectory) => Path.Combine(stateDirectory, Folder);

    /// <summary>The file a breadcrumb goes to (its name only).</summary>
    public static string NameFor(Breadcrumb b) =>
        b.RunId is { } run
            ? $"run-{run}{Extension}"
            : string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"pid-{b.Pid}-{b.PidStart}{Extension}"
            );

    /// <summary>The run a file belongs to, or null for a caller's file.</summary>
    public static string? RunOf(string name) =>
        name.StartsWith("run-", StringComparison.Ordinal)
        && name.EndsWith(Extension, StringComparison.Ordinal)
            ? name[4..^Extension.Length]
            : null;

    /// <summary>The caller a caller's file belongs to, or null for a run's file.</summary>
    public static (int Pid, ulong Start)? CallerOf(string name)
    {
        if (
            !name.StartsWith("pid-", StringComparison.Ordinal)
            || !name.EndsWith(Extension, StringComparison.Ordinal)
        )
        {
            return null;
        }

        var parts = name[4..^Extension.Length].Split('-');
        return
            parts.Length == 2
            && int.TryParse(
                parts[0],
                System.Globalization.CultureInfo.InvariantCulture,
                out var pid
            )
            && ulong.TryParse(
                parts[1],
                System.Globalization.CultureInfo.InvariantCulture,
                out var start
            )
            ? (pid, start)
            : null;
    }

    /// <summary>Null when <paramref name="runId"/> can name a run's breadcrumb file; otherwise why not. A run id
    /// comes from the environment, so it must never be able to name a path outside the folder.</summary>
    public static string? RunIdProblem(string runId) =>
        runId.Length is 0 or > 64
        || !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? $"REIN_RUN_ID={Shorten(runId)} is not a rein run id (letters, digits, '-' and '_', at most 64)"
            : null;

    static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
