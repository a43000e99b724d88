using Rein.Running;

namespace Rein.Supervision;

/// <summary>
/// Keeps a worker alive without stalling, leaking or hammering the machine. Every incarnation is a
/// <see cref="GuardedRun"/> (admission, journal, shim keeper, whole-tree teardown), linked in the journal to this
/// supervision; between incarnations the <see cref="RestartPolicy"/> backs off. A refusal at admission is a backoff,
/// not a failure; a worker that survives SIGKILL ends supervision instead of a second worker being started beside it.
/// <code>
/// await using var sup = new Supervisor(spec, policy, TimeProvider.System);
/// sup.Event += e => Console.Error.WriteLine(e.Kind);
/// var result = await sup.RunAsync(ct);   // cancel ct, or StopAsync(): TERM → grace → KILL, no restart
/// </code>
/// Waits are asynchronous (the guard runs on a thread of its own) and every wait in the teardown path is bounded.
/// </summary>
public sealed partial class Supervisor : IAsyncDisposable
{
    readonly SupervisorSpec _spec;
    readonly RestartPolicy _policy;
    readonly TimeProvider _time;
    readonly RestartBudget _budget;
    readonly CancellationTokenSource _stop = new();
    readonly CancellationTokenSource _kill = new();
    readonly object _gate = new();
    Task<SupervisionResult>? _loop;
    SupervisionStatusFile? _status;

    public Supervisor(
        SupervisorSpec spec,
        RestartPolicy policy,
        TimeProvider? timeProvider = null,
        Random? random = null
    )
    {
        if (policy.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(policy));
        }

        _spec = spec;
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
        _budget = new RestartBudget(policy, _time, random);
    }

    /// <summary>Raised for every <see cref="SupervisionEvent"/>, on the supervisor's or the guard's thread: return
    /// quickly, never block.</summary>
    public event Action<SupervisionEvent>? Event;

    public string SupervisionId => _spec.SupervisionId;

    public SupervisionState State { get; private set; } = SupervisionState.Starting;

    /// <summary>The incarnation running or last run (1 = the first).</summary>
    public int Incarnation { get; private set; }

    /// <summary>Restarts made so far.</summary>
    public int Restarts { get; private set; }

    /// <summary>Pid of the current worker (0 between incarnations).</summary>
    public int WorkerPid { get; private set; }

    public string? WorkerRunId { get; private set; }

    /// <summary>When the current incarnation started.</summary>
    public DateTimeOffset? UpSince { get; private set; }

    /// <summary>While backing off: when the next incarnation starts.</summary>
    public DateTimeOffset? BackoffUntil { get; private set; }

    /// <summary>Supervises until stopped, the worker completes (exit 0 under on-failure), the budget is spent or a
    /// worker is unkillable. Cancelling <paramref name="cancel"/> stops supervision as <see cref="StopAsync"/> does.</summary>
    public Task<SupervisionResult> RunAsync(CancellationToken cancel = default)
    {
        lock (_gate)
        {
            _loop ??= Task.Run(() => Loop(cancel), CancellationToken.None);
            return _loop;
        }
    }

    /// <summary>Asks supervision to stop (TERM → grace → KILL for the worker, no restart) without waiting.</summary>
    public void RequestStop()
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            if (_loop is null || _loop.IsCompleted)
            {
                return; // nothing to stop: no event
            }
        }

        Publish(SupervisionState.Stopping);
        Emit("stop", e => e with { Pid = WorkerPid == 0 ? null : WorkerPid });
    }

    /// <summary>Kills the current worker's tree now, without the grace (a second Ctrl-C), and stops supervision.</summary>
    public void Kill()
    {
        RequestStop();
        if (!_kill.IsCancellationRequested)
        {
            _kill.Cancel();
        }
    }

    /// <summary>The longest a stop can take: the worker's grace, the kill wait, and time for the journal.</summary>
    public TimeSpan StopBound =>
        _spec.Worker.Grace + _spec.Worker.KillWait + TimeSpan.FromSeconds(5);

    /// <summary>Stops supervision and waits for it, asynchronously and at most <see cref="StopBound"/> (or
    /// <paramref name="bound"/>): true when it ended within the bound. Never blocks the caller's thread.</summary>
    public async Task<bool> StopAsync(TimeSpan? bound = null)
    {
        RequestStop();
        Task<SupervisionResult>? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is null)
        {
            return true;
        }

        var limit = Task.Delay(bound ?? StopBound, _time);
        return await Task.WhenAny(loop, limit).ConfigureAwait(false) == loop;
    }

    public async ValueTask DisposeAsync()
    {
        if (!await StopAsync().ConfigureAwait(false))
        {
            Kill(); // the worker did not stop within the bound: its whole tree now, no grace
            await StopAsync(_spec.Worker.KillWait + TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        _status?.Remove();
        _stop.Dispose();
        _kill.Dispose();
    }

    async Task<SupervisionResult> Loop(CancellationToken cancel)
    {
        using var link = cancel.Register(RequestStop);
        _status = SupervisionStatusFile.Create(_spec, _spec.Run.Warn);
        var startedAt = _time.GetUtcNow();
        RunVerdict? last = null;
        string? restartReason = null;
        var refusedInARow = 0;
        try
        {
            while (true)
            {
                if (_stop.IsCancellationRequested)
                {
                    return Ended("stopped", "asked to stop");
                }

                var (verdict, watcherReason) = await Incarnate(restartReason).ConfigureAwait(false);
                if (verdict.Outcome == RunOutcome.Refused)
                {
                    // Not the worker's failure: wait as the backoff says, count nothing against the budget.
                    refusedInARow++;
                    var code = verdict.Refusal?.Code ?? "refused";
                    if (
                        !await BackOff(_budget.RefusalDelay(refusedInARow), code)
                            .ConfigureAwait(false)
                    )
                    {
                        return Ended("stopped", "asked to stop");
                    }

                    continue;
                }

                refusedInARow = 0;
                last = verdict;
                if (verdict.Unkillable.Count > 0)
                {
                    // Never a second worker beside one that survived SIGKILL (the pile-up).
                    Publish(SupervisionState.Unkillable);
                    var pids = string.Join(", ", verdict.Unkillable.Select(u => u.Pid));
                    Emit("unkillable", r => r with { Reason = $"pid {pids} survived SIGKILL" });
                    return Ended(
                        "unkillable",
                        $"pid {pids} of the worker survived SIGKILL (uninterruptible wait): not starting another"
                    );
                }

                if (_stop.IsCancellationRequested)
                {
                    return Ended("stopped", "asked to stop");
                }

                _budget.IncarnationEnded(verdict.Duration);
                if (watcherReason == "idle_stop")
                {
                    // Asked for: the worker had nothing to do; its memory is free until the application needs it.
                    return Ended(
                        "idle_stop",
                        $"no inference finished for {Config.DurationParser.Format(_spec.StopAfterIdle ?? TimeSpan.Zero)} and none was in flight"
                    );
                }

                if (watcherReason == "recycle")
                {
                    // A planned restart of a healthy worker: no backoff, nothing counted.
                    restartReason = "recycle";
                    Restarts++;
                    Emit("restart", e => e with { Reason = restartReason });
                    continue;
                }

                if (
                    watcherReason is null
                    && _policy.Mode == RestartMode.OnFailure
                    && verdict is { Outcome: RunOutcome.Exited, ExitCode: 0 }
                )
                {
                    return Ended("completed", "the worker exited 0");
                }

                restartReason = watcherReason ?? Describe(verdict);
                if (_budget.TakeRestart() is not { } delay)
                {
                    return Ended(
                        "gave_up",
                        _policy.MaxRestarts == 0
                            ? $"the worker ended ({restartReason}) and --max-restarts is 0"
                            : $"{_policy.MaxRestarts} restart(s) within {Config.DurationParser.Format(_policy.Window)} spent; the last incarnation ended: {restartReason}"
                    );
                }

                if (!await BackOff(delay, restartReason).ConfigureAwait(false))
                {
                    return Ended("stopped", "asked to stop");
                }

                Restarts++;
                Emit("restart", e => e with { Reason = restartReason });
            }
        }
        finally
        {
            WorkerPid = 0;
        }

        SupervisionResult Ended(string ending, string reason)
        {
            Publish(SupervisionState.Ended);
            var result = new SupervisionResult
            {
                Ending = ending,
                Reason = reason,
                Incarnations = Incarnation,
                Restarts = Restarts,
                Last = last,
                StartedAt = startedAt,
                EndedAt = _time.GetUtcNow(),
            };
            Emit(
                ending == "gave_up" ? "give_up" : "end",
                e => e with { Reason = ending == "gave_up" ? reason : $"{ending}: {reason}" }
            );
            _status?.Remove();
            return result;
        }
    }

    /// <summary>One incarnation: a guarded run with a fresh run id, linked to this supervision, watched by the
    /// recycle timer, the health probe and the heartbeat. Returns its verdict and a watcher's reason to restart.</summary>
    async Task<(RunVerdict Verdict, string? WatcherReason)> Incarnate(string? restartReason)
    {
        Incarnation++;
        var runId = RunSpec.NewRunId();
        var spec = _spec.Worker with
        {
            RunId = runId,
            Supervision = new SupervisionLink(_spec.SupervisionId, Incarnation, restartReason),
        };
        WorkerRunId = runId;
        BackoffUntil = null;
        Publish(SupervisionState.Starting);

        using var restart = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using var watching = new CancellationTokenSource();
        string? watcherReason = null;
        var observer = new IncarnationObserver(this);
        var options = _spec.Run with
        {
            Observer = observer,
            // The supervisor's backoff is the retry policy; a hang detected by --idle-timeout must not lock the
            // next incarnation out for the breaker's cooldown.
            RetryBreaker = false,
            ForwardSignals = false,
        };
        var run = new GuardedRun(spec, options).RunAsync(restart.Token, _kill.Token);
        var watchers = Watch(
            observer.StartedTask,
            runId,
            why =>
            {
                if (Interlocked.CompareExchange(ref watcherReason, why, null) is null)
                {
                    Emit(why is "recycle" ? "recycle" : why, e => e with { RunId = runId });
                    restart.Cancel();
                }
            },
            watching.Token
        );
        var verdict = await run.ConfigureAwait(false);
        await watching.CancelAsync().ConfigureAwait(false);
        await Task.WhenAny(watchers, Task.Delay(TimeSpan.FromSeconds(5), _time))
            .ConfigureAwait(false);
        WorkerPid = 0;
        UpSince = null;
        if (verdict.Outcome == RunOutcome.Refused)
        {
            Emit(
                "refused",
                e => e with { RunId = runId, Reason = verdict.Refusal?.Code ?? "refused" }
            );
        }
        else
        {
            Emit("exit", e => e with { RunId = runId, Verdict = verdict, Pid = verdict.ChildPid });
        }

        return (verdict, Volatile.Read(ref watcherReason));
    }

    /// <summary>Waits out a backoff; false when supervision was stopped meanwhile.</summary>
    async Task<bool> BackOff(TimeSpan delay, string reason)
    {
        BackoffUntil = _time.GetUtcNow() + delay;
        Publish(SupervisionState.BackingOff);
        Emit("backoff", e => e with { Delay = delay, Until = BackoffUntil, Reason = reason });
        try
        {
            await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            BackoffUntil = null;
        }
    }

    /// <summary>Why an incarnation's end is a restart, in a few words (the journal's restart reason).</summary>
    internal static string Describe(RunVerdict v) =>
        v.Outcome switch
        {
            RunOutcome.Exited => $"exit {v.ExitCode}",
            RunOutcome.Signaled => $"signal {v.Signal}",
            _ => v.Outcome.ToWire(),
        };

    void Publish(SupervisionState state)
    {
        if (
            State != SupervisionState.Stopping
            || state is SupervisionState.Ended or SupervisionState.Unkillable
        )
        {
            State =
                _stop.IsCancellationRequested
                && state is not (SupervisionState.Ended or SupervisionState.Unkillable)
                    ? SupervisionState.Stopping
                    : state;
        }

        _status?.Write(this, _time.GetUtcNow());
    }

    void Emit(string kind, Func<SupervisionEvent, SupervisionEvent>? fill = null)
    {
        var e = new SupervisionEvent(kind, _time.GetUtcNow(), Incarnation)
        {
            RunId = WorkerRunId,
            Restarts = _budget.RestartsInWindow,
        };
        Event?.Invoke(fill is null ? e : fill(e));
    }

    /// <summary>Learns the worker's pid from the guard (on the guard's thread: quick, never blocking).</summary>
    sealed class IncarnationObserver(Supervisor owner) : IRunObserver
    {
        readonly TaskCompletionSource _started = new(
            TaskCreationOptions.RunContinuationsAsynchronously
        );

        public Task StartedTask => _started.Task;

        public void Started(int pid)
        {
            owner.WorkerPid = pid;
            owner.UpSince = owner._time.GetUtcNow();
            owner.Publish(SupervisionState.Running);
            owner.Emit("start", e => e with { Pid = pid });
            _started.TrySetResult();
        }

        public void GrowthWarned(GrowthWarning warning) =>
            owner.Emit(
                "growth",
                e =>
                    e with
                    {
                        Reason = FormattableString.Invariant(
                            $"memory grows {(long)warning.BytesPerSecond} B/s at {warning.RssBytes} B: {warning.Limit} limit {warning.LimitBytes} B in {Math.Ceiling(warning.TimeToLimit.TotalSeconds)} s"
                        ),
                    }
            );

        public void TeardownBegun(RunOutcome reason, int signal)
        {
            if (owner._stop.IsCancellationRequested)
            {
                owner.Publish(SupervisionState.Stopping);
            }
        }
    }
}
