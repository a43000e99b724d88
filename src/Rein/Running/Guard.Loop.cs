using Rein.Platform.Posix;
using Rein.Processes;

namespace Rein.Running;

/// <summary>The guard's event loop: one poll over the wake pipe (signals, cancellation), the shim's events and the
/// output relay; limits from <see cref="WatchPolicy"/>; bounded waits for the tree killer and the output drain.</summary>
public sealed unsafe partial class Guard
{
    /// <summary>Waits for the end of the run, a limit or a signal. Returns the reason Rein must stop it, or null when it exited by itself.</summary>
    (RunOutcome? Reason, int? Signal) Watch()
    {
        // The state is checked before each wait, not only after it: the shim often reports the command's start and
        // its exit in one read (a fast command), and then nothing more arrives to end the wait early.
        for (var first = true; ; first = false)
        {
            if (!first)
            {
                var wait = _watch.UntilDue(_relay?.LastOutput);
                Pump((int)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 0, int.MaxValue));
            }

            if (_shim!.RootExit is not null)
            {
                return (null, null);
            }

            if (_shim.Closed)
            {
                _shimLost = true;
                return (null, null);
            }

            while (_signals.TryDequeue(out var sig))
            {
                if (TerminatingSignals.Contains(sig))
                {
                    return (RunOutcome.Interrupted, sig);
                }

                if (sig == LibC.SIGALRM && _spec.AlarmTimesOut)
                {
                    return (RunOutcome.TimedOut, null);
                }

                Forward(sig); // USR1, USR2, ALRM, PIPE …: the command's to handle
            }

            if (_watch.Expired(_relay?.LastOutput) is { } expired)
            {
                return (expired, null);
            }

            if (_watch.SampleDue() && _caps is not null && _tree is not null)
            {
                var members = _tree.Collect(scanMarker: false);
                _watch.Sampled(Changed(members));
                _seen?.Add(members);
                var cap = _caps.Sample(members);
                _observer?.Sampled(_caps.LastRss, _caps.LastProcesses);
                if (cap is not null)
                {
                    return (cap, null);
                }

                if (_growth?.Add(_watch.Elapsed, _caps.LastRss) is { } growth)
                {
                    _recorder?.GrowthWarned(_spec.RunId, growth);
                    _observer?.GrowthWarned(growth);
                    if (_spec.OnGrowth == GrowthAction.Stop)
                    {
                        _stoppedForGrowth = true;
                        return (RunOutcome.MemoryExceeded, null);
                    }
                }
            }
        }
    }

    long _lastSignature = -1;

    /// <summary>Whether the sampled membership differs from the previous sample's (pids and states).</summary>
    bool Changed(List<ProcessInfo> members)
    {
        long signature = members.Count;
        foreach (var p in members)
        {
            signature = unchecked(signature + ((long)p.Pid * 7919) ^ ((long)p.State << 40));
        }

        var changed = signature != _lastSignature;
        _lastSignature = signature;
        return changed;
    }

    /// <summary>For the tree killer: lets time pass; true when a second SIGINT asks to skip the grace.</summary>
    bool Wait(TimeSpan time)
    {
        Pump((int)Math.Clamp(time.TotalMilliseconds, 0, int.MaxValue));
        while (_signals.TryDequeue(out var s))
        {
            if (s == LibC.SIGINT)
            {
                _escalate = true;
            }
        }

        return _escalate;
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for output to relay or a wake-up (shim event, signal).</summary>
    void Pump(int timeoutMs)
    {
        var fds = stackalloc LibC.PollFd[8];
        var n = 0;
        fds[n++] = new LibC.PollFd { Fd = _wakeRead, Events = LibC.POLLIN };
        var shimIndex = -1;
        if (_shim is { Closed: false, EventFd: >= 0 })
        {
            shimIndex = n;
            fds[n++] = new LibC.PollFd { Fd = _shim.EventFd, Events = LibC.POLLIN };
        }

        var relayStart = n;
        if (_relay is not null)
        {
            n += _relay.AddPollFds(fds + n);
        }

        var rc = LibC.poll(fds, (nuint)n, timeoutMs);
        if (rc <= 0)
        {
            return;
        }

        if (fds[0].Revents != 0)
        {
            var buf = stackalloc byte[64];
            while (LibC.read(_wakeRead, buf, 64) > 0) { }
        }

        if (shimIndex >= 0 && fds[shimIndex].Revents != 0)
        {
            _shim!.ReadEvents();
        }

        _relay?.Service(fds + relayStart, n - relayStart, _watch.Elapsed);
    }

    void Wake()
    {
        if (_wakeWrite >= 0)
        {
            byte b = 1;
            LibC.write(_wakeWrite, &b, 1);
        }
    }

    /// <summary>How long the relay may wait, after the run, for more output from the command's side (quiet) and
    /// for Rein's readers to take what the command already wrote (readers). After a stop, only a moment for both:
    /// every wait after a teardown is bounded. After a clean exit, the run's own limits still apply (the time left
    /// before --timeout, and no longer than --idle-timeout), so a slow `| less` still gets the tail. With
    /// --classify alone the relay is only there to keep the stderr tail: the command would have written straight
    /// to the reader, so the reader gets up to <see cref="ClassifyReaderBudget"/> (or the time left before
    /// --timeout) to take it all, while a survivor holding the pipe still costs only the default moment.</summary>
    (TimeSpan Quiet, TimeSpan Readers) DrainBudget(bool stopped)
    {
        var quiet = OutputRelay.DefaultDrainBudget;
        var readers = quiet;
        if (!stopped && _spec.IdleTimeout is { } idle && idle > quiet)
        {
            quiet = readers = idle;
        }
        else if (!stopped && _spec.Classify)
        {
            readers = ClassifyReaderBudget;
        }

        if (!stopped && _spec.Timeout is { } wall && wall > TimeSpan.Zero)
        {
            var left = wall - _watch.Elapsed;
            quiet = Clamp(quiet, left);
            readers = Clamp(readers, left);
        }

        return (quiet, readers);
    }

    /// <summary>With --classify (no --idle-timeout), how long Rein's readers may take to read the rest.</summary>
    static readonly TimeSpan ClassifyReaderBudget = TimeSpan.FromSeconds(30);

    // Never below the default moment: what a command wrote just before --timeout still gets a chance.
    static TimeSpan Clamp(TimeSpan budget, TimeSpan left) =>
        budget > OutputRelay.DefaultDrainBudget && left < budget
            ? (left > OutputRelay.DefaultDrainBudget ? left : OutputRelay.DefaultDrainBudget)
            : budget;
}
