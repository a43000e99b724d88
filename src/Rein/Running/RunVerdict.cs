using Rein.Platform.Posix;
using Rein.Processes;
using Rein.Processes.Posix;

namespace Rein.Running;

/// <summary>Everything known about how a guarded run ended. Data only; rendering is the caller's job.</summary>
public sealed record RunVerdict
{
    public required string RunId { get; init; }

    public required RunOutcome Outcome { get; init; }

    /// <summary>The command's own exit code when it exited by itself.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal that ended the command (for Signaled), or the signal Rein received (for Interrupted).</summary>
    public int? Signal { get; init; }

    public required TimeSpan Duration { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Largest sampled sum of RSS over the whole tree.</summary>
    public long PeakRssBytes { get; init; }

    /// <summary>Processes Rein signalled during teardown.</summary>
    public IReadOnlyList<int> PidsKilled { get; init; } = [];

    public IReadOnlyList<UnkillableProcess> Unkillable { get; init; } = [];

    /// <summary>Pid of the command (0 when it never started).</summary>
    public int ChildPid { get; init; }

    public SpawnFailure? StartFailure { get; init; }

    /// <summary>Why admission refused the run (outcome <see cref="RunOutcome.Refused"/>).</summary>
    public Gates.Refusal? Refusal { get; init; }

    /// <summary>The --memory cap, when one was set.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>How the caps were enforced: <c>cgroup-v1</c>, <c>cgroup-v2</c> or <c>poll</c> (null without caps).</summary>
    public string? CapMethod { get; init; }

    /// <summary>The teardown had to send SIGKILL (the polite signal was not enough within the grace).</summary>
    public bool Escalated { get; init; }

    /// <summary>Processes in the tree at its largest (sampled).</summary>
    public int PeakProcesses { get; init; }

    /// <summary>The growth warning (<see cref="RunSpec.WarnBefore"/>), when one was given; with
    /// <see cref="GrowthAction.Stop"/> it is why the run ended as <see cref="RunOutcome.MemoryExceeded"/>.</summary>
    public GrowthWarning? Growth { get; init; }

    /// <summary>The run was stopped by <see cref="GrowthAction.Stop"/> before its memory reached the limit.</summary>
    public bool StoppedForGrowth { get; init; }

    /// <summary>The containers the run started that were still running at its end, and what stopping them did
    /// (<see cref="RunSpec.Containers"/>); empty when none were, or containers were not looked at.</summary>
    public IReadOnlyList<Containers.RunContainer> Containers { get; init; } = [];

    /// <summary>Why the run's containers could not be looked at (no Docker or Podman socket, the daemon did not
    /// answer); null when they were, or were not asked for.</summary>
    public string? ContainersProblem { get; init; }

    /// <summary>Why the run failed, as the classifier reads it; null for a run that did not fail (or was refused,
    /// could not start, or was interrupted).</summary>
    public Forensics.Classification.RunFailure? Failure { get; init; }

    /// <summary>True when Rein had to act (timeout, idle, interrupt, leftover processes, unkillable).</summary>
    public bool Intervened =>
        Outcome is not (RunOutcome.Exited or RunOutcome.Signaled) || PidsKilled.Count > 0;

    /// <summary>The exit code <c>rein run</c> returns for this verdict.</summary>
    public int ReinExitCode =>
        Outcome switch
        {
            RunOutcome.Exited => ExitCode ?? ExitCodes.ReinFailed,
            RunOutcome.Signaled => ExitCodes.SignalBase + (Signal ?? 0),
            RunOutcome.TimedOut or RunOutcome.IdleTimeout => ExitCodes.TimedOut,
            // As timeout(1): a command that handled the forwarded signal and exited by itself keeps its own code.
            RunOutcome.Interrupted => ExitCode ?? ExitCodes.SignalBase + (Signal ?? LibC.SIGTERM),
            RunOutcome.StartFailed => StartFailure?.ExitCode ?? ExitCodes.ReinFailed,
            RunOutcome.MemoryExceeded or RunOutcome.MaxProcsExceeded => ExitCodes.MemoryExceeded,
            // Refused; but a wait ended by a signal (Ctrl-C) exits as that signal, as any interrupted program.
            RunOutcome.Refused => Signal is { } s ? ExitCodes.SignalBase + s : ExitCodes.TryLater,
            _ => ExitCodes.ReinFailed,
        };
}
