using System.Collections.Concurrent;
using System.Diagnostics;
using Rein.Processes;
using Rein.Processes.Linux;
using Rein.Processes.Posix;

namespace Rein.Running;

/// <summary>
/// The run pipeline: record the start, spawn the command in its own session, watch it (exit, wall-clock
/// and idle limits, signals from the user), tear down its whole tree, record the verdict. Returns data;
/// never prints. One instance runs one command once.
/// </summary>
public sealed unsafe class Guard : IDisposable
{
    readonly RunSpec _spec;
    readonly IRunRecorder? _recorder;
    readonly IProcessTable _table;
    readonly ConcurrentQueue<int> _interrupts = new();
    readonly Stopwatch _clock = new();
    readonly List<int> _killed = [];
    readonly int _reinPid = Environment.ProcessId;

    int _wakeRead = -1;
    int _wakeWrite = -1;
    OutputRelay? _relay;
    RunTree? _tree;
    Keeper? _keeper;
    volatile bool _childExited;
    int _childStatus;
    long _childMaxRss;
    long _peakRss;
    bool _escalate;
    bool _tornDown;
    int _pidfd = -1;
    int _childPid;
    IReadOnlyList<UnkillableProcess> _lastUnkillable = [];

    // Caps (--memory, --max-procs): the kernel cgroup when there is one, else polling.
    CgroupCaps? _caps;
    string? _capMethod;
    RunOutcome? _capExceeded;
    int _samples;
    int _peakProcs;

    public Guard(RunSpec spec, IRunRecorder? recorder = null, IProcessTable? table = null)
    {
        _spec = spec;
        _recorder = recorder;
        _table = table ?? ProcessTables.Current;
    }

    /// <summary>Called from a signal handler thread: the run is stopped (first call) or killed at once
    /// (a second SIGINT). Safe to call from any thread, any time.</summary>
    public void Interrupt(int signal)
    {
        _interrupts.Enqueue(signal);
        Wake();
    }

    /// <summary>Ctrl-Z: the command lives in its own session, so the terminal's SIGTSTP reaches only Rein. Stop the
    /// command's process group too, so a suspended run is really suspended (and <see cref="Resume"/> on SIGCONT).</summary>
    public void Suspend()
    {
        if (!_spec.Foreground && _childPid > 0 && !_childExited)
        {
            LibC.kill(-_childPid, LibC.SIGSTOP);
        }
    }

    public void Resume()
    {
        if (!_spec.Foreground && _childPid > 0 && !_childExited)
        {
            LibC.kill(-_childPid, LibC.SIGCONT);
        }
    }

    public RunVerdict Run()
    {
        var startedAt = DateTimeOffset.UtcNow;
        _clock.Start();
        (_wakeRead, _wakeWrite) = LibC.CloexecPipe();
        LibC.SetNonBlocking(_wakeRead);

        if (_spec.Subreaper && OperatingSystem.IsLinux())
        {
            const int PR_SET_CHILD_SUBREAPER = 36;
            LibC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }

        if (_spec.KeeperCommand is { Count: > 0 } keeperCommand)
        {
            _keeper = Keeper.Start(keeperCommand, _spec.RunId, _spec.KeeperInheritedFds);
        }

        var self = _table.Read(_reinPid);
        _recorder?.RunStarting(
            new RunStart(
                _spec.RunId,
                _spec.Command,
                Environment.CurrentDirectory,
                Environment.UserName,
                _reinPid,
                self?.StartTime ?? 0,
                startedAt,
                _spec.LockLabel,
                _spec.ModelLabel
            )
        );

        SetUpCaps();

        var redirects = new List<(int, int)>();
        if (_spec.IdleTimeout is { } idle && idle > TimeSpan.Zero)
        {
            _relay = OutputRelay.Create();
            redirects.AddRange(_relay.ChildRedirects);
        }

        int pid;
        SpawnFailure? failure;
        using (_caps?.EnterForSpawn())
        {
            (pid, failure) = PosixSpawner.Spawn(
                _spec.Command,
                ChildEnvironment(),
                newSession: !_spec.Foreground,
                redirects
            );
        }

        _relay?.CloseChildEnds();

        if (failure is not null)
        {
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

        _caps?.Add(pid);
        foreach (var dir in _caps?.Directories ?? [])
        {
            _keeper?.WatchCgroup(dir);
        }

        if (!_spec.Foreground)
        {
            _keeper?.WatchGroup(pid);
        }

        _tree = new RunTree(
            _table,
            _reinPid,
            pid,
            ownSession: !_spec.Foreground,
            _spec.RunId,
            _keeper is null ? [] : [_keeper.Pid],
            self?.StartTime ?? 0
        );
        _recorder?.ChildStarted(
            _spec.RunId,
            pid,
            _table.Read(pid)?.StartTime ?? 0,
            _spec.Foreground ? 0 : pid
        );

        // Linux: poll a pidfd with everything else, no extra thread. Elsewhere a thread blocks in wait4.
        Thread? waiter = null;
        _childPid = pid;
        _pidfd = LibC.PidfdOpen(pid);
        if (_pidfd < 0)
        {
            waiter = new Thread(() => WaitForChild(pid, blocking: true))
            {
                IsBackground = true,
                Name = "rein-wait",
            };
            waiter.Start();
        }

        var (reason, signal) = Watch();
        if (reason is null && _caps is not null)
        {
            CheckCaps(0, 0); // the kernel may have OOM-killed the command itself
            reason = _capExceeded;
        }

        if (reason is not null)
        {
            Teardown(signal ?? LibC.SIGTERM);
        }
        else
        {
            TeardownLeftovers();
        }

        _relay?.Drain();
        var unkillable = _lastUnkillable;

        // The waiter returns as soon as the child is reaped; an unkillable child never is, and we must not hang on it (G5).
        if (waiter is not null)
        {
            waiter.Join(
                unkillable.Count > 0 ? TimeSpan.FromMilliseconds(100) : Timeout.InfiniteTimeSpan
            );
        }
        else if (!_childExited && unkillable.Count == 0)
        {
            WaitForChild(pid, blocking: true);
        }
        ReapAdopted();
        _caps?.Dispose();

        var verdict = new RunVerdict
        {
            RunId = _spec.RunId,
            Outcome = RunOutcome.Exited,
            Duration = _clock.Elapsed,
            StartedAt = startedAt,
            ChildPid = pid,
            PeakRssBytes = Math.Max(_peakRss, _childMaxRss),
            PidsKilled = [.. _killed.Distinct()],
            Unkillable = unkillable,
            CapMethod = _capMethod,
            MemoryLimitBytes = _spec.MemoryLimit,
            PeakProcesses = _peakProcs,
        };

        if (reason is not null)
        {
            verdict = verdict with
            {
                Outcome = reason.Value,
                Signal = reason == RunOutcome.Interrupted ? signal : null,
            };
            if (_childExited)
            {
                var (exited, code, sig) = LibC.DecodeWaitStatus(_childStatus);
                verdict = verdict with { ExitCode = exited ? code : null };
                if (reason != RunOutcome.Interrupted && !exited)
                {
                    verdict = verdict with { Signal = sig };
                }
            }
        }
        else
        {
            var (exited, code, sig) = LibC.DecodeWaitStatus(_childStatus);
            verdict = exited
                ? verdict with
                {
                    Outcome = RunOutcome.Exited,
                    ExitCode = code,
                }
                : verdict with
                {
                    Outcome = RunOutcome.Signaled,
                    Signal = sig,
                };
        }

        return Finish(verdict);
    }

    RunVerdict Finish(RunVerdict verdict)
    {
        _recorder?.RunEnded(verdict);
        _keeper?.Dispose();
        _keeper = null;
        return verdict;
    }

    List<string> ChildEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? "";
        }

        env[RunSpec.RunIdVariable] = _spec.RunId;
        // Native crashes in extension modules then leave a Python traceback on stderr.
        env.TryAdd("PYTHONFAULTHANDLER", "1");
        if (_spec.EnvOffline)
        {
            env["HF_HUB_OFFLINE"] = "1";
            env["TRANSFORMERS_OFFLINE"] = "1";
        }

        return [.. env.Select(kv => $"{kv.Key}={kv.Value}")];
    }

    /// <summary>Reaps the command. Non-blocking when called because its pidfd became readable.</summary>
    void WaitForChild(int pid, bool blocking)
    {
        int status;
        var rusage = stackalloc byte[256];
        while (true)
        {
            var rc = LibC.wait4(pid, &status, blocking ? 0 : LibC.WNOHANG, rusage);
            if (rc == 0)
            {
                return; // not yet exited (spurious wake-up)
            }

            if (rc == pid)
            {
                _childStatus = status;
                // ru_maxrss follows two timevals: KiB on Linux, bytes on macOS.
                var maxrss = *(long*)(rusage + 32);
                _childMaxRss = OperatingSystem.IsMacOS() ? maxrss : maxrss * 1024;
                break;
            }

            if (rc < 0 && LibC.Errno != LibC.EINTR)
            {
                _childStatus = 0x7f; // unknown (someone else reaped it)
                break;
            }
        }

        _childExited = true;
        Wake();
    }

    /// <summary>Waits for the end of the run, a limit or a signal. Returns the reason Rein must stop it, or null when it exited by itself.</summary>
    (RunOutcome? Reason, int? Signal) Watch()
    {
        var deadline =
            _spec.Timeout is { } t && t > TimeSpan.Zero ? _clock.Elapsed + t : (TimeSpan?)null;
        var idle = _spec.IdleTimeout is { } i && i > TimeSpan.Zero ? i : (TimeSpan?)null;
        var interval = SampleInterval;
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
            if (_childExited)
            {
                return (null, null);
            }

            if (_interrupts.TryDequeue(out var sig))
            {
                return (RunOutcome.Interrupted, sig);
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
                Sample();
                nextSample = now + interval;
                if (_capExceeded is { } cap)
                {
                    return (cap, null);
                }
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for output to relay or a wake-up (child exit, signal).</summary>
    void Pump(int timeoutMs)
    {
        var fds = stackalloc LibC.PollFd[4];
        var n = 0;
        fds[n++] = new LibC.PollFd { Fd = _wakeRead, Events = LibC.POLLIN };
        var pidfdIndex = -1;
        if (_pidfd >= 0 && !_childExited)
        {
            pidfdIndex = n;
            fds[n++] = new LibC.PollFd { Fd = _pidfd, Events = LibC.POLLIN };
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

        if (pidfdIndex >= 0 && fds[pidfdIndex].Revents != 0)
        {
            WaitForChild(_childPid, blocking: false);
        }

        _relay?.Service(fds + relayStart, n - relayStart, _clock.Elapsed);
    }

    /// <summary>Caps are checked every 100 ms (the poll method's reaction time); otherwise memory is sampled for the report.</summary>
    TimeSpan SampleInterval =>
        _spec.MemoryLimit is not null || _spec.MaxProcs is not null
            ? TimeSpan.FromMilliseconds(Math.Min(100, _spec.SampleInterval.TotalMilliseconds))
            : _spec.SampleInterval;

    void Sample()
    {
        if (_tree is null)
        {
            return;
        }

        long sum = 0;
        var count = 0;
        foreach (var p in _tree.Collect(scanMarker: false))
        {
            if (!p.IsZombie)
            {
                sum += p.RssBytes;
                count++;
                if (_caps is not null && _samples < 2)
                {
                    _caps.Add(p.Pid); // anything forked before the root was moved into the cgroup
                }
            }
        }

        _samples++;
        _peakRss = Math.Max(_peakRss, sum);
        _peakProcs = Math.Max(_peakProcs, count);
        CheckCaps(sum, count);
    }

    void CheckCaps(long rss, int count)
    {
        if (_capExceeded is not null)
        {
            return;
        }

        if (_caps is not null)
        {
            if (_caps.OomKills() > 0)
            {
                _capExceeded = RunOutcome.MemoryExceeded;
            }
            else if (_caps.ForksRefused() > 0)
            {
                _capExceeded = RunOutcome.MaxProcsExceeded;
            }
        }

        // Polling is the method without a cgroup. With one, counting processes is still a backstop for anything
        // that escaped it; summed RSS is not (shared pages are counted once per process), so memory stays the kernel's.
        if (_capExceeded is null && _caps is null && _spec.MemoryLimit is { } limit && rss > limit)
        {
            _capExceeded = RunOutcome.MemoryExceeded;
        }
        else if (_capExceeded is null && _spec.MaxProcs is { } max && count > max)
        {
            _capExceeded = RunOutcome.MaxProcsExceeded;
        }
    }

    void SetUpCaps()
    {
        if (_spec.MemoryLimit is null && _spec.MaxProcs is null)
        {
            return;
        }

        _capMethod = "poll";
        if (_spec.CapMethod != CapMethod.Poll && OperatingSystem.IsLinux())
        {
            _caps = CgroupCaps.TryCreate(_spec.RunId, _spec.MemoryLimit, _spec.MaxProcs, out _);
            if (_caps is not null)
            {
                _capMethod = _caps.Method;
            }
        }
    }

    List<ProcessInfo> Alive(bool scanMarker)
    {
        var members = _tree!.Collect(scanMarker);
        foreach (var p in members)
        {
            // Orphans adopted by us (subreaper) are ours to reap; the command itself is the waiter's.
            if (p.IsZombie && p.ParentPid == _reinPid && p.Pid != _tree.RootPid)
            {
                int st;
                LibC.waitpid(p.Pid, &st, LibC.WNOHANG);
            }
        }

        return [.. members.Where(p => !p.IsZombie)];
    }

    /// <summary>The command exited by itself; if anything it started is still running (a daemon, a
    /// background job), stop that too (G1).</summary>
    void TeardownLeftovers()
    {
        if (_spec.Subreaper && _table is ProcfsProcessTable procfs && !_spec.Foreground)
        {
            // Fast path: with a subreaper every live descendant hangs below one of our children, so an
            // empty child list (bar the keeper) means nothing is left, without reading all of /proc.
            var children = procfs.Children(_reinPid);
            if (children is not null && children.All(c => c == _keeper?.Pid || c == _tree!.RootPid))
            {
                return;
            }
        }

        Teardown(LibC.SIGTERM);
    }

    /// <summary>TERM (or the user's signal) → grace → KILL → verify, bounded (G1, G5).</summary>
    void Teardown(int politeSignal)
    {
        _tornDown = true;
        var pgid = _spec.Foreground ? 0 : _tree!.RootPid;
        var alive = Alive(scanMarker: true);
        if (alive.Count == 0)
        {
            return;
        }

        Signal(alive, pgid, politeSignal);
        Signal(alive, pgid, LibC.SIGCONT); // a stopped process cannot act on TERM until it runs again

        var graceEnd = _clock.Elapsed + _spec.Grace;
        while (_clock.Elapsed < graceEnd && !_escalate)
        {
            Pump((int)Math.Clamp((graceEnd - _clock.Elapsed).TotalMilliseconds, 0, 50));
            if (_interrupts.TryDequeue(out var s) && s == LibC.SIGINT)
            {
                _escalate = true;
            }

            alive = Alive(scanMarker: false);
            if (alive.Count == 0)
            {
                alive = Alive(scanMarker: true);
                if (alive.Count == 0)
                {
                    return;
                }
            }
        }

        var killEnd = _clock.Elapsed + _spec.KillWait;
        while (true)
        {
            alive = Alive(scanMarker: true);
            if (alive.Count == 0)
            {
                return;
            }

            if (_clock.Elapsed >= killEnd)
            {
                _lastUnkillable =
                [
                    .. alive.Select(p => new UnkillableProcess(
                        p.Pid,
                        p.State,
                        _table.CommandLine(p.Pid)
                    )),
                ];
                return;
            }

            Signal(alive, pgid, LibC.SIGKILL);
            Pump(20);
        }
    }

    void Signal(List<ProcessInfo> processes, int pgid, int sig)
    {
        if (pgid > 0)
        {
            LibC.kill(-pgid, sig);
        }

        foreach (var p in processes)
        {
            if (LibC.kill(p.Pid, sig) == 0 && sig != LibC.SIGCONT)
            {
                _killed.Add(p.Pid);
            }
        }
    }

    void ReapAdopted()
    {
        // Only a teardown can leave adopted zombies behind; the clean fast path has nothing to reap.
        if (_tree is not null && _spec.Subreaper && _tornDown)
        {
            Alive(scanMarker: false);
        }
    }

    void Wake()
    {
        if (_wakeWrite >= 0)
        {
            byte b = 1;
            LibC.write(_wakeWrite, &b, 1);
        }
    }

    public void Dispose()
    {
        _keeper?.Dispose();
        _relay?.Dispose();
        if (_pidfd >= 0)
        {
            LibC.close(_pidfd);
            _pidfd = -1;
        }

        if (_wakeRead >= 0)
        {
            LibC.close(_wakeRead);
            LibC.close(_wakeWrite);
            _wakeRead = _wakeWrite = -1;
        }
    }
}
