using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rein.Platform.Posix;

namespace Rein.Cadence;

/// <summary>
/// Calls <c>beat</c> every period until disposed. On the system clock it runs on a plain native thread that sleeps
/// in poll(2) on a pipe: starting a managed thread (or the runtime's first timer) waits for the new thread to be
/// scheduled — 0.5 ms and more on a busy machine, paid by every <c>rein run --model</c> before its spawn — while
/// pthread_create returns at once and the thread joins the runtime only at its first beat. Closing the pipe ends it.
/// On any other clock (a test's FakeTimeProvider), that clock's timer.
/// </summary>
internal sealed unsafe partial class Heartbeat : IDisposable
{
    readonly ITimer? _timer;
    readonly Action _beat;
    readonly Lock _beating = new();
    bool _stopped;
    readonly int _periodMs;
    int _stopFd = -1;

    public Heartbeat(TimeProvider time, TimeSpan period, Action beat)
    {
        _beat = beat;
        _periodMs = (int)Math.Clamp(period.TotalMilliseconds, 1, int.MaxValue);
        if (time != TimeProvider.System)
        {
            _timer = time.CreateTimer(_ => Beat(), null, period, period);
            return;
        }

        var (read, write) = LibC.CloexecPipe();
        var self = GCHandle.Alloc(new Ticker(this, read));
        nint thread;
        if (PosixThreads.pthread_create(&thread, 0, &Run, GCHandle.ToIntPtr(self)) != 0)
        {
            // No thread, no beats: a vanished run then counts as released at its start. The run goes on.
            self.Free();
            LibC.close(read);
            LibC.close(write);
            return;
        }

        PosixThreads.pthread_detach(thread);
        _stopFd = write;
    }

    sealed record Ticker(Heartbeat Owner, int StopFd);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static nint Run(nint state)
    {
        var handle = GCHandle.FromIntPtr(state);
        var ticker = (Ticker)handle.Target!;
        var fd = new LibC.PollFd { Fd = ticker.StopFd, Events = LibC.POLLIN };
        try
        {
            // Timeout: beat. Readable or hung up (the write end closed): stop.
            while (
                LibC.poll(&fd, 1, ticker.Owner._periodMs) is var n
                && (n == 0 || (n < 0 && LibC.Errno == LibC.EINTR))
            )
            {
                if (n == 0)
                {
                    ticker.Owner.Beat();
                }
            }
        }
        catch (Exception)
        {
            // Nothing may escape into native code; a beat that failed is a beat missed.
        }
        finally
        {
            LibC.close(ticker.StopFd);
            handle.Free();
        }

        return 0;
    }

    /// <summary>One beat, unless stopped; <see cref="Dispose"/> waits for a beat under way, so that once it returns
    /// nothing writes any more (the release that follows is the last word, and rein may exit at once).</summary>
    void Beat()
    {
        lock (_beating)
        {
            if (!_stopped)
            {
                _beat();
            }
        }
    }

    public void Dispose()
    {
        lock (_beating)
        {
            _stopped = true;
        }

        _timer?.Dispose();
        var fd = Interlocked.Exchange(ref _stopFd, -1);
        if (fd >= 0)
        {
            LibC.close(fd);
        }
    }
}
