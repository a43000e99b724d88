namespace Rein.Running;

/// <summary>How a guarded run ended. The names are the <c>outcome</c> strings of <c>rein.run/1</c> reports.</summary>
public enum RunOutcome
{
    /// <summary>The command exited by itself; its exit code is passed through.</summary>
    Exited,

    /// <summary>The command was killed by a signal Rein did not send.</summary>
    Signaled,

    /// <summary>The wall-clock limit (--timeout) expired.</summary>
    TimedOut,

    /// <summary>The command printed nothing for --idle-timeout.</summary>
    IdleTimeout,

    /// <summary>Rein received SIGINT/SIGTERM/SIGHUP/SIGQUIT and stopped the run.</summary>
    Interrupted,

    /// <summary>The command could not be started (not found, not executable).</summary>
    StartFailed,

    /// <summary>The tree exceeded --memory (kernel OOM kill inside its cgroup, or the polled sum of RSS).</summary>
    MemoryExceeded,

    /// <summary>The tree exceeded --max-procs live processes (a fork bomb, say).</summary>
    MaxProcsExceeded,

    /// <summary>Rein itself failed after the run was recorded (its shim could not start or was lost, say); the
    /// shim kills whatever was started. The reason is in the journal's note.</summary>
    ReinFailed,

    /// <summary>Admission refused to start it (lock busy, retry breaker, memory): nothing ran; try later.</summary>
    Refused,
}

public static class RunOutcomeNames
{
    public static string ToWire(this RunOutcome o) =>
        o switch
        {
            RunOutcome.Exited => "exited",
            RunOutcome.Signaled => "signaled",
            RunOutcome.TimedOut => "timed_out",
            RunOutcome.IdleTimeout => "idle_timeout",
            RunOutcome.Interrupted => "interrupted",
            RunOutcome.StartFailed => "start_failed",
            RunOutcome.MemoryExceeded => "memory_exceeded",
            RunOutcome.MaxProcsExceeded => "max_procs_exceeded",
            RunOutcome.Refused => "refused",
            RunOutcome.ReinFailed => "rein_failed",
            _ => o.ToString().ToLowerInvariant(),
        };

    public static RunOutcome? FromWire(string s) =>
        s switch
        {
            "exited" => RunOutcome.Exited,
            "signaled" => RunOutcome.Signaled,
            "timed_out" => RunOutcome.TimedOut,
            "idle_timeout" => RunOutcome.IdleTimeout,
            "interrupted" => RunOutcome.Interrupted,
            "start_failed" => RunOutcome.StartFailed,
            "memory_exceeded" => RunOutcome.MemoryExceeded,
            "max_procs_exceeded" => RunOutcome.MaxProcsExceeded,
            "refused" => RunOutcome.Refused,
            "rein_failed" => RunOutcome.ReinFailed,
            _ => null,
        };
}
