namespace Rein.Running;

/// <summary>What is known about a run before its command is spawned.</summary>
public sealed record RunStart(
    string RunId,
    IReadOnlyList<string> Command,
    string WorkingDirectory,
    string User,
    int ReinPid,
    ulong ReinStartTime,
    DateTimeOffset StartedAt,
    string? LockLabel,
    string? ModelLabel,
    SupervisionLink? Supervision = null,
    // The version of the rein that guards the run (the journal's rein_version); null when not known (a spool
    // written by a rein from before it was recorded).
    string? ReinVersion = null
);

/// <summary>
/// Receives the run's life cycle from <see cref="Guard"/>. The journal implements it. <see cref="RunStarting"/>
/// must be durable when it returns: the command is spawned only afterwards (G4), so a crash can never hide a run.
/// </summary>
public interface IRunRecorder
{
    void RunStarting(RunStart start);

    void ChildStarted(string runId, int pid, ulong startTime, int processGroup);

    /// <summary>Members of the run's tree the guard saw for the first time (pid + start time), from its regular
    /// samples: the record `rein cleanup` uses to find a tree left behind when rein and its shim were both killed,
    /// including members that cleared their environment. A default that records nothing keeps other recorders
    /// working unchanged.</summary>
    void ProcessesSeen(string runId, IReadOnlyList<(int Pid, ulong Start)> processes) { }

    /// <summary>The run's memory growth warning (<see cref="RunSpec.WarnBefore"/>), recorded when it is given so
    /// that readers (<c>rein ps</c>) see it while the run is alive; the end record keeps it. A default that records
    /// nothing keeps other recorders working unchanged.</summary>
    void GrowthWarned(string runId, GrowthWarning warning) { }

    void RunEnded(RunVerdict verdict);
}
