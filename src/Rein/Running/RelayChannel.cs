using Rein.Platform.Linux;
using Rein.Platform.Posix;

namespace Rein.Running;

/// <summary>
/// One relayed stream: the command writes to the child end (a pipe, or a pseudo-terminal's slave), Rein reads the
/// source and writes to its own fd through a non-blocking <see cref="OutputSink"/>. At most one buffer is in
/// flight: while it waits for the destination, the source is not read, so a stalled reader blocks the command
/// on its own pipe, never Rein.
/// <para>
/// At pipe speed: the source is non-blocking and each wake-up moves what is there until the source is empty
/// (EAGAIN), the destination is full, or <see cref="WakeBudget"/> bytes have passed (so the guard still looks at
/// its limits); only then does the guard poll again. On Linux a pipe's bytes go to a file or a pipe destination by
/// splice(2), inside the kernel, unless the stderr tail is kept (it must see them) or the destination refuses
/// (a terminal, an O_APPEND file): then large reads and writes. The pipe itself is grown to
/// <see cref="PipeSize"/> so that the command and Rein take turns less often.
/// </para>
/// </summary>
internal sealed unsafe class RelayChannel : IDisposable
{
    const int BufferSize = 256 * 1024;

    /// <summary>Bytes moved in one wake-up before the guard's loop gets its turn again.</summary>
    const long WakeBudget = 8L << 20;

    /// <summary>The pipe buffer asked for on Linux (the unprivileged maximum by default).</summary>
    const int PipeSize = 1 << 20;

    readonly byte[] _buffer = new byte[BufferSize];
    readonly Pty? _pty;
    readonly OutputSink _sink;
    int _source;
    int _childEnd;
    int _start;
    int _end;

    // splice(2) may be tried (Linux, a pipe source, a destination that can take it); cleared when it refuses.
    bool _splice;

    // splice found the destination full: the output waits in the source pipe itself.
    bool _spliceStalled;

    RelayChannel(int source, int childEnd, Pty? pty, int[] targets, OutputSink sink)
    {
        _source = source;
        _childEnd = childEnd;
        _pty = pty;
        Targets = targets;
        _sink = sink;
        _splice = OperatingSystem.IsLinux() && pty is null && sink.CanSplice;
        // Ours alone (the command has the other end or the slave): non-blocking, so a wake-up can read until empty.
        LibC.SetNonBlocking(source);
    }

    /// <summary>Keeps the last bytes of what this channel carries, for the failure classifier; null: none kept.</summary>
    public Forensics.Classification.OutputTail? Tail { get; set; }

    /// <summary>The command's fds (1, 2 or both) this channel carries.</summary>
    public int[] Targets { get; }

    public int ChildEnd => _childEnd;

    public Pty? Pty => _pty;

    /// <summary>Output is waiting for the destination to take it.</summary>
    public bool Pending => _end > _start || _spliceStalled;

    /// <summary>Nothing more can come: the source is closed and nothing is waiting.</summary>
    public bool Done => _source < 0 && !Pending;

    /// <summary>A pipe for the command's <paramref name="targets"/>, relayed to Rein's <paramref name="destination"/>.</summary>
    public static RelayChannel WithPipe(int[] targets, int destination)
    {
        var (read, write) = LibC.CloexecPipe();
        if (OperatingSystem.IsLinux())
        {
            LinuxLibC.GrowPipe(read, PipeSize); // best effort: refused beyond the user's pipe quota
        }

        try
        {
            return new RelayChannel(read, write, null, targets, OutputSink.For(destination));
        }
        catch
        {
            LibC.close(read);
            LibC.close(write);
            throw;
        }
    }

    /// <summary>A pseudo-terminal instead of a pipe (<paramref name="destination"/> is a terminal), or null
    /// when none can be had.</summary>
    public static RelayChannel? WithPty(int[] targets, int destination)
    {
        var pty = Pty.TryOpen(destination);
        return pty is null
            ? null
            : new RelayChannel(pty.Master, pty.Slave, pty, targets, OutputSink.For(destination));
    }

    /// <summary>What to wait for: the destination when output is pending, else the source; false when neither.</summary>
    public bool PollEntry(out LibC.PollFd entry)
    {
        entry = Pending
            ? new LibC.PollFd { Fd = _sink.Fd, Events = RelayNative.POLLOUT }
            : new LibC.PollFd { Fd = _source, Events = LibC.POLLIN };
        return entry.Fd >= 0;
    }

    /// <summary>Handles one poll result for the entry <see cref="PollEntry"/> gave: moves output until the source
    /// is empty, the destination is full or <see cref="WakeBudget"/> bytes have passed (bounded work per wake-up).
    /// Returns whether output arrived from the command.</summary>
    public bool Service(short revents)
    {
        if (revents == 0)
        {
            return false;
        }

        if (_end > _start)
        {
            Flush();
            if (_end > _start)
            {
                return false;
            }
        }

        _spliceStalled = false;
        return Move();
    }

    bool Move()
    {
        var arrived = false;
        long moved = 0;
        while (_source >= 0 && moved < WakeBudget)
        {
            if (_splice && Tail is null && OperatingSystem.IsLinux())
            {
                var spliced = Splice();
                if (spliced > 0)
                {
                    arrived = true;
                    moved += spliced;
                    continue;
                }

                if (spliced == 0 || !_splice)
                {
                    continue; // interrupted, or splice refused this destination: read and write instead
                }

                break; // the source is empty, the destination full, or one of them gone
            }

            var n = ReadOnce();
            if (n <= 0)
            {
                break;
            }

            arrived = true;
            moved += n;
            Flush();
            if (Pending)
            {
                break;
            }
        }

        return arrived;
    }

    /// <summary>One splice from the source pipe to the destination: bytes moved; 0 to try again (EINTR, or splice
    /// just turned out not to work here and <see cref="_splice"/> is now off); -1 to stop for this wake-up.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    nint Splice()
    {
        var n = LinuxLibC.Splice(
            _source,
            _sink.Fd,
            PipeSize,
            LinuxLibC.SPLICE_F_NONBLOCK | LinuxLibC.SPLICE_F_MOVE
        );
        if (n > 0)
        {
            return n;
        }

        if (n == 0)
        {
            CloseSource(); // no writer left and nothing in the pipe
            return -1;
        }

        var errno = LibC.Errno;
        if (errno == LibC.EINTR)
        {
            return 0;
        }

        if (errno == RelayNative.EAGAIN)
        {
            // Either side can say EAGAIN: bytes still in the source mean the destination is full.
            _spliceStalled = LinuxLibC.BytesWaiting(_source) > 0;
            return -1;
        }

        if (errno is RelayNative.EINVAL or RelayNative.ENOSYS or RelayNative.EOPNOTSUPP)
        {
            _splice = false; // a terminal, an O_APPEND file, an old kernel: nothing was moved
            return 0;
        }

        // EPIPE and the like: Rein's own reader is gone (see Flush).
        Drop();
        CloseSource();
        return -1;
    }

    /// <summary>One large read into the buffer: its byte count, or 0 when nothing came (empty, interrupted, or the
    /// source ended and is now closed).</summary>
    int ReadOnce()
    {
        if (_source < 0)
        {
            return 0;
        }

        nint n;
        fixed (byte* p = _buffer)
        {
            n = LibC.read(_source, p, BufferSize);
        }

        if (n > 0)
        {
            // A copy for the classifier; the relayed bytes themselves are passed on untouched below.
            Tail?.Append(_buffer.AsSpan(0, (int)n));
            _start = 0;
            _end = (int)n;
            return (int)n;
        }

        // 0 is EOF on a pipe; a pty master reports EIO once every slave fd is closed.
        if (n == 0 || (LibC.Errno != LibC.EINTR && LibC.Errno != RelayNative.EAGAIN))
        {
            CloseSource();
        }

        return 0;
    }

    void Flush()
    {
        if (!Pending)
        {
            return;
        }

        int written;
        fixed (byte* p = _buffer)
        {
            written = _sink.TryWrite(p + _start, _end - _start);
        }

        if (written < 0)
        {
            // Rein's own reader is gone: drop the output and close the source, so the command sees EPIPE (or EIO on
            // a pty) too, as it would writing straight into a closed pipe in a shell pipeline.
            Drop();
            CloseSource();
            return;
        }

        _start += written;
    }

    /// <summary>Forgets output that could not be written (the destination stalled past the drain bound).</summary>
    public void Drop()
    {
        _start = _end = 0;
        _spliceStalled = false;
    }

    /// <summary>After the spawn our copy of the child end must go, or the end of the output would never come.</summary>
    public void CloseChildEnd()
    {
        if (_pty is not null)
        {
            _pty.CloseSlave();
        }
        else if (_childEnd >= 0)
        {
            LibC.close(_childEnd);
        }

        _childEnd = -1;
    }

    public void CloseSource()
    {
        if (_pty is not null)
        {
            _pty.Dispose();
        }
        else if (_source >= 0)
        {
            LibC.close(_source);
        }

        _source = -1;
    }

    public void Dispose()
    {
        CloseChildEnd();
        CloseSource();
        _sink.Dispose();
    }
}
