using System.Diagnostics;
using System.Runtime.InteropServices;
using Rein.Platform.Posix;

namespace Rein.Running;

/// <summary>
/// Relays the command's stdout and stderr to Rein's own, unchanged and streaming, and remembers when the last byte
/// arrived (for --idle-timeout). Used only when idle detection is on; otherwise the command writes to Rein's
/// stdout/stderr directly (no copy).
/// <para>
/// A stream that went to a terminal gets a pseudo-terminal, so the command still sees a terminal there (line
/// buffering, colour); one that did not gets a pipe, so stdout and stderr stay apart (a pty would merge them).
/// Both on the same terminal share one pty, which keeps their interleaving as the user would see it; both into
/// the same file (`2>&amp;1`, same device and inode) share one pipe for the same reason.
/// </para>
/// <para>
/// Nothing here blocks: writes to Rein's fds do not wait (<see cref="OutputSink"/> says how, and its one
/// best-effort case), each wake-up does at most one
/// read and the writes it allows per stream, and <see cref="Drain"/> is bounded, so a reader that stops reading
/// cannot hold Rein past --timeout.
/// </para>
/// </summary>
internal sealed unsafe class OutputRelay : IDisposable
{
    /// <summary>How long <see cref="Drain()"/> waits for Rein's readers to take the rest before dropping it.</summary>
    public static readonly TimeSpan DefaultDrainBudget = TimeSpan.FromMilliseconds(100);

    readonly List<RelayChannel> _channels = [];

    // What the last AddPollFds put at each index, so Service can match results without comparing fds.
    readonly RelayChannel?[] _polled = new RelayChannel?[2];
    PosixSignalRegistration? _resize;

    OutputRelay() { }

    /// <summary>When the last byte of output arrived, on the guard's clock.</summary>
    public TimeSpan LastOutput { get; private set; }

    /// <summary>Output waits for one of Rein's readers to take it (a stalled `| reader`), so the command is
    /// blocked on its own pipe: its silence is then not its own.</summary>
    public bool WaitingForReader => _channels.Any(c => c.Pending);

    /// <summary>The last 64 KiB of the command's stderr (and of its stdout too when both go to one terminal or
    /// one file, which merges them); null unless asked for.</summary>
    public Forensics.Classification.OutputTail? ErrorTail { get; private set; }

    /// <param name="keepErrorTail">Keep the tail of stderr for the failure classifier.</param>
    public static OutputRelay Create(bool keepErrorTail = false)
    {
        var r = new OutputRelay();
        try
        {
            var outTty = RelayNative.isatty(1) == 1;
            var errTty = RelayNative.isatty(2) == 1;
            if (
                outTty
                && errTty
                && RelayNative.TtyName(1) is { } name
                && name == RelayNative.TtyName(2)
            )
            {
                r.Add(RelayChannel.WithPty([1, 2], 1) ?? RelayChannel.WithPipe([1], 1));
            }
            else if (!outTty && !errTty && RelayNative.SameFile(1, 2))
            {
                // `2>&1 | reader` or `>log 2>&1`: one pipe for both, or their interleaving would be lost.
                r.Add(RelayChannel.WithPipe([1, 2], 1));
            }
            else
            {
                r.Add(outTty ? RelayChannel.WithPty([1], 1) : null);
                r.Add(errTty ? RelayChannel.WithPty([2], 2) : null);
            }

            // Whatever has no pty yet (not a terminal, or no pty to be had) gets a pipe.
            for (var fd = 1; fd <= 2; fd++)
            {
                if (!r._channels.Any(c => c.Targets.Contains(fd)))
                {
                    r.Add(RelayChannel.WithPipe([fd], fd));
                }
            }

            if (keepErrorTail && r._channels.FirstOrDefault(c => c.Targets.Contains(2)) is { } err)
            {
                r.ErrorTail = err.Tail = new Forensics.Classification.OutputTail();
            }

            if (OperatingSystem.IsLinux() && r._channels.Any(c => c.Pty is not null))
            {
                r._resize = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => r.Resize());
            }
        }
        catch
        {
            r.Dispose();
            throw;
        }

        return r;
    }

    void Add(RelayChannel? channel)
    {
        if (channel is not null)
        {
            _channels.Add(channel);
        }
    }

    /// <summary>The user resized the terminal: resize the pseudo-terminals too.</summary>
    void Resize()
    {
        foreach (var c in _channels)
        {
            c.Pty?.CopyWindowSize(c.Targets[0]);
        }
    }

    /// <summary>(fd in Rein, fd in the command) for the spawn's dup2 actions.</summary>
    public IEnumerable<(int, int)> ChildRedirects =>
        [.. _channels.SelectMany(c => c.Targets.Select(t => (c.ChildEnd, t)))];

    /// <summary>After the spawn our copies of the child ends must go, or EOF would never come.</summary>
    public void CloseChildEnds()
    {
        foreach (var c in _channels)
        {
            c.CloseChildEnd();
        }
    }

    /// <summary>Adds at most two entries (one per stream: its source, or Rein's fd while output waits for it).</summary>
    public int AddPollFds(LibC.PollFd* fds)
    {
        var n = 0;
        Array.Clear(_polled);
        foreach (var c in _channels)
        {
            if (c.PollEntry(out var entry))
            {
                _polled[n] = c;
                fds[n++] = entry;
            }
        }

        return n;
    }

    /// <summary>Handles the results of the entries the last <see cref="AddPollFds"/> added, in the same order.</summary>
    public void Service(LibC.PollFd* fds, int count, TimeSpan now)
    {
        if (ServiceEntries(fds, count))
        {
            LastOutput = now;
        }
    }

    bool ServiceEntries(LibC.PollFd* fds, int count)
    {
        var arrived = false;
        for (var k = 0; k < Math.Min(count, _polled.Length); k++)
        {
            if (_polled[k] is { } c && c.Service(fds[k].Revents))
            {
                arrived = true;
            }
        }

        return arrived;
    }

    /// <summary>After teardown: relays what is still buffered, for at most <see cref="DefaultDrainBudget"/>.</summary>
    public void Drain() => Drain(DefaultDrainBudget, DefaultDrainBudget);

    /// <summary>After teardown: relays what is still in the pipes until every stream has ended, so no wait after
    /// the teardown is unbounded. Two bounds, because two different things can hold the drain up: the command's
    /// side (a survivor still holding the child end) may keep it waiting for more output only
    /// <paramref name="quiet"/>; Rein's readers (a `| slow-reader` that has not taken what the command already
    /// wrote) get up to <paramref name="readers"/> in all. Output still ready to read is always read while the
    /// readers' bound lasts, so what the command wrote before it ended is not dropped for being slow to arrive.
    /// What is left when a bound runs out is dropped.</summary>
    public void Drain(TimeSpan quiet, TimeSpan readers)
    {
        if (readers < quiet)
        {
            readers = quiet;
        }

        var clock = Stopwatch.StartNew();
        var fds = stackalloc LibC.PollFd[2];
        while (true)
        {
            var n = AddPollFds(fds);
            if (n == 0 || clock.Elapsed >= readers)
            {
                break;
            }

            var left = (_channels.Any(c => c.Pending) ? readers : quiet) - clock.Elapsed;
            var rc = LibC.poll(
                fds,
                (nuint)n,
                (int)Math.Ceiling(Math.Max(0, left.TotalMilliseconds))
            );
            if (rc > 0)
            {
                ServiceEntries(fds, n);
            }
            else if (left <= TimeSpan.Zero)
            {
                break;
            }
        }

        foreach (var c in _channels)
        {
            c.Drop();
            c.CloseSource();
        }
    }

    public void Dispose()
    {
        _resize?.Dispose();
        _resize = null;
        foreach (var c in _channels)
        {
            c.Dispose();
        }
    }
}
