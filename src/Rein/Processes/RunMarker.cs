namespace Rein.Processes;

/// <summary>
/// The environment variables that mark a process as a run's member: the run's own id, and the ids of the runs it is
/// nested in. Here, below Running, because the process layer finds a run's tree by them (<see cref="RunTree"/>)
/// while Running sets them (RunSpec.RunIdVariable and ChildEnvironment.ParentRunIdsVariable are these).
/// </summary>
public static class RunMarker
{
    /// <summary>The run's id, in every process it starts.</summary>
    public const string RunIdVariable = "REIN_RUN_ID";

    /// <summary>The ids of the runs this run is nested in, outermost first, separated by <c>:</c>.</summary>
    public const string ParentRunIdsVariable = "REIN_PARENT_RUN_IDS";

    /// <summary>Whether a process's REIN_RUN_ID or REIN_PARENT_RUN_IDS names <paramref name="runId"/>.</summary>
    public static bool Names(string? runIdValue, string? chainValue, string runId) =>
        runIdValue == runId
        || (
            chainValue is not null && chainValue.Split(':').Contains(runId, StringComparer.Ordinal)
        );
}
