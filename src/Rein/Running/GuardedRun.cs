using Rein.Journal;
using Rein.Locking;
using Rein.Platform.Posix;
using Rein.Processes;
using Rein.Processes.Posix;

namespace Rein.Running;

/// <summary>What the pipeline needs besides the run itself: where state lives, admission, housekeeping, callbacks.</summary>
public sealed record GuardedRunOptions
{
    /// <summary>The state directory (journal spool, locks, breaker records).</summary>
    public required string StateDirectory { get; init; }

    public AdmissionRequest Admission { get; init; } = new();

    /// <summary>Consult and feed the retry breaker (off for <c>rein timeout</c>, where timing out is the point).</summary>
    public bool RetryBreaker { get; init; } = true;

    /// <summary>The journal's retention; null: no pruning from this run.</summary>
    public (long KeepRuns, long KeepDays)? Retention { get; init; }

    /// <summary>Route the host's signals to the run (SIGINT/TERM/HUP/QUIT stop it, USR1/USR2/ALRM/PIPE are passed on,
    /// Ctrl-Z suspends it). For a CLI; a library host usually cancels through the tokens instead.</summary>
    public bool ForwardSignals { get; init; }

    /// <summary>Watches the run as it happens (started, samples, teardown, exit).</summary>
    public IRunObserver? Observer { get; init; }

    /// <summary>While admission waits (lock, memory, cadence), about once a second: the refusal being waited on.</summary>
    public Action<Gates.Refusal>? Status { get; init; }

    /// <summary>Something went wrong that does not stop the run (the journal could not be written, say).</summary>
    public Action<string>? Warn { get; init; }
}

/// <summary>
/// The whole run pipeline, for the CLI and any .NET host: admission gates (retry breaker → lock → memory → extra gates) →
/// journal start (durable before the spawn) → guard (spawn under the shim, watch, tear down) → journal end →
/// retry-breaker record → keeper disarmed → lock released → verdict. A refused run is journaled with outcome
/// <c>refused</c> and its reason. Returns data; never prints. Exceptions after the spawn leave the keeper armed:
/// the shim kills the tree and holds the lock until it is gone.
/// </summary>
public sealed class GuardedRun(RunSpec spec, GuardedRunOptions options)
{
    /// <summary>Runs the pipeline on this thread.</summary>
    /// <param name="graceful">Cancel to stop the run: the polite signal, the grace, then SIGKILL (and to give up
    /// waiting at admission).</param>
    /// <param name="forceful">Cancel to kill the whole tree now, without the grace.</param>
    public RunVerdict Run(
        CancellationToken graceful = default,
        CancellationToken forceful = default
    )
    {
        using var activity = RunTelemetry.Start(spec);
        var verdict = RunPipeline(graceful, forceful);
        RunTelemetry.End(activity, verdict);
        return verdict;
    }

    RunVerdict RunPipeline(CancellationToken graceful, CancellationToken forceful)
    {
        var boot = BootIdentity.Current(Environment.GetEnvironmentVariable);
        var warn = options.Warn ?? (_ => { });
        var breaker = new BreakerStore(options.StateDirectory);
        var admission = new Admission(
            breaker,
            new LockDirectory(options.StateDirectory),
            ProcessTables.Current,
            TimeProvider.System
        );
        var request = options.RetryBreaker
            ? options.Admission
            : options.Admission with
            {
                Force = true,
            };
        AdmissionResult admitted;
        int? interruptedBy = null;
        using (var signals = options.ForwardSignals ? new AdmissionSignals(graceful) : null)
        {
            admitted = admission.Admit(spec, request, options.Status, signals?.Token ?? graceful);
            interruptedBy = signals?.Received;
        }

        if (admitted.Refusal is { } refusal)
        {
            return Refused(refusal, interruptedBy, boot, warn);
        }

        using var recorder = new SpoolRecorder(options.StateDirectory, boot, warn);
        var prune = options.Retention is { } keep
            ? Retention.PruneIfDue(options.StateDirectory, keep.KeepRuns, keep.KeepDays, warn)
            : Task.CompletedTask;

        var disarmed = false;
        var began = DateTimeOffset.UtcNow;
        try
        {
            using var guard = new Guard(
                spec,
                recorder,
                observer: options.Observer,
                // The shim holds the lock slot too, so it outlives a SIGKILLed rein until the tree is dead (G3).
                heldFds:
                [
                    .. admitted.Holds.OfType<Gates.LockGate.SlotHold>().Select(h => h.Slot.Fd),
                ]
            );
            using var signals = options.ForwardSignals ? new SignalForwarding(guard) : null;
            using var stop = graceful.Register(() => guard.Interrupt(LibC.SIGTERM));
            using var kill = forceful.Register(guard.KillNow);
            var verdict = guard.Run();
            // G3, in this order: verdict and journal end (inside Run), retry-breaker record, the shim lets go of
            // its copy of the slot, and only then the slot is released — survivors keep it marked stuck.
            if (options.RetryBreaker)
            {
                breaker.Record(
                    spec.Command,
                    spec.WorkingDirectory ?? Environment.CurrentDirectory,
                    verdict
                );
            }

            guard.Disarm();
            disarmed = true;
            foreach (var hold in admitted.Holds)
            {
                hold.RunEnded(verdict);
            }

            return verdict;
        }
        catch (Exception e)
        {
            // Whatever went wrong after the start was recorded (an I/O error, a SQLite error from a full disk, a
            // shim fault…), end the run with the reason, so the journal says "rein failed: …" rather than "guard
            // vanished". (No-op when the start was never written or the end already was.)
            try
            {
                recorder.RunEnded(
                    new RunVerdict
                    {
                        RunId = spec.RunId,
                        Outcome = RunOutcome.ReinFailed,
                        Duration = DateTimeOffset.UtcNow - began,
                        StartedAt = began,
                        StartFailure = new SpawnFailure(0, e.Message),
                    }
                );
            }
            catch (Exception recording)
            {
                warn($"the run's end could not be recorded: {recording.Message}");
            }

            throw;
        }
        finally
        {
            if (!disarmed)
            {
                // Never disarmed: the shim kills the tree and holds the slot until it is gone.
                foreach (var hold in admitted.Holds)
                {
                    hold.Abandon();
                }
            }

            prune.Wait(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>Runs the pipeline on a thread of its own (the guard blocks in poll), so an async host never stalls.</summary>
    public Task<RunVerdict> RunAsync(
        CancellationToken graceful = default,
        CancellationToken forceful = default
    ) =>
        Task.Factory.StartNew(
            () => Run(graceful, forceful),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default
        );

    /// <summary>Journals the refusal (start and end at once) so "why didn't it start" has an answer.</summary>
    RunVerdict Refused(Gates.Refusal refusal, int? signal, BootIdentity boot, Action<string> warn)
    {
        var now = DateTimeOffset.UtcNow;
        var verdict = new RunVerdict
        {
            RunId = spec.RunId,
            Outcome = RunOutcome.Refused,
            Duration = TimeSpan.Zero,
            StartedAt = now,
            Refusal = refusal,
            Signal = signal, // interrupted by a signal while waiting: the host exits 128+N
        };
        using var recorder = new SpoolRecorder(options.StateDirectory, boot, warn);
        recorder.RunStarting(
            new RunStart(
                spec.RunId,
                spec.Command,
                spec.WorkingDirectory ?? Environment.CurrentDirectory,
                Processes.Posix.CurrentUser.Name,
                Environment.ProcessId,
                0,
                now,
                spec.LockLabel,
                spec.ModelLabel,
                spec.Supervision,
                ReinVersion: Rein.ReinVersion.Text
            )
        );
        recorder.RunEnded(verdict);
        return verdict;
    }
}
