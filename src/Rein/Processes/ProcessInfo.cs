namespace Rein.Processes;

/// <summary>One row of the process table. <see cref="StartTime"/> is an opaque, platform-specific value
/// (clock ticks since boot on Linux) that, together with the pid, identifies one process: pids are reused,
/// the pair is not.</summary>
public sealed record ProcessInfo(
    int Pid,
    int ParentPid,
    int ProcessGroup,
    int Session,
    char State,
    ulong StartTime,
    long RssBytes,
    string Command
)
{
    /// <summary>Uninterruptible wait: D on Linux, U on macOS. SIGKILL does not take effect until it ends.</summary>
    public bool IsUninterruptible => State is 'D' or 'U';

    /// <summary>A zombie has exited; it holds no memory and cannot be killed any further.</summary>
    public bool IsZombie => State is 'Z' or 'X';

    public bool IsStopped => State is 'T' or 't';
}
