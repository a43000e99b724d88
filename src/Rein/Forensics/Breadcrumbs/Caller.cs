using System.Runtime.InteropServices;
using Rein.Platform.Posix;
using Rein.Processes;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>Who a breadcrumb is about: a process identity (pid + start time) and the run it belongs to.</summary>
public static partial class Caller
{
    /// <summary>The process that ran this rein (<c>rein mark</c> is called by the worker around its inference),
    /// or <paramref name="pid"/> when given. A parent that is only a shell relaying this one command
    /// (<c>system()</c>, <c>os.system</c>, <c>shell=True</c>, Node's <c>execSync</c>: <c>sh -c 'rein mark pre M'</c>)
    /// is skipped: it dies as soon as the mark returns, and the worker is the process that called it.</summary>
    public static (int Pid, ulong Start) Identify(int? pid, IProcessTable table)
    {
        if (pid is { } given)
        {
            return (given, table.Read(given)?.StartTime ?? 0);
        }

        var who = LibC.getppid();
        var info = table.Read(who);
        if (
            info is not null
            && info.ParentPid > 1
            && IsRelayShell(info.Command, table.CommandLine(who))
            && table.Read(info.ParentPid) is { } worker
        )
        {
            return (worker.Pid, worker.StartTime);
        }

        return (who, info?.StartTime ?? 0);
    }

    static readonly string[] Shells =
    [
        "sh",
        "dash",
        "bash",
        "zsh",
        "ksh",
        "mksh",
        "ash",
        "busybox",
    ];

    /// <summary>Pure: a shell run as <c>SHELL -c 'one command'</c> whose one command is a <c>rein mark</c> — no
    /// separator, pipe, background or substitution that would make the shell a worker of its own.</summary>
    public static bool IsRelayShell(string name, string commandLine)
    {
        if (!Shells.Contains(name.TrimStart('-'), StringComparer.Ordinal))
        {
            return false;
        }

        var dashC = commandLine.IndexOf(" -c ", StringComparison.Ordinal);
        if (dashC < 0)
        {
            return false;
        }

        var script = commandLine[(dashC + 4)..];
        return script.Contains(" mark ", StringComparison.Ordinal)
            && script.IndexOfAny([';', '&', '|', '\n', '`', '(', ')']) < 0
            && !script.Contains("$(", StringComparison.Ordinal);
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
}
