using Rein.Platform.Posix;

namespace Rein.Processes;

/// <summary>
/// Signals a process by identity, never by a bare number (G6): pids wrap (32,768 by default on Linux, 99,999 on
/// macOS), so the pid read from the table a moment ago may belong to someone else now. On Linux a pidfd is opened
/// first and the process it names is checked against the recorded start time; the signal then goes through the
/// pidfd, which cannot be redirected to a recycled pid. Elsewhere the start time is checked just before kill().
/// </summary>
public static class ProcessSignaller
{
    /// <summary>Sends <paramref name="signal"/> to <paramref name="process"/> if it is still that process. True when sent.</summary>
    /// <remarks>A record without a start time (0: it could not be read) identifies nothing: it is never signalled.</remarks>
    public static bool Send(IProcessTable table, ProcessInfo process, int signal)
    {
        if (process.Pid <= 1 || process.StartTime == 0)
        {
            return false;
        }

        var pidfd = LibC.PidfdOpen(process.Pid);
        if (pidfd >= 0)
        {
            try
            {
                // The pidfd pins one process; if the table now shows another start time, the pid was reused.
                return Same(table, process) && LibC.PidfdSendSignal(pidfd, signal) == 0;
            }
            finally
            {
                LibC.close(pidfd);
            }
        }

        return Same(table, process) && LibC.kill(process.Pid, signal) == 0;
    }

    static bool Same(IProcessTable table, ProcessInfo process) =>
        table.Read(process.Pid) is { } now && now.StartTime == process.StartTime;
}
