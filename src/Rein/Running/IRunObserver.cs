namespace Rein.Running;

/// <summary>
/// Watches a run as it happens, for hosts that show progress or react (a supervisor, <c>rein timeout -v</c>).
/// Called on the guard's thread: return quickly, never block. Every method has an empty default.
/// </summary>
public interface IRunObserver
{
    /// <summary>The command is running, with this pid.</summary>
    void Started(int pid) { }

    /// <summary>A sample of the whole tree: summed resident memory and live processes.</summary>
    void Sampled(long rssBytes, int processes) { }

    /// <summary>The tree's memory grows fast enough to reach its limit within <see cref="RunSpec.WarnBefore"/>
    /// (said once per run).</summary>
    void GrowthWarned(GrowthWarning warning) { }

    /// <summary>Rein is stopping the run: why, and the polite signal it sends first.</summary>
    void TeardownBegun(RunOutcome reason, int signal) { }

    /// <summary>The teardown is over: processes signalled, and how many survived SIGKILL.</summary>
    void TeardownEnded(int killed, int unkillable) { }

    /// <summary>The command itself ended: (exited, code) or (signaled, signal).</summary>
    void Exited(bool exited, int codeOrSignal) { }
}
