using System.Collections.Concurrent;
using System.Diagnostics;
using Rein.Processes;
using Rein.Processes.Linux;
using Rein.Processes.Posix;
using Rein.Processes.Shim;

namespace Rein.Running;

/// <summary>
/// One guarded run: record the start, start the command under its shim (new session, its own membership), watch
/// it (exit, wall-clock and idle limits, caps, signals from the user), tear down its whole tree, record the
/// verdict. Returns data; never prints. One instance runs one command once.
///
/// Disarming is explicit: after <see cref="Run"/> returned (the teardown is verified) the caller records what it
/// must and calls <see cref="Disarm"/> before releasing locks. On any other path — an exception, a Dispose
/// without Disarm — the shim sees its control pipe close without "done" and kills the tree itself (G1, G2, G3).
/// </summary>
public sealed unsafe class Guard : IDisposable
{
    readonly RunSpec _spec;
    readonly IRunRecorder? _recorder;
    readonly IProcessTable _table;
    readonly ConcurrentQueue<int> _signals = new();
    readonly Stopwatch _clock = new();

    int _wakeRead = -1;
    int _wakeWrite = -1;
    OutputRelay? _relay;
    ShimProcess? _shim;
    RunTree? _tree;
    CapsMonitor? _caps;
    bool _escalate;
    bool _shimLost;

    readonly IRunObserver? _observer;

    public Guard(
        RunSpec spec,
        IRunRecorder? recorder = null,
        IProcessTable? table = null,
        IRunObserver? observer = null
    )
    {
        _spec = spec;
        _recorder = recorder;
        _observer = observer;
        _table = table ?? ProcessTables.Current;
    }

    /// <summary>Signals that end the run (teardown with the signal as the polite one); others are only forwarded.</summary>
    public static readonly IReadOnlySet<int> TerminatingSignals = new HashSet<int>
    {
        LibC.SIGHUP,
        LibC.SIGINT,
        LibC.SIGQUIT,
        LibC.SIGTERM,
        LibC.SIGKILL,
    };

    /// <summary>A signal rein received, from any thread: SIGINT/TERM/HUP/QUIT stop the run (a second SIGINT kills
    /// at once); any other is forwarded to the command's process group and the run goes on, as with timeout(1).</summary>
    public void Interrupt(int signal)
    {
        _signals.Enqueue(signal);
        Wake();
    }

    /// <summary>Kills the whole tree now, without the grace (CliWrap's forceful cancellation).</summary>
    public void KillNow()
    {
        _escalate = true;
        Interrupt(LibC.SIGKILL);
    }

    /// <summary>Ctrl-Z: the command lives in its own session, so the terminal's SIGTSTP reaches only Rein. Stop the
    /// command's process group too, so a suspended run is really suspended (and <see cref="Resume"/> on SIGCONT).
    /// The group id is safe to use: the shim holds the command unreaped until the teardown is over.</summary>
    public void Suspend() => SignalGroup(LibC.SIGSTOP);

    public void Resume() => SignalGroup(LibC.SIGCONT);

    void SignalGroup(int signal)
    {
        if (!_spec.Foreground && _shim is { RootPid: > 0, RootExit: null } shim)
        {
            LibC.kill(-shim.RootPid, signal);
        }
    }

    /// <summary>A signal that is the command's to handle: to its process group, or with --foreground (the command
    /// shares Rein's group) to the command alone, as <c>timeout --foreground</c> does. Either id is safe to use:
    /// the shim holds the command unreaped until the teardown is over.</summary>
    void Forward(int signal)
    {
        if (_shim is { RootPid: > 0, RootExit: null } shim)
        {
            LibC.kill(_spec.Foreground ? shim.RootPid : -shim.RootPid, signal);
        }
    }

    public RunVerdict Run()
    {
        var startedAt = DateTimeOffset.UtcNow;
        _clock.Start();
        (_wakeRead, _wakeWrite) = LibC.CloexecPipe();
        LibC.SetNonBlocking(_wakeRead);

        var shimCommand =
            ShimLocator.Find(out var why)
            ?? throw new InvalidOperationException($"cannot guard the run: {why}");
        _caps = CapsMonitor.Create(_spec); // before the start record: an impossible --cap-method cgroup starts nothing
        var self = _table.Read(Environment.ProcessId);
        _recorder?.RunStarting(
            new RunStart(
                _spec.RunId,
                _spec.Command,
                Environment.CurrentDirectory,
                Environment.UserName,
                Environment.ProcessId,
                self?.StartTime ?? 0,
                startedAt,
                _spec.LockLabel,
                _spec.ModelLabel
            )
        );

        var stdio = new List<(int, int)>();
        if (_spec.IdleTimeout is { } idle && idle > TimeSpan.Zero)
        {
            _relay = OutputRelay.Create();
            stdio.AddRange(_relay.ChildRedirects);
        }

        _shim = ShimProcess.Start(
            shimCommand,
            new ShimStart
            {
                Command = _spec.Command,
                Environment = ChildEnvironment.For(_spec),
                NewSession = !_spec.Foreground,
                // The signal rein stops the run with must reach the command, as coreutils' timeout resets it
                // (SIGCHLD is reset by the shim itself).
                KeepIgnored = NativePart.IgnoredByCaller() & ~(1UL << (_spec.TimeoutSignal - 1)),
                Marker = _spec.RunId,
                HoldFds = _spec.HeldLockFds,
                Cgroups = _caps?.CgroupDirectories ?? [],
                Stdio = stdio,
            }
        );
        _relay?.CloseChildEnds();

        // Wait for the exec (a command on a hung filesystem may take long: stay responsive to signals meanwhile).
        while (_shim.RootPid == 0 && _shim.SpawnErrno is null && !_shim.Closed)
        {
            Pump(100);
        }

        if (_shim.SpawnErrno is { } errno || _shim.RootPid == 0)
        {
            var failure = _shim.SpawnErrno is { } e
                ? new SpawnFailure(e, PosixSpawner.Describe(_spec.Command[0], e))
                : throw new InvalidOperationException(
                    "the shim exited before starting the command"
                );
            return Finish(
                new RunVerdict
                {
                    RunId = _spec.RunId,
                    Outcome = RunOutcome.StartFailed,
                    StartFailure = failure,
                    Duration = _clock.Elapsed,
                    StartedAt = startedAt,
                }
            );
        }

        var pid = _shim.RootPid;
        var rootStart = _table.Read(pid)?.StartTime ?? 0;
        var procOk = _shim.ProcMatches && ProcfsProcessTable.DescribesOurNamespace();
        _tree = procOk
            ? new RunTree(
                _table,
                _shim.Pid,
                pid,
                ownSession: !_spec.Foreground,
                _spec.RunId,
                self?.StartTime ?? 0,
                _caps?.CgroupDirectories,
                rootStart
            )
            : null;
        _caps?.Placed(pid, _shim.CgroupErrno, _table);
        _recorder?.ChildStarted(_spec.RunId, pid, rootStart, _spec.Foreground ? 0 : pid);
        _observer?.Started(pid);
        FaultInjection.After("spawn");

        var (reason, signal) = Watch();
        var exitSeen = ReportExit(false);
        if (_shimLost)
        {
            // The shim died under us (the command itself can SIGKILL its parent): the tree lives on, orphaned, and
            // no keeper guards it any more. Rein kills it itself, by identity only: the command's zombie is no
            // longer held, so its group id is not signalled as a whole (pgid 0), and the root is recognised by its
            // start time (RunTree) in case its pid was recycled.
            // No subreaper adopts orphans any more, so a polite signal first would let a member die and orphan its
            // children to init, out of sight. Freeze the tree instead (stopped processes neither fork nor exit, so
            // the parent links hold) until no new member shows up, then SIGKILL it whole.
            var frozen = new HashSet<int>();
            for (var pass = 0; _tree is not null && pass < 100; pass++)
            {
                var fresh = _tree
                    .Collect(scanMarker: true)
                    .Where(p => !p.IsZombie && frozen.Add(p.Pid))
                    .ToList();
                if (fresh.Count == 0)
                {
                    break;
                }

                foreach (var p in fresh)
                {
                    ProcessSignaller.Send(_table, p, LibC.SIGSTOP);
                }
            }

            var orphaned = new TreeKiller(_table, _tree, 0, _spec.Grace, _spec.KillWait);
            orphaned.Run(LibC.SIGKILL, Wait);
            var left =
                orphaned.Unkillable.Count > 0
                    ? $"; {orphaned.Unkillable.Count} process(es) survived SIGKILL: {string.Join(", ", orphaned.Unkillable.Select(u => u.Pid))}"
                    : "";
            throw new InvalidOperationException(
                $"the run's shim exited unexpectedly (was it killed?); rein stopped the run's tree itself ({orphaned.Killed.Count} process(es)){left}"
            );
        }

        if (reason is null && _caps?.Exceeded(0, 0) is { } capReason)
        {
            reason = capReason; // the kernel may have OOM-killed the command itself
        }

        var killer = new TreeKiller(
            _table,
            _tree,
            _spec.Foreground ? 0 : pid,
            _spec.Grace,
            _spec.KillWait
        );
        if (reason is not null)
        {
            _observer?.TeardownBegun(reason.Value, signal ?? _spec.TimeoutSignal);
            killer.Run(signal ?? _spec.TimeoutSignal, Wait);
            _observer?.TeardownEnded(killer.Killed.Count, killer.Unkillable.Count);
        }
        else if (!NothingLeft())
        {
            _observer?.TeardownBegun(RunOutcome.Exited, LibC.SIGTERM);
            killer.Run(LibC.SIGTERM, Wait);
            _observer?.TeardownEnded(killer.Killed.Count, killer.Unkillable.Count);
        }

        ReportExit(exitSeen);

        _relay?.Drain(DrainBudget(stopped: reason is not null));
        var unkillable = killer.Unkillable;
        if (unkillable.Count == 0 || _shim.RootExit is not null)
        {
            _shim.WaitFor(() => _shim.RootExit is not null, TimeSpan.FromSeconds(1));
            _shim.Reap();
        }

        _caps?.Dispose();
        var maxRss = _shim.RootMaxRss is { } r ? (OperatingSystem.IsMacOS() ? r : r * 1024) : 0;
        var verdict = new RunVerdict
        {
            RunId = _spec.RunId,
            Outcome = RunOutcome.Exited,
            Duration = _clock.Elapsed,
            StartedAt = startedAt,
            ChildPid = pid,
            PeakRssBytes = Math.Max(_caps?.PeakRss ?? 0, maxRss),
            PidsKilled = [.. killer.Killed],
            Escalated = killer.Escalated,
            Unkillable = unkillable,
            CapMethod = _caps?.Method,
            MemoryLimitBytes = _spec.MemoryLimit,
            PeakProcesses = _caps?.PeakProcesses ?? 0,
        };
        return Finish(Verdicts.Decide(verdict, reason, signal, _shim.RootExit));
    }

    /// <summary>How long the relay may wait for Rein's readers to take the rest of the output. After a stop, only a
    /// moment: every wait after a teardown is bounded. After a clean exit, the run's own limits still apply (the
    /// time left before --timeout, and no longer than --idle-timeout), so a slow `| less` still gets the tail.</summary>
    TimeSpan DrainBudget(bool stopped)
    {
        var budget = OutputRelay.DefaultDrainBudget;
        if (!stopped && _spec.IdleTimeout is { } idle && idle > budget)
        {
            budget = idle;
            if (_spec.Timeout is { } wall && wall > TimeSpan.Zero && wall - _clock.Elapsed < budget)
            {
                budget = wall - _clock.Elapsed;
            }
        }

        return budget;
    }

    /// <summary>Tells the observer how the command ended, once.</summary>
    bool ReportExit(bool alreadyReported)
    {
        if (alreadyReported || _shim?.RootExit is not { } end)
        {
            return alreadyReported;
        }

        _observer?.Exited(end.Exited, end.Exited ? end.Code : end.Signal);
        return true;
    }

    RunVerdict Finish(RunVerdict verdict)
    {
        _recorder?.RunEnded(verdict);
        return verdict;
    }

    /// <summary>The run's tree is verified gone and its end recorded: let the shim go (it closes its copies of the
    /// lock slots). Call before releasing locks; never called on error paths.</summary>
    public void Disarm() => _shim?.Disarm();

    /// <summary>After the command exited by itself: with a subreaper shim every live descendant hangs below the
    /// shim, so a shim whose only child is the command's zombie means nothing is left, without reading /proc.</summary>
    bool NothingLeft()
    {
        if (_tree is null || _shim is null)
        {
            return true;
        }

        if (
            _shim.Subreaper
            && !_spec.Foreground
            && _table is ProcfsProcessTable procfs
            && procfs.Children(_shim.Pid) is { } children
        )
        {
            return children.All(c => c == _shim.RootPid);
        }

        return false;
    }

    /// <summary>Waits for the end of the run, a limit or a signal. Returns the reason Rein must stop it, or null when it exited by itself.</summary>
    (RunOutcome? Reason, int? Signal) Watch()
    {
        var deadline =
            _spec.Timeout is { } t && t > TimeSpan.Zero ? _clock.Elapsed + t : (TimeSpan?)null;
        var idle = _spec.IdleTimeout is { } i && i > TimeSpan.Zero ? i : (TimeSpan?)null;
        var interval = _caps?.SampleInterval ?? _spec.SampleInterval;
        var nextSample = _clock.Elapsed + interval;
        while (true)
        {
            var now = _clock.Elapsed;
            var wait = nextSample - now;
            if (deadline is { } d && d - now < wait)
            {
                wait = d - now;
            }

            if (idle is { } idl && _relay is not null && _relay.LastOutput + idl - now < wait)
            {
                wait = _relay.LastOutput + idl - now;
            }

            Pump((int)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 0, int.MaxValue));
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

                Forward(sig); // USR1, USR2, ALRM, PIPE …: the command's to handle
            }

            now = _clock.Elapsed;
            if (deadline is { } dl && now >= dl)
            {
                return (RunOutcome.TimedOut, null);
            }

            if (idle is { } id && _relay is not null && now - _relay.LastOutput >= id)
            {
                return (RunOutcome.IdleTimeout, null);
            }

            if (now >= nextSample)
            {
                nextSample = now + interval;
                if (_caps is not null && _tree is not null)
                {
                    var members = _tree.Collect(scanMarker: false);
                    var cap = _caps.Sample(members);
                    _observer?.Sampled(_caps.LastRss, _caps.LastProcesses);
                    if (cap is not null)
                    {
                        return (cap, null);
                    }
                }
            }
        }
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

        _relay?.Service(fds + relayStart, n - relayStart, _clock.Elapsed);
    }

    void Wake()
    {
        if (_wakeWrite >= 0)
        {
            byte b = 1;
            LibC.write(_wakeWrite, &b, 1);
        }
    }

    /// <summary>Without <see cref="Disarm"/>, the shim takes this as "rein is gone" and kills the tree itself.</summary>
    public void Dispose()
    {
        _shim?.Dispose();
        _relay?.Dispose();
        _caps?.Dispose();
        if (_wakeRead >= 0)
        {
            LibC.close(_wakeRead);
            LibC.close(_wakeWrite);
            _wakeRead = _wakeWrite = -1;
        }
    }
}
