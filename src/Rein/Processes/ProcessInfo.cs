namespace Rein.Processes;

/// <summary>One row of the process table. <see cref="StartTime"/> is an opaque, platform-specific value
/// (clock ticks since boot on Linux, microseconds since the epoch on macOS) that, together with the pid,
/// identifies one process: pids are reused, the pair is not (0 when it could not be read).</summary>
/// <param name="MemoryBytes">The memory the process costs the machine: resident set size on Linux;
/// <c>ri_phys_footprint</c> on macOS (resident plus compressed plus GPU/IOKit memory charged to it, what Activity
/// Monitor and jetsam use; RSS there misses compressed pages and Metal/MLX buffers). 0 when it cannot be read
/// (another user's process on macOS).</param>
public sealed record ProcessInfo(
    int Pid,
    int ParentPid,
    int ProcessGroup,
    int Session,
    char State,
    ulong StartTime,
    long MemoryBytes,
    string Command
)
{
    /// <summary>The owner's uid where the table reads it (macOS); null elsewhere.</summary>
    public uint? Uid { get; init; }

    /// <summary>Uninterruptible wait: D on Linux, U on macOS. SIGKILL does not take effect until it ends.</summary>
    public bool IsUninterruptible => State is 'D' or 'U';

    /// <summary>A zombie has exited; it holds no memory and cannot be killed any further.</summary>
    public bool IsZombie => State is 'Z' or 'X';

    public bool IsStopped => State is 'T' or 't';
}
