namespace Rein.Processes;

/// <summary>Reads the machine's process table. One implementation per OS, chosen by <see cref="ProcessTables.Current"/>.</summary>
public interface IProcessTable
{
    /// <summary>Every process visible to us, now.</summary>
    IReadOnlyList<ProcessInfo> Snapshot();

    /// <summary>One process, or null when it is gone.</summary>
    ProcessInfo? Read(int pid);

    /// <summary>The value of <paramref name="variable"/> in the process's initial environment, or null when
    /// it is not set or cannot be read (another user's process, or an OS that does not expose it).</summary>
    string? ReadEnvironmentVariable(int pid, string variable);

    /// <summary>The process's full command line, or its short name when that cannot be read.</summary>
    string CommandLine(int pid);

    /// <summary>Direct children of <paramref name="pid"/> from the kernel's own parent links (zombies included), or
    /// null when this table cannot list them without reading every process.</summary>
    IReadOnlyList<int>? Children(int pid) => null;

    /// <summary>Members of process group <paramref name="pgid"/> through the kernel's own index, or null where the
    /// OS keeps none a process can read (Linux: the group would take a read of every process).</summary>
    IReadOnlyList<int>? GroupMembers(int pgid) => null;
}
