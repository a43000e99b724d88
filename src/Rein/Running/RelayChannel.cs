using Rein.Processes.Posix;

namespace Rein.Running;

/// <summary>
/// One relayed stream: the command writes to the child end (a pipe, or a pseudo-terminal's slave), Rein reads the
/// source and writes to its own fd through a non-blocking <see cref="OutputSink"/>. At most one buffer is in
/// flight: while it waits for the destination, the source is not read, so a stalled reader blocks the command
/// on its own pipe, never Rein.
/// </summary>
internal sealed unsafe class RelayChannel : IDisposable
{
    const int BufferSize = 65536;

    readonly byte[] _buffer = new byte[BufferSize];
    readonly Pty? _pty;
    readonly OutputSink _sink;
    int _source;
    int _childEnd;
    int _start;
    int _end;

    RelayChannel(int source, int childEnd, Pty? pty, int[] targets, OutputSink sink)
    {
        _source = source;
        _childEnd = childEnd;
        _pty = pty;
        Targets = targets;
        _sink = sink;
    }

    /// <summary>Keeps the last bytes of what this channel carries, for the failure classifier; null: none kept.</summary>
    public Forensics.Classification.OutputTail? Tail { get; set; }

    /// <summary>The command's fds (1, 2 or both) this channel carries.</summary>
    public int[] Targets { get; }

    public int ChildEnd => _childEnd;

    public Pty? Pty => _pty;

    /// <summary>Output is waiting for the destination to take it.</summary>
    public bool Pending => _end > _start;

    /// <summary>Nothing more can come: the source is closed and nothing is waiting.</summary>
    public bool Done => _source < 0 && !Pending;

    /// <summary>A pipe for the command's <paramref name="targets"/>, relayed to Rein's <paramref name="destination"/>.</summary>
    public static RelayChannel WithPipe(int[] targets, int destination)
    {
        var (read, write) = LibC.CloexecPipe();
        return new RelayChannel(read, write, null, targets, OutputSink.For(destination));
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

    /// <summary>Handles one poll result for the entry <see cref="PollEntry"/> gave: at most one read and the writes
    /// it allows (bounded work per wake-up). Returns whether output arrived from the command.</summary>
    public bool Service(short revents)
    {
        if (revents == 0)
        {
            return false;
        }

        if (Pending)
        {
            Flush();
            return false;
        }

        var arrived = ReadOnce();
        Flush();
        return arrived;
    }

    bool ReadOnce()
    {
        if (_source < 0)
        {
            return false;
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
            return true;
        }

        // 0 is EOF on a pipe; a pty master reports EIO once every slave fd is closed.
        if (n == 0 || (LibC.Errno != LibC.EINTR && LibC.Errno != RelayNative.EAGAIN))
        {
            CloseSource();
        }

        return false;
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
    public void Drop() => _start = _end = 0;

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
