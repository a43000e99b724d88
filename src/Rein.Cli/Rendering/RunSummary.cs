using System.Text;
using Rein.Config;
using Rein.Processes.Posix;
using Rein.Running;

namespace Rein.Cli.Rendering;

/// <summary>What `rein run` says on stderr about a verdict: sentences for people live in the CLI, the library
/// returns data.</summary>
internal static class RunSummary
{
    /// <summary>The one-line human summary printed (to stderr) when Rein had to intervene; null when it did not.</summary>
    public static string? Summary(RunVerdict v, IReadOnlyList<string> command, RunSpec spec)
    {
        if (!v.Intervened && v.Unkillable.Count == 0)
        {
            return null;
        }

        // Shell-quoted with control characters escaped: an argument must not recolour or rewrite the user's terminal.
        var what = CommandText.Join(command);
        if (what.Length > 60)
        {
            what = what[..57] + "...";
        }

        var killed =
            v.PidsKilled.Count > 0 ? $"; killed {v.PidsKilled.Count} process(es) of its tree" : "";
        var head = v.Outcome switch
        {
            RunOutcome.TimedOut =>
                $"`{what}` timed out after {DurationParser.Format(spec.Timeout ?? v.Duration)}{killed}",
            RunOutcome.IdleTimeout =>
                $"`{what}` printed nothing for {DurationParser.Format(spec.IdleTimeout ?? TimeSpan.Zero)} and was stopped as stuck{killed}",
            RunOutcome.Interrupted =>
                $"`{what}` interrupted by {SignalName(v.Signal ?? 15)}{killed}",
            RunOutcome.StartFailed => CommandText.Escape(
                v.StartFailure?.Message ?? "could not start"
            ),
            RunOutcome.MemoryExceeded when v.StoppedForGrowth && v.Growth is { } g =>
                $"`{what}` stopped before its memory ran out ({GrowthText.Short(g)}; --on-growth stop){killed}",
            RunOutcome.MemoryExceeded =>
                $"`{what}` exceeded its memory cap of {SizeParser.Format(v.MemoryLimitBytes ?? 0)} (peak {SizeParser.Format(v.PeakRssBytes)}, enforced by {v.CapMethod}){killed}",
            RunOutcome.MaxProcsExceeded =>
                $"`{what}` exceeded its cap of {spec.MaxProcs} processes (enforced by {v.CapMethod}){killed}",
            _ =>
                $"`{what}` ended ({(v.ExitCode is { } c ? $"exit {c}" : SignalName(v.Signal ?? 0))}); stopped {v.PidsKilled.Count} leftover process(es)",
        };
        var sb = new StringBuilder("rein: ").Append(head);
        if (v.Unkillable.Count > 0)
        {
            sb.Append(
                    $"\nrein: {v.Unkillable.Count} process(es) survived SIGKILL: "
                        + string.Join(
                            ", ",
                            v.Unkillable.Select(u =>
                                $"{u.Pid} ({u.State}: {CommandText.Escape(u.Command)})"
                            )
                        )
                )
                .Append('\n')
                .Append(UnkillableRunbook);
        }

        return sb.ToString();
    }

    /// <summary>What the end of the run did to its containers (<c>--containers</c>), a line each for the stopped
    /// ones, the failures and a daemon that could not be asked; null when there is nothing to say.</summary>
    public static string? ContainersLines(RunVerdict v)
    {
        var lines = new List<string>();
        if (v.ContainersProblem is { } problem)
        {
            lines.Add(
                $"rein: --containers: {CommandText.Escape(problem)}; the run's containers were not stopped"
            );
        }

        var stopped = v.Containers.Where(c => c.Stopped).ToList();
        if (stopped.Count > 0)
        {
            lines.Add(
                $"rein: stopped {stopped.Count} container(s) the run started: "
                    + string.Join(
                        ", ",
                        stopped.Select(c => $"{CommandText.Escape(Name(c))} ({c.By})")
                    )
            );
        }

        foreach (var c in v.Containers.Where(c => c.Error is not null))
        {
            lines.Add(
                $"rein: could not stop container {CommandText.Escape(Name(c))}: {CommandText.Escape(c.Error!)}"
            );
        }

        return lines.Count == 0 ? null : string.Join('\n', lines);

        static string Name(Containers.RunContainer c) =>
            c.Name.Length > 0 ? c.Name : c.Id[..Math.Min(12, c.Id.Length)];
    }

    /// <summary>The classifier's reading of a failure, one line, when it says more than the summary above: a class
    /// found in the output or the kernel log; one from the exit's facts only with <c>--classify</c> and when rein
    /// did not intervene (otherwise the summary already names the limit, cap or survivor). Never for
    /// <c>unknown</c>, so a plain failing command stays as quiet as before.</summary>
    public static string? FailureLine(RunVerdict v, RunSpec spec)
    {
        if (v.Failure is not { } f || v.Outcome == RunOutcome.Refused || f.Class == "unknown")
        {
            return null;
        }

        var intervened = v.Intervened || v.Unkillable.Count > 0;
        var show = f.Source switch
        {
            "output" or "kernel" => true,
            _ => spec.Classify && !intervened,
        };
        return show
            ? CommandText.Escape($"rein: looks like {f.Title} ({f.Class}) → {f.Hint}: {f.Advice}")
            : null;
    }

    public const string UnkillableRunbook =
        "rein: these are in uninterruptible wait (kernel I/O) and cannot be killed. Do not start more of the same;\n"
        + "rein: save your work and reboot. On macOS run Disk Utility > First Aid on the data volume afterwards\n"
        + "rein: (if login fails: Recovery Mode, hold the power button, Options > Disk Utility > First Aid).";

    /// <summary><c>SIGTERM</c>, <c>SIGRTMIN+2</c>; <c>signal N</c> for a number without a name.</summary>
    public static string SignalName(int sig) =>
        sig > 0 && SignalNames.Name(sig) is var name && !char.IsAsciiDigit(name[0])
            ? "SIG" + name
            : $"signal {sig}";
}
