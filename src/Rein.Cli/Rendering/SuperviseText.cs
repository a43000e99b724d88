using Rein.Config;
using Rein.Running;
using Rein.Supervision;

namespace Rein.Cli.Rendering;

/// <summary>What <c>rein supervise</c> says on stderr: one line per event that matters, and the status line.</summary>
internal static class SuperviseText
{
    const string Prefix = "rein supervise: ";

    /// <summary>The line for an event, or null for events that need none (a start is in the status line).</summary>
    public static string? Say(SupervisionEvent e, RunSpec worker, RestartPolicy policy)
    {
        var what = CommandText.Join(worker.Command);
        if (what.Length > 50)
        {
            what = what[..47] + "...";
        }

        return e.Kind switch
        {
            "exit" when e.Verdict is { } v => Prefix
                + $"incarnation {e.Incarnation} of `{what}` ended: {Ended(v)}",
            "refused" => Prefix
                + $"incarnation {e.Incarnation} not started ({e.Reason}): a refusal at admission is a backoff, not a failure",
            "backoff" => Prefix
                + $"restarting in {DurationParser.Format(e.Delay ?? TimeSpan.Zero)} ({e.Reason}; {e.Restarts} of {policy.MaxRestarts} restart(s) used in {DurationParser.Format(policy.Window)})",
            "recycle" => Prefix + $"recycling incarnation {e.Incarnation} (--recycle-after)",
            "health" => Prefix
                + $"incarnation {e.Incarnation} failed its health check: restarting it",
            "heartbeat" => Prefix
                + $"incarnation {e.Incarnation} stopped touching its heartbeat file: hung, restarting it",
            "stop" => Prefix + "stopping: the worker gets TERM, the grace, then KILL; no restart",
            "unkillable" => Prefix
                + $"{e.Reason}: it is stuck in uninterruptible wait and cannot be killed; reboot to clear it. Not starting another worker beside it",
            "give_up" => Prefix + "giving up: " + e.Reason,
            "end" when e.Reason?.StartsWith("stopped", StringComparison.Ordinal) == true => Prefix
                + "stopped; no worker left running",
            _ => null,
        };
    }

    static string Ended(RunVerdict v) =>
        v.Outcome switch
        {
            RunOutcome.Exited => $"exit {v.ExitCode}",
            RunOutcome.Signaled => $"killed by {RunSummary.SignalName(v.Signal ?? 0)}",
            RunOutcome.Interrupted => "stopped",
            RunOutcome.StartFailed => CommandText.Escape(
                v.StartFailure?.Message ?? "could not start"
            ),
            _ => v.Outcome.ToWire().Replace('_', ' '),
        } + (v.Escalated ? " (needed SIGKILL)" : "");

    /// <summary>The live status line: incarnation, uptime, restarts, next restart.</summary>
    public static string Status(Supervisor s, DateTimeOffset now) =>
        s.State switch
        {
            SupervisionState.BackingOff when s.BackoffUntil is { } until =>
                $"supervise: {s.Restarts} restart(s); next incarnation in {DurationParser.Format(until > now ? until - now : TimeSpan.Zero)}",
            SupervisionState.Running when s.UpSince is { } up =>
                $"supervise: incarnation {s.Incarnation} (pid {s.WorkerPid}) up {DurationParser.Format(now - up)}, {s.Restarts} restart(s)",
            SupervisionState.Stopping => "supervise: stopping the worker",
            _ => $"supervise: starting incarnation {s.Incarnation}",
        };
}

/// <summary>The status line on a terminal (rewritten in place) with event lines printed above it; without a
/// terminal only the event lines.</summary>
internal sealed class SuperviseStatus : IDisposable
{
    readonly bool _tty = !Console.IsErrorRedirected;
    string? _shown;

    public void Show(string status)
    {
        if (_tty)
        {
            _shown = status;
            Draw();
        }
    }

    public void Say(string line)
    {
        Clear();
        Console.Error.WriteLine(line);
        if (_shown is not null)
        {
            Draw();
        }
    }

    void Draw()
    {
        var width = Math.Max(20, Console.WindowWidth - 1);
        var line = "rein " + _shown;
        Console.Error.Write(
            "\r" + (line.Length > width ? line[..(width - 1)] + "…" : line.PadRight(width))
        );
    }

    void Clear()
    {
        if (_tty && _shown is not null)
        {
            Console.Error.Write(
                "\r" + new string(' ', Math.Max(20, Console.WindowWidth - 1)) + "\r"
            );
        }
    }

    public void Dispose()
    {
        Clear();
        _shown = null;
    }
}
