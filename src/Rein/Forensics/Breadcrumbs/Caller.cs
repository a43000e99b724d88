using System.Runtime.InteropServices;
using Rein.Processes;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>Who a breadcrumb is about: a process identity (pid + start time) and the run it belongs to.</summary>
public static partial class Caller
{
    /// <summary>The process that ran this rein (<c>rein mark</c> is called by the worker around its inference),
    /// or <paramref name="pid"/> when given.</summary>
    public static (int Pid, ulong Start) Identify(int? pid, IProcessTable table)
    {
        var who = pid ?? getppid();
        return (who, table.Read(who)?.StartTime ?? 0);
    }

    /// <summary>This process (an in-process <see cref="InferenceGuard"/>).</summary>
    public static (int Pid, ulong Start) Self(IProcessTable table)
    {
        var who = Environment.ProcessId;
        return (who, table.Read(who)?.StartTime ?? 0);
    }

    /// <summary>The run the caller belongs to: <c>REIN_RUN_ID</c>, which rein sets for every guarded command and
    /// its descendants; null outside a run.</summary>
    public static string? RunId(Func<string, string?> environment) =>
        environment("REIN_RUN_ID") is { Length: > 0 } id ? id : null;

    /// <summary>Whether the process that wrote a breadcrumb is still alive: the same pid with the same start time
    /// (a reused pid is another process), and not a zombie. A start time of 0 (unreadable when written) trusts
    /// the pid.</summary>
    public static bool IsAlive(IProcessTable table, int pid, ulong start) =>
        table.Read(pid) is { IsZombie: false } p && (start == 0 || p.StartTime == start);

    [LibraryImport("libc")]
    private static partial int getppid();
}
