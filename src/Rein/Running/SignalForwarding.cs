using System.Runtime.InteropServices;
using Rein.Platform.Posix;

namespace Rein.Running;

/// <summary>
/// Routes the signals a host process receives to a <see cref="Guard"/>, for any host (the CLI, a .NET program):
/// SIGINT/TERM/HUP/QUIT stop the run, USR1/USR2/ALRM/PIPE are passed on to the command, Ctrl-Z suspends the
/// command with the host and SIGCONT resumes it. .NET 10 has no default SIGTERM handler, so without this a
/// SIGTERM would end the host and leave the shim to SIGKILL the tree with no grace.
/// </summary>
public sealed class SignalForwarding : IDisposable
{
    readonly List<PosixSignalRegistration> _registrations = [];

    public SignalForwarding(Guard guard)
    {
        // Terminating signals stop the run (TERM → grace → KILL); USR1, USR2, ALRM and PIPE are passed on to the
        // command, which decides (timeout(1) forwards them too). Raw numbers: PosixSignal names only a few.
        foreach (
            var (signal, number) in new[]
            {
                (PosixSignal.SIGINT, 2),
                (PosixSignal.SIGTERM, 15),
                (PosixSignal.SIGHUP, 1),
                (PosixSignal.SIGQUIT, 3),
                ((PosixSignal)LibC.SIGUSR1, LibC.SIGUSR1),
                ((PosixSignal)LibC.SIGUSR2, LibC.SIGUSR2),
                ((PosixSignal)LibC.SIGALRM, LibC.SIGALRM),
                ((PosixSignal)LibC.SIGPIPE, LibC.SIGPIPE),
            }
        )
        {
            _registrations.Add(
                PosixSignalRegistration.Create(
                    signal,
                    ctx =>
                    {
                        ctx.Cancel = true;
                        guard.Interrupt(number);
                    }
                )
            );
        }

        // Ctrl-Z: stop the command's group, then Rein itself. SIGSTOP rather than the default action, which the
        // kernel discards in an orphaned process group; the shell still sees the job stop. fg/bg: continue it.
        _registrations.Add(
            PosixSignalRegistration.Create(
                PosixSignal.SIGTSTP,
                ctx =>
                {
                    ctx.Cancel = true;
                    guard.Suspend();
                    LibC.kill(Environment.ProcessId, LibC.SIGSTOP);
                }
            )
        );
        _registrations.Add(
            PosixSignalRegistration.Create(PosixSignal.SIGCONT, _ => guard.Resume())
        );
        RelaySigpipe(guard);
    }

    int _sigpipeWrite = -1;

    /// <summary>The runtime keeps SIGPIPE ignored (the registration above never fires): in the rein binary a small C
    /// handler writes a SIGPIPE sent by another process to a pipe, read here and passed on like USR1.</summary>
    unsafe void RelaySigpipe(Guard guard)
    {
        if (!Processes.Shim.NativePart.Present)
        {
            return;
        }

        var (read, write) = LibC.CloexecPipe();
        LibC.SetNonBlocking(write);
        if (!Processes.Shim.NativePart.RelaySigpipe(write))
        {
            LibC.close(read);
            LibC.close(write);
            return;
        }

        _sigpipeWrite = write;
        var reader = new Thread(() =>
        {
            var buf = stackalloc byte[16];
            while (true)
            {
                var n = LibC.read(read, buf, 16);
                if (n < 0 && LibC.Errno == LibC.EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    break; // the write end closed: forwarding is over
                }

                for (var i = 0; i < n; i++)
                {
                    guard.Interrupt(buf[i]);
                }
            }

            LibC.close(read);
        })
        {
            IsBackground = true,
            Name = "rein sigpipe relay",
        };
        reader.Start();
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        if (_sigpipeWrite >= 0)
        {
            Processes.Shim.NativePart.RelaySigpipe(-1);
            LibC.close(_sigpipeWrite);
            _sigpipeWrite = -1;
        }
    }
}

/// <summary>While admission waits (for a lock, memory, cadence), SIGINT/TERM/HUP/QUIT end the wait: admission
/// returns the refusal <c>interrupted</c> (journaled) and the host exits 128+N, instead of dying mid-wait with its
/// waiter record left behind.</summary>
public sealed class AdmissionSignals : IDisposable
{
    readonly List<PosixSignalRegistration> _registrations = [];
    readonly CancellationTokenSource _cancel;

    public AdmissionSignals(CancellationToken outer)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(outer);
        foreach (
            var (signal, number) in new[]
            {
                (PosixSignal.SIGINT, 2),
                (PosixSignal.SIGTERM, 15),
                (PosixSignal.SIGHUP, 1),
                (PosixSignal.SIGQUIT, 3),
            }
        )
        {
            _registrations.Add(
                PosixSignalRegistration.Create(
                    signal,
                    ctx =>
                    {
                        ctx.Cancel = true;
                        Received ??= number;
                        _cancel.Cancel();
                    }
                )
            );
        }
    }

    /// <summary>Cancelled by the host's token or a terminating signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The first terminating signal received, if any.</summary>
    public int? Received { get; private set; }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _cancel.Dispose();
    }
}
