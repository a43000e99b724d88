using System.Globalization;
using System.Text;
using Rein.Platform.Posix;
using Rein.Processes.Posix;

namespace Rein.Processes.Shim;

/// <summary>What the shim needs to start the command.</summary>
public sealed record ShimStart
{
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The command's complete environment (the shim runs with it and passes it on).</summary>
    public required IReadOnlyList<string> Environment { get; init; }

    public bool NewSession { get; init; } = true;

    /// <summary>Bit N-1: signal N stays ignored for the command (the caller had it ignored).</summary>
    public ulong KeepIgnored { get; init; }

    public required string Marker { get; init; }

    /// <summary>Sent to the command (its group, with <see cref="NewSession"/>) first if rein dies while it runs; the
    /// tree is SIGKILLed 250 ms later (G2). 0: none.</summary>
    public int StopSignal { get; init; }

    /// <summary>Lock slot descriptors the shim holds until the tree is dead (G3).</summary>
    public IReadOnlyList<int> HoldFds { get; init; } = [];

    /// <summary>cgroup directories the command joins before exec (never rein or the shim).</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];

    /// <summary>Where the shim (and so the command) starts; null: rein's own working directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>fd in this process → 0, 1 or 2 of the shim and so of the command.</summary>
    public IReadOnlyList<(int From, int To)> Stdio { get; init; } = [];
}

/// <summary>
/// rein's side of the shim (src/native/shim.c): the command's parent, subreaper and keeper. Events arrive on a
/// pipe that <see cref="Guard"/> polls; commands go the other way. Disposing without <see cref="Disarm"/> closes
/// the control pipe without "done", which the shim takes as "rein is gone": it kills the tree, then exits.
/// </summary>
public sealed class ShimProcess : IDisposable
{
    readonly StringBuilder _pending = new();
    int _ctl;
    int _evt;
    bool _disarmed;
    bool _reaped;

    ShimProcess(int pid, int ctl, int evt)
    {
        Pid = pid;
        _ctl = ctl;
        _evt = evt;
    }

    /// <summary>The shim's pid (the command's parent).</summary>
    public int Pid { get; }

    /// <summary>Readable when the shim has news (or exited: EOF).</summary>
    public int EventFd => _evt;

    /// <summary>The shim is a child subreaper (Linux): every orphan of the tree stays below it.</summary>
    public bool Subreaper { get; private set; }

    /// <summary>/proc describes our pid namespace (false under <c>unshare --pid</c> without a new /proc).</summary>
    public bool ProcMatches { get; private set; } = true;

    public bool Ready { get; private set; }

    public int RootPid { get; private set; }

    public int? SpawnErrno { get; private set; }

    public int? CgroupErrno { get; private set; }

    /// <summary>The command's end (it is held as a zombie until <see cref="Reap"/>).</summary>
    public (bool Exited, int Code, int Signal)? RootExit { get; private set; }

    /// <summary>ru_maxrss of the command after <see cref="Reap"/> (KiB on Linux, bytes on macOS).</summary>
    public long? RootMaxRss { get; private set; }

    /// <summary>EOF on the event pipe: the shim has exited.</summary>
    public bool Closed { get; private set; }

    /// <summary>The answer to <see cref="RequestKill"/>: processes killed, members still alive when its time ran out.</summary>
    public (int Killed, int Left)? KillReport { get; private set; }

    /// <summary>Pids the shim's kill signalled (at most 4,096 per kill).</summary>
    public List<int> Victims { get; } = [];

    public static ShimProcess Start(IReadOnlyList<string> shimCommand, ShimStart start)
    {
        var (ctlRead, ctlWrite) = LibC.CloexecPipe();
        var (evtRead, evtWrite) = LibC.CloexecPipe();
        var argv = new List<string>(shimCommand)
        {
            "--ctl",
            ctlRead.ToString(CultureInfo.InvariantCulture),
            "--evt",
            evtWrite.ToString(CultureInfo.InvariantCulture),
            "--marker",
            start.Marker,
            "--keep-ignored",
            start.KeepIgnored.ToString("x", CultureInfo.InvariantCulture),
            "--stop-signal",
            start.StopSignal.ToString(CultureInfo.InvariantCulture),
        };
        if (!start.NewSession)
        {
            argv.Add("--foreground");
        }

        foreach (var fd in start.HoldFds)
        {
            argv.AddRange(["--hold", fd.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var dir in start.Cgroups)
        {
            argv.AddRange(["--cgroup", dir]);
        }

        if (start.Stdio.Count > 0)
        {
            argv.Add("--detach-stdio"); // the relay's pipes are the command's, not the shim's (see shim.c)
        }

        argv.Add("--");
        argv.AddRange(start.Command);

        // dup2(fd, fd) clears close-on-exec on the shim's copy only: these reach the shim, never the command
        // (it closes them before exec), and never another child of ours.
        var redirects = new List<(int, int)>(start.Stdio)
        {
            (ctlRead, ctlRead),
            (evtWrite, evtWrite),
        };
        redirects.AddRange(start.HoldFds.Select(fd => (fd, fd)));

        var (pid, failure) = PosixSpawner.Spawn(
            argv,
            start.Environment,
            newSession: false,
            redirects,
            start.WorkingDirectory
        );
        LibC.close(ctlRead);
        LibC.close(evtWrite);
        if (failure is not null)
        {
            LibC.close(ctlWrite);
            LibC.close(evtRead);
            throw new IOException($"cannot start the shim: {failure.Message}");
        }

        LibC.SetNonBlocking(evtRead);
        return new ShimProcess(pid, ctlWrite, evtRead);
    }

    /// <summary>Reads whatever the shim said (non-blocking) and updates the state above.</summary>
    public unsafe void ReadEvents()
    {
        if (_evt < 0 || Closed)
        {
            return;
        }

        var buf = stackalloc byte[512];
        while (true)
        {
            var n = LibC.read(_evt, buf, 512);
            if (n > 0)
            {
                _pending.Append(Encoding.ASCII.GetString(buf, (int)n));
                continue;
            }

            if (n == 0)
            {
                Closed = true;
            }
            else if (LibC.Errno == LibC.EINTR)
            {
                continue;
            }

            break;
        }

        var text = _pending.ToString();
        var last = text.LastIndexOf('\n');
        if (last < 0)
        {
            return;
        }

        _pending.Remove(0, last + 1);
        foreach (var line in text[..last].Split('\n'))
        {
            Apply(line);
        }
    }

    void Apply(string line)
    {
        var w = line.Split(' ');
        if (w.Length < 3)
        {
            return;
        }

        // Every number is checked: a torn or foreign line is a shim fault (the run is then rein's failure, recorded
        // as such, and the keeper ends the tree), never an exception rein has no words for.
        int N(string s) =>
            int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Fault(line);
        switch (w[0])
        {
            case "ready":
                Ready = true;
                Subreaper = w[1] == "1";
                ProcMatches = w[2] == "1";
                break;
            case "cgroup":
                CgroupErrno = N(w[1]);
                break;
            case "started":
                RootPid = N(w[1]);
                break;
            case "failed":
                SpawnErrno = N(w[1]);
                break;
            case "exit":
                var code = N(w[1]);
                var signal = N(w[2]);
                RootExit = code >= 0 ? (true, code, 0) : (false, 0, signal);
                break;
            case "victim" when int.TryParse(w[1], CultureInfo.InvariantCulture, out var victim):
                Victims.Add(victim);
                break;
            case "killed"
                when int.TryParse(w[1], CultureInfo.InvariantCulture, out var killed)
                    && int.TryParse(w[2], CultureInfo.InvariantCulture, out var left):
                KillReport = (killed, left);
                break;
            case "reaped":
                RootMaxRss = long.TryParse(
                    w[1],
                    NumberStyles.AllowLeadingSign, // -1: the shim could not reap the command (it survived SIGKILL)
                    CultureInfo.InvariantCulture,
                    out var rss
                )
                    ? rss
                    : throw Fault(line);
                break;
        }
    }

    static ShimFaultException Fault(string line) =>
        new(
            $"the run's shim sent a line rein cannot read ('{CommandText.Escape(line.Length > 80 ? line[..80] + "…" : line)}'); the keeper ends the run's tree"
        );

    /// <summary>Polls the event pipe until <paramref name="done"/> holds, the shim exits, or the time is up.</summary>
    public unsafe bool WaitFor(Func<bool> done, TimeSpan timeout)
    {
        var end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        ReadEvents();
        while (!done() && !Closed)
        {
            var left = end - Environment.TickCount64;
            if (left <= 0)
            {
                return false;
            }

            var fd = new LibC.PollFd { Fd = _evt, Events = LibC.POLLIN };
            LibC.poll(&fd, 1, (int)Math.Min(left, int.MaxValue));
            ReadEvents();
        }

        return done();
    }

    /// <summary>Asks the shim to SIGKILL the run's whole tree now, for at most <paramref name="budget"/>: it walks down
    /// from itself (a subreaper: every orphan, every hop of a process that forks and exits, is its child) until two
    /// passes find nothing alive, the command's zombie still held. The answer arrives as <see cref="KillReport"/>.</summary>
    public void RequestKill(TimeSpan budget)
    {
        KillReport = null;
        Victims.Clear();
        Send(
            FormattableString.Invariant(
                $"kill {Math.Max(1, (long)Math.Ceiling(budget.TotalMilliseconds))}"
            )
        );
    }

    /// <summary>The teardown is over: reap the command (its pid and group may be recycled from now on).</summary>
    public void Reap()
    {
        if (!_reaped && RootPid > 0)
        {
            _reaped = true;
            Send("reap");
            WaitFor(() => RootMaxRss is not null, TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The run ended and its tree is verified gone: let the shim go (it closes its lock slots) and reap it.
    /// Only an explicit call disarms the keeper; <see cref="Dispose"/> alone never does.</summary>
    public void Disarm()
    {
        if (_disarmed)
        {
            return;
        }

        _disarmed = true;
        Send("done");
        CloseControl();
        // The shim closes its slot copies, then its end of the event pipe: wait (bounded) for that before the
        // caller releases the lock. It may still be removing the run's cgroups: it is reaped (bounded) in
        // Dispose, after the lock was released, so no zombie is left under a parent that does not reap.
        WaitFor(() => false, TimeSpan.FromSeconds(2));
        ReapShim(TimeSpan.Zero);
    }

    void Send(string line)
    {
        if (_ctl >= 0)
        {
            LibC.WriteAll(_ctl, Encoding.ASCII.GetBytes(line + "\n"));
        }
    }

    void CloseControl()
    {
        if (_ctl >= 0)
        {
            LibC.close(_ctl);
            _ctl = -1;
        }
    }

    bool _shimReaped;

    unsafe void ReapShim(TimeSpan bound)
    {
        var end = Environment.TickCount64 + (long)bound.TotalMilliseconds;
        while (!_shimReaped)
        {
            int status;
            var rc = LibC.waitpid(Pid, &status, LibC.WNOHANG);
            _shimReaped = rc == Pid || (rc < 0 && LibC.Errno == LibC.ECHILD);
            if (
                _shimReaped
                || (rc < 0 && LibC.Errno != LibC.EINTR)
                || Environment.TickCount64 > end
            )
            {
                return;
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Without <see cref="Disarm"/> (an error path, an exception): closing the control pipe makes the shim
    /// kill the whole tree and hold the lock slots until it is gone.</summary>
    public void Dispose()
    {
        CloseControl();
        if (_evt >= 0)
        {
            LibC.close(_evt);
            _evt = -1;
        }

        ReapShim(_disarmed ? TimeSpan.FromMilliseconds(500) : TimeSpan.Zero);
    }
}

/// <summary>The shim said something rein cannot read (a torn or foreign event line).</summary>
public sealed class ShimFaultException(string message) : InvalidOperationException(message);
