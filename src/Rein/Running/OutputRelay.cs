using Rein.Processes.Posix;

namespace Rein.Running;

/// <summary>
/// Relays the command's stdout and stderr through pipes to Rein's own, unchanged and streaming, and
/// remembers when the last byte arrived (for --idle-timeout). Used only when idle detection is on;
/// otherwise the command writes to Rein's stdout/stderr directly (no copy, terminal detection intact).
/// </summary>
internal sealed unsafe class OutputRelay : IDisposable
{
    readonly int[] _read = new int[2];
    readonly int[] _childWrite = new int[2];
    readonly int[] _target = [1, 2];

    OutputRelay() { }

    /// <summary>When the last byte of output arrived, on the guard's clock.</summary>
    public TimeSpan LastOutput { get; private set; }

    public static OutputRelay Create()
    {
        var r = new OutputRelay();
        for (var i = 0; i < 2; i++)
        {
            (r._read[i], r._childWrite[i]) = LibC.CloexecPipe();
            LibC.SetNonBlocking(r._read[i]);
        }

        return r;
    }

    public IEnumerable<(int, int)> ChildRedirects => [(_childWrite[0], 1), (_childWrite[1], 2)];

    /// <summary>After the spawn our copies of the write ends must go, or EOF would never come.</summary>
    public void CloseChildEnds()
    {
        for (var i = 0; i < 2; i++)
        {
            if (_childWrite[i] >= 0)
            {
                LibC.close(_childWrite[i]);
                _childWrite[i] = -1;
            }
        }
    }

    public int AddPollFds(LibC.PollFd* fds)
    {
        var n = 0;
        for (var i = 0; i < 2; i++)
        {
            if (_read[i] >= 0)
            {
                fds[n++] = new LibC.PollFd { Fd = _read[i], Events = LibC.POLLIN };
            }
        }

        return n;
    }

    public void Service(LibC.PollFd* fds, int count, TimeSpan now)
    {
        for (var k = 0; k < count; k++)
        {
            if (fds[k].Revents == 0)
            {
                continue;
            }

            var i = fds[k].Fd == _read[0] ? 0 : 1;
            Copy(i, now);
        }
    }

    /// <summary>Copies what is readable now; closes the pipe on EOF.</summary>
    void Copy(int i, TimeSpan now)
    {
        var buf = stackalloc byte[65536];
        while (_read[i] >= 0)
        {
            var n = LibC.read(_read[i], buf, 65536);
            if (n > 0)
            {
                LastOutput = now;
                if (!LibC.WriteAll(_target[i], new ReadOnlySpan<byte>(buf, (int)n)))
                {
                    // Our own stdout is gone (reader quit): close the pipe so the command sees EPIPE too, as in a shell pipeline.
                    Close(i);
                }

                continue;
            }

            if (
                n == 0
                || (
                    n < 0
                    && LibC.Errno != LibC.EAGAIN_LINUX
                    && LibC.Errno != 35
                    && LibC.Errno != LibC.EINTR
                )
            )
            {
                Close(i);
            }

            return;
        }
    }

    /// <summary>After teardown: copy whatever is still buffered in the pipes.</summary>
    public void Drain()
    {
        for (var i = 0; i < 2; i++)
        {
            Copy(i, LastOutput);
        }
    }

    void Close(int i)
    {
        if (_read[i] >= 0)
        {
            LibC.close(_read[i]);
            _read[i] = -1;
        }
    }

    public void Dispose()
    {
        CloseChildEnds();
        Close(0);
        Close(1);
    }
}
