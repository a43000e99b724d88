using Rein.Platform.Posix;

namespace Rein.Running;

/// <summary>
/// Writes to one of Rein's own output fds (1 or 2) without ever blocking, so a reader that stops reading
/// (<c>rein run ... | sleep 30</c>) cannot hold Rein past its limits.
/// <para>
/// O_NONBLOCK is never set on the fd itself: it belongs to an open file description shared with the caller's
/// shell, its terminal and any sibling job writing there (make -j), and a flag left behind if Rein were
/// SIGKILLed would make their writes fail with EAGAIN. Instead, by what the fd is:
/// a file (seekable, not a terminal) never waits for a reader, so plain writes; a socket takes send(MSG_DONTWAIT), non-blocking
/// for that one call; a pipe, FIFO or terminal on Linux is reopened through /proc/self/fd, which gives Rein a
/// private open file description of the same pipe or terminal, and that one is non-blocking. Elsewhere (macOS,
/// or when the reopen is refused) each write is guarded by poll(POLLOUT) and at most PIPE_BUF bytes long, which
/// a pipe then takes whole without blocking (best effort: a concurrent writer to the same pipe can fill it
/// between the poll and the write).
/// </para>
/// </summary>
internal sealed unsafe class OutputSink : IDisposable
{
    enum Mode
    {
        File,
        Socket,
        PrivateNonBlocking,
        PollGuarded,
    }

    readonly Mode _mode;
    int _fd;
    readonly bool _ownsFd;

    OutputSink(int fd, Mode mode, bool ownsFd)
    {
        _fd = fd;
        _mode = mode;
        _ownsFd = ownsFd;
    }

    /// <summary>The fd to poll for POLLOUT while output waits to be written.</summary>
    public int Fd => _fd;

    /// <summary>splice(2) may write here without blocking Rein: a file (never waits for a reader) or Rein's private
    /// non-blocking description of a pipe or terminal (a terminal refuses splice; the relay then writes).</summary>
    public bool CanSplice => _mode is Mode.File or Mode.PrivateNonBlocking;

    public static OutputSink For(int fd)
    {
        // Seekable and not a terminal: a file (or /dev/null). Some systems let a terminal seek, hence the isatty.
        if (RelayNative.isatty(fd) == 0 && RelayNative.lseek(fd, 0, RelayNative.SEEK_CUR) >= 0)
        {
            return new OutputSink(fd, Mode.File, ownsFd: false);
        }

        if (RelayNative.IsSocket(fd))
        {
            return new OutputSink(fd, Mode.Socket, ownsFd: false);
        }

        if (OperatingSystem.IsLinux() && ReopenPrivately(fd) is var own and >= 0)
        {
            return new OutputSink(own, Mode.PrivateNonBlocking, ownsFd: true);
        }

        return new OutputSink(fd, Mode.PollGuarded, ownsFd: false);
    }

    static int ReopenPrivately(int fd)
    {
        var link = $"/proc/self/fd/{fd}";
        string? target;
        try
        {
            target = new FileInfo(link).LinkTarget;
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }

        // Opening a pty master's path allocates a new pseudo-terminal instead of reaching this one.
        if (target is null || target.EndsWith("ptmx", StringComparison.Ordinal))
        {
            return -1;
        }

        return RelayNative.Open(
            link,
            RelayNative.O_WRONLY
                | RelayNative.O_NONBLOCK
                | RelayNative.O_NOCTTY
                | RelayNative.O_CLOEXEC
        );
    }

    /// <summary>Writes as much of the data as the destination takes now. Returns the byte count (0 when it is
    /// full), or -1 when it is gone (reader closed, fd closed or broken).</summary>
    public int TryWrite(byte* data, int count)
    {
        var done = 0;
        while (done < count)
        {
            var chunk = count - done;
            if (_mode == Mode.PollGuarded)
            {
                var pfd = new LibC.PollFd { Fd = _fd, Events = RelayNative.POLLOUT };
                if (LibC.poll(&pfd, 1, 0) <= 0)
                {
                    break;
                }

                // On POLLERR/POLLHUP the write below reports the error itself.
                chunk = Math.Min(chunk, RelayNative.PipeBuf);
            }

            var n =
                _mode == Mode.Socket
                    ? RelayNative.send(_fd, data + done, chunk, RelayNative.SendDontWait)
                    : LibC.write(_fd, data + done, chunk);
            if (n > 0)
            {
                done += (int)n;
                continue;
            }

            var errno = LibC.Errno;
            if (n < 0 && errno == LibC.EINTR)
            {
                continue;
            }

            if (n == 0 || errno == RelayNative.EAGAIN)
            {
                break;
            }

            return -1;
        }

        return done;
    }

    public void Dispose()
    {
        if (_ownsFd && _fd >= 0)
        {
            LibC.close(_fd);
        }

        _fd = -1;
    }
}
