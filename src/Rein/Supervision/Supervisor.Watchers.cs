using Rein.Config;
using Rein.Forensics.Breadcrumbs;
using Rein.Running;

namespace Rein.Supervision;

/// <summary>What restarts a worker that has not ended by itself: the recycle timer and request count, a hung
/// inference, an idle worker (stopped), the health probe, the heartbeat.</summary>
public sealed partial class Supervisor
{
    /// <summary>Runs the incarnation's watchers from the moment the worker started until <paramref name="cancel"/>;
    /// the first that finds a reason calls <paramref name="restart"/> (recycle, health, heartbeat).</summary>
    Task Watch(Task started, string runId, Action<string> restart, CancellationToken cancel)
    {
        var watchers = new List<Task>();
        if (
            _spec.RecycleAfterRequests is > 0
            || _spec.HangAfter is not null
            || _spec.StopAfterIdle is not null
        )
        {
            watchers.Add(Quietly(() => WatchInferences(runId, started, restart, cancel)));
        }

        if (_spec.RecycleAfter is { } lifetime && lifetime > TimeSpan.Zero)
        {
            watchers.Add(
                Quietly(async () =>
                {
                    await started.WaitAsync(cancel).ConfigureAwait(false);
                    await Task.Delay(lifetime, _time, cancel).ConfigureAwait(false);
                    restart("recycle");
                })
            );
        }

        if (_spec.HeartbeatFile is { } file)
        {
            watchers.Add(Quietly(() => WatchHeartbeat(file, started, restart, cancel)));
        }

        if (_spec.Health is { } health)
        {
            watchers.Add(Quietly(() => WatchHealth(health, started, restart, cancel)));
        }

        return Task.WhenAll(watchers);
    }

    /// <summary>Reads the incarnation's breadcrumbs as the worker writes them (its run's file, from where the last look
    /// stopped: the file only grows while the run lives) and acts on them: recycle after
    /// <see cref="SupervisorSpec.RecycleAfterRequests"/> POSTs; restart as hung when an inference stays open past
    /// <see cref="SupervisorSpec.HangAfter"/> (<c>--restart-on-hang</c>); stop the worker when no inference has
    /// finished nor is in flight for <see cref="SupervisorSpec.StopAfterIdle"/>. Breadcrumb times are wall-clock.</summary>
    async Task WatchInferences(
        string runId,
        Task started,
        Action<string> restart,
        CancellationToken cancel
    )
    {
        await started.WaitAsync(cancel).ConfigureAwait(false);
        var file = Path.Combine(
            BreadcrumbFiles.Directory(_spec.Run.StateDirectory),
            $"run-{runId}{BreadcrumbFiles.Extension}"
        );
        long offset = 0;
        var posts = 0;
        var open = new Dictionary<(int, ulong, string?, string), List<DateTimeOffset>>();
        var lastActivity = DateTimeOffset.UtcNow;
        var poll = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            await Task.Delay(poll, _time, cancel).ConfigureAwait(false);
            if (StateFile.ReadFrom(file, offset) is { Length: > 0 } bytes)
            {
                // Whole lines only: a line being written is read again next time.
                var start = 0;
                for (
                    var nl = Array.IndexOf(bytes, (byte)'\n');
                    nl >= 0;
                    nl = Array.IndexOf(bytes, (byte)'\n', start)
                )
                {
                    if (BreadcrumbLine.Decode(bytes.AsSpan(start, nl - start)) is { } crumb)
                    {
                        Track(crumb);
                    }

                    start = nl + 1;
                }

                offset += start;
            }

            if (_spec.RecycleAfterRequests is { } requests and > 0 && posts >= requests)
            {
                restart("recycle");
                return;
            }

            var now = DateTimeOffset.UtcNow;
            var oldestOpen = open
                .Values.SelectMany(v => v)
                .DefaultIfEmpty(DateTimeOffset.MaxValue)
                .Min();
            if (
                _spec.HangAfter is { } hang
                && oldestOpen != DateTimeOffset.MaxValue
                && now - oldestOpen > hang
            )
            {
                restart("hang");
                return;
            }

            if (
                _spec.StopAfterIdle is { } idle
                && oldestOpen == DateTimeOffset.MaxValue
                && now - lastActivity > idle
            )
            {
                restart("idle_stop");
                return;
            }
        }

        void Track(Breadcrumb crumb)
        {
            var key = crumb.PairKey;
            if (crumb.Kind == BreadcrumbKind.Pre)
            {
                if (!open.TryGetValue(key, out var list))
                {
                    open[key] = list = [];
                }

                list.Add(crumb.At);
                return;
            }

            posts++;
            lastActivity = DateTimeOffset.UtcNow;
            // A POST closes the latest open PRE of its key (BreadcrumbPairing's rule).
            if (open.TryGetValue(key, out var pres) && pres.Count > 0)
            {
                pres.RemoveAt(pres.Count - 1);
                if (pres.Count == 0)
                {
                    open.Remove(key);
                }
            }
        }
    }

    /// <summary>The worker touches the file; a file not touched for the timeout since the worker started (or since
    /// the last touch) means a hung worker.</summary>
    async Task WatchHeartbeat(
        string file,
        Task started,
        Action<string> restart,
        CancellationToken cancel
    )
    {
        await started.WaitAsync(cancel).ConfigureAwait(false);
        var since = DateTime.UtcNow;
        var timeout = _spec.HeartbeatTimeout;
        var poll = TimeSpan.FromTicks(
            Math.Clamp(
                timeout.Ticks / 4,
                TimeSpan.TicksPerMillisecond * 20,
                TimeSpan.TicksPerSecond
            )
        );
        while (true)
        {
            await Task.Delay(poll, _time, cancel).ConfigureAwait(false);
            // File times are wall-clock: compared with the wall clock, not the (possibly fake) TimeProvider.
            var touched = File.Exists(file) ? File.GetLastWriteTimeUtc(file) : DateTime.MinValue;
            var last = touched > since ? touched : since;
            if (DateTime.UtcNow - last > timeout)
            {
                restart("heartbeat");
                return;
            }
        }
    }

    /// <summary>Every interval, the probe as a guarded run of its own (bounded by its timeout, its tree killed);
    /// <see cref="HealthCheck.Failures"/> failures in a row → restart.</summary>
    async Task WatchHealth(
        HealthCheck health,
        Task started,
        Action<string> restart,
        CancellationToken cancel
    )
    {
        await started.WaitAsync(cancel).ConfigureAwait(false);
        var failures = 0;
        while (true)
        {
            await Task.Delay(health.Interval, _time, cancel).ConfigureAwait(false);
            var probe = new RunSpec
            {
                Command = health.Command,
                Timeout = health.Timeout,
                Grace = TimeSpan.FromMilliseconds(500),
                KillWait = _spec.Worker.KillWait,
            };
            var verdict = await Task
                .Factory.StartNew(
                    () =>
                    {
                        using var guard = new Guard(probe);
                        var v = guard.Run();
                        guard.Disarm();
                        return v;
                    },
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default
                )
                .ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
            failures = verdict is { Outcome: RunOutcome.Exited, ExitCode: 0 } ? 0 : failures + 1;
            if (failures >= health.Failures)
            {
                restart("health");
                return;
            }
        }
    }

    /// <summary>A watcher ends quietly when the incarnation ends; a failure of its own (an unreadable file) must not
    /// bring supervision down.</summary>
    async Task Quietly(Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _spec.Run.Warn?.Invoke($"a watcher of the worker failed: {e.Message}");
        }
    }
}
