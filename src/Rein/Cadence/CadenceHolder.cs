using Rein.Processes;

namespace Rein.Cadence;

/// <summary>Who a load belongs to: a token (a run id, or an acquire's own id) and the process whose life is the
/// load's, identified by pid and start time (pids are reused; the pair is not).</summary>
public sealed record CadenceHolder(string Token, int Pid, ulong PidStart, string? Command = null)
{
    /// <summary>This process (a run's rein, a .NET host loading models itself).</summary>
    public static CadenceHolder CurrentProcess(string? token = null, string? command = null) =>
        Of(Environment.ProcessId, token, command);

    /// <summary>The process that started this one: <c>rein cadence acquire</c> exits at once, its caller (the
    /// worker that loads the model) is the holder. Its command line is recorded unless one is given.</summary>
    public static CadenceHolder ParentProcess(string? token = null, string? command = null)
    {
        var parent = ProcessTables.Current.Read(Environment.ProcessId)?.ParentPid ?? 0;
        return Of(
            parent,
            token,
            command ?? (parent > 0 ? ProcessTables.Current.CommandLine(parent) : null)
        );
    }

    static CadenceHolder Of(int pid, string? token, string? command)
    {
        var process = pid > 0 ? ProcessTables.Current.Read(pid) : null;
        return new CadenceHolder(
            token ?? Running.RunSpec.NewRunId(),
            process is null ? 0 : pid,
            process?.StartTime ?? 0,
            command
        );
    }

    /// <summary>Whether the process with this pid and start time still lives (a zombie has exited).</summary>
    public static bool IsAlive(int pid, ulong start) =>
        ProcessTables.Current.Read(pid) is { IsZombie: false } p && p.StartTime == start;
}
