using System.Collections.Concurrent;
using Rein.Platform.Posix;
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
public sealed unsafe partial class Guard : IDisposable
{
    readonly RunSpec _spec;
    readonly IRunRecorder? _recorder;
    readonly IProcessTable _table;
    readonly ConcurrentQueue<int> _signals = new();
    readonly TimeProvider _time;
    readonly IReadOnlyList<int> _heldFds;
    WatchPolicy _watch = null!;

    int _wakeRead = -1;
    int _wakeWrite = -1;
    OutputRelay? _relay;
    StdioPlumbing? _stdio;
    ShimProcess? _shim;
    RunTree? _tree;
    CapsMonitor? _caps;
    GrowthMonitor? _growth;
    Containers.ContainerApi? _containerApi;
    string? _containerProblem;
    bool _stoppedForGrowth;
    bool _escalate;
    bool _shimLost;
    SeenProcesses? _seen;

    readonly IRunObserver? _observer;

    public Guard(
        RunSpec spec,
        IRunRecorder? recorder = null,
        IProcessTable? table = null,
        IRunObserver? observer = null,
        TimeProvider? time = null,
        IReadOnlyList<int>? heldFds = null
    )
    {
        _heldFds = heldFds ?? [];
        _spec = spec;
        _time = time ?? TimeProvider.System;
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
        _startedSinceBoot = TimeSpan.FromMilliseconds(Environment.TickCount64);
        (_wakeRead, _wakeWrite) = LibC.CloexecPipe();
        LibC.SetNonBlocking(_wakeRead);

        var shimCommand =
            ShimLocator.Find(out var why)
            ?? throw new InvalidOperationException($"cannot guard the run: {why}");
        _caps = CapsMonitor.Create(_spec); // before the start record: an impossible --cap-method cgroup starts nothing
        _growth = _spec.WarnBefore is { Ticks: > 0 } horizon
            ? new GrowthMonitor(
                horizon,
                _spec.MemoryLimit,
                () => MemorySnapshot.Read()?.AvailableBytes
            )
            : null;
        (_containerApi, _containerProblem) = ContainerApiFor(_spec);
        _watch = new WatchPolicy(
            _time,
            _spec.Timeout,
            _spec.IdleTimeout,
            _caps?.SampleInterval ?? _spec.SampleInterval,
            QuietSampleInterval()
        );
        var self = _table.Read(Environment.ProcessId);
        _recorder?.RunStarting(
            new RunStart(
                _spec.RunId,
                _spec.Command,
                _spec.WorkingDirectory ?? Environment.CurrentDirectory,
                Processes.Posix.CurrentUser.Name,
                Environment.ProcessId,
                self?.StartTime ?? 0,
                startedAt,
                _spec.LockLabel,
                _spec.ModelLabel,
                _spec.Supervision,
                ReinVersion: Rein.ReinVersion.Text
            )
        );

        if (StartUnderShim(shimCommand, startedAt) is { } failed)
        {
            return failed;
        }

        var pid = _shim!.RootPid;
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
                rootStart,
                shimAdopts: _shim.Subreaper
            )
            : null;
        _caps?.Placed(pid, _shim.CgroupErrno, _table);
        _recorder?.ChildStarted(_spec.RunId, pid, rootStart, _spec.Foreground ? 0 : pid);
        _seen = new SeenProcesses(_recorder, _spec.RunId);
        _observer?.Started(pid);
        FaultInjection.After("spawn");

        _watch.Begin();
        var (reason, signal) = Watch();
        var exitSeen = ReportExit(false);
        if (_shimLost)
        {
            // The shim died under us (the command itself can SIGKILL its parent): the tree lives on, orphaned, and
            // no keeper guards it any more. Rein kills it itself, by identity only: the command's zombie is no
            // longer held, so its group id is not signalled as a whole (pgid 0), and the root is recognised by its
            // start time (RunTree) in case its pid was recycled.
            var orphaned = OrphanedTree.Kill(_table, _tree, _spec.Grace, _spec.KillWait, Wait);
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
            _spec.KillWait,
            ShimKill
        )
        {
            RootGone = () => _shim.RootExit is not null,
        };
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

        // A fork bomb whose first process exits at once: the pids limit may refuse forks only while what it left
        // runs, or is torn down. The run still went over its cap: never "exited 0".
        if (reason is null && _caps?.Exceeded(0, 0) is { } late)
        {
            reason = late;
        }

        ReportExit(exitSeen);

        var (quiet, readers) = DrainBudget(stopped: reason is not null);
        _relay?.Drain(quiet, readers);
        _stdio?.Finish(StdioDrainBudget);
        var unkillable = killer.Unkillable;
        if (unkillable.Count == 0 || _shim.RootExit is not null)
        {
            _shim.WaitFor(() => _shim.RootExit is not null, TimeSpan.FromSeconds(1));
            _shim.Reap();
        }

        // The tree is dead; the run's containers live outside it (under the container daemon) and go now.
        var containers = _containerApi is null
            ? new Containers.ContainerSweepResult([], _containerProblem)
            : Containers.ContainerSweep.Stop(
                _containerApi,
                _spec.RunId,
                RunFolders(),
                _spec.Containers == Rein.Containers.ContainerMode.On
                    || Rein.Containers.ContainerCommand.IsCompose(_spec.Command),
                startedAt,
                _spec.Grace
            );
        _cgroupOomKills = _caps?.CgroupOomKills ?? 0;
        // The run's cgroups are removed in Dispose, after the lock is released: the tree is dead, and waiting for
        // its last tasks to leave them must not hold up the next run.
        var maxRss = _shim.RootMaxRss is { } r ? (OperatingSystem.IsMacOS() ? r : r * 1024) : 0;
        var verdict = new RunVerdict
        {
            RunId = _spec.RunId,
            Outcome = RunOutcome.Exited,
            Duration = _watch.Elapsed,
            StartedAt = startedAt,
            ChildPid = pid,
            PeakRssBytes = Math.Max(_caps?.PeakRss ?? 0, maxRss),
            PidsKilled = [.. killer.Killed],
            Escalated = killer.Escalated,
            Unkillable = unkillable,
            CapMethod = _caps?.Method,
            MemoryLimitBytes = _spec.MemoryLimit,
            PeakProcesses = _caps?.PeakProcesses ?? 0,
            Growth = _growth?.Warned,
            StoppedForGrowth = _stoppedForGrowth,
            Containers = containers.Containers,
            ContainersProblem = containers.Problem,
        };
        return Finish(Classified(Verdicts.Decide(verdict, reason, signal, _shim.RootExit)));
    }

    /// <summary>The container API to stop the run's containers with at its end, or why there is none when they
    /// were asked for (<see cref="Containers.ContainerMode.On"/>). Auto looks only for a command that runs
    /// containers in the foreground, and quietly does nothing where no daemon is.</summary>
    static (Containers.ContainerApi?, string?) ContainerApiFor(RunSpec spec)
    {
        if (
            spec.Containers == Rein.Containers.ContainerMode.Off
            || (
                spec.Containers == Rein.Containers.ContainerMode.Auto
                && !Rein.Containers.ContainerCommand.RunsContainers(spec.Command)
            )
        )
        {
            return (null, null);
        }

        var api = Rein.Containers.ContainerApi.Find(
            Rein.Containers.ContainerCommand.IsPodman(spec.Command),
            out var why
        );
        return (
            api,
            api is null && spec.Containers == Rein.Containers.ContainerMode.On ? why : null
        );
    }

    /// <summary>The run's folder, and the shell's name for it when that differs (<c>$PWD</c> through a symlink,
    /// which is what compose records as its project's folder).</summary>
    List<string> RunFolders()
    {
        if (_spec.WorkingDirectory is { } dir)
        {
            return [dir];
        }

        var physical = Environment.CurrentDirectory;
        var folders = new List<string> { physical };
        if (
            Environment.GetEnvironmentVariable("PWD") is { Length: > 1 } pwd
            && pwd != physical
            && Path.IsPathRooted(pwd)
            && Physical(pwd) == physical
        )
        {
            folders.Add(pwd);
        }

        return folders;
    }

    /// <summary>The path with every symlink along it resolved (realpath); null when it cannot be read.</summary>
    static string? Physical(string path)
    {
        try
        {
            var resolved = "/";
            foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var next = Path.Combine(resolved, part);
                resolved =
                    Directory.ResolveLinkTarget(next, returnFinalTarget: true)?.FullName ?? next;
            }

            return Path.GetFullPath(resolved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Without a cap or an idle limit nothing acts on a sample at once (it feeds the peak numbers and the
    /// members recorded for `rein cleanup`): while the membership stays the same, samples back off to this.</summary>
    TimeSpan? QuietSampleInterval() =>
        _spec.MemoryLimit is null
        && _spec.MaxProcs is null
        && _spec.IdleTimeout is not { Ticks: > 0 }
        && _growth is null
            ? MaxQuietSampleInterval
            : null;

    /// <summary>How long the verdict waits for a host stream to take the command's last output: the tree is gone,
    /// so its end of file has come; a host stream that blocks (a full pipe nobody reads) is not waited for.</summary>
    static readonly TimeSpan StdioDrainBudget = TimeSpan.FromSeconds(5);

    /// <summary>The longest interval between two samples of a quiet run without caps.</summary>
    public static readonly TimeSpan MaxQuietSampleInterval = TimeSpan.FromSeconds(2);

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
    /// shim, so a shim whose only child is the command's zombie means nothing is left, without reading /proc. Read
    /// twice: the kernel's list is not read atomically, and a process that forks and exits changes it all the time
    /// (though one of its hops is always there, alive or as a zombie the shim has not reaped yet).</summary>
    bool NothingLeft()
    {
        if (_tree is null || _shim is null)
        {
            return true;
        }

        if (_shim.Subreaper && !_spec.Foreground)
        {
            for (var read = 0; read < 2; read++)
            {
                if (
                    _table.Children(_shim.Pid) is not { } children
                    || children.Any(c => c != _shim.RootPid)
                )
                {
                    return false;
                }
            }

            return true;
        }

        return false;
    }

    /// <summary>The tree killer's SIGKILL phase, done by the shim (see <see cref="ShimProcess.RequestKill"/>): waits
    /// for its answer while the relay and the wake pipe are serviced; null when the shim is gone or did not answer.</summary>
    (IReadOnlyList<int> Victims, int Left)? ShimKill(TimeSpan budget)
    {
        if (_shim is null || _shim.Closed)
        {
            return null;
        }

        _shim.RequestKill(budget);
        var end = _watch.Elapsed + budget + TimeSpan.FromSeconds(1);
        while (_shim.KillReport is null && !_shim.Closed && _watch.Elapsed < end)
        {
            Pump(50);
        }

        return _shim.KillReport is { } report ? (_shim.Victims, report.Left) : null;
    }

    /// <summary>Without <see cref="Disarm"/>, the shim takes this as "rein is gone" and kills the tree itself.</summary>
    public void Dispose()
    {
        _shim?.Dispose();
        _relay?.Dispose();
        _stdio?.Dispose();
        _caps?.Dispose();
        if (_wakeRead >= 0)
        {
            LibC.close(_wakeRead);
            LibC.close(_wakeWrite);
            _wakeRead = _wakeWrite = -1;
        }
    }
}
