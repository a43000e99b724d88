using System.Runtime.InteropServices;
using Rein.Platform.Posix;
using static Rein.Platform.Posix.TermiosConstants;

namespace Rein.Running;

/// <summary>
/// A pseudo-terminal for the command's terminal-bound output: the command writes to the slave (so isatty() is
/// true and its output is line-buffered, as it would be on the user's terminal) and Rein reads the master.
/// <para>
/// Output post-processing (OPOST, so ONLCR's \n → \r\n) is turned off on the slave: the bytes arrive unchanged
/// and the user's real terminal applies its own settings once, so the screen shows exactly what it would without
/// Rein (with ONLCR on both, every newline would reach the terminal as \r\r\n).
/// </para>
/// <para>
/// The slave is not made the command's controlling terminal: the command runs in its own session and
/// posix_spawn cannot attach one (TIOCSCTTY); isatty() is what decides buffering and colour.
/// </para>
/// </summary>
internal sealed unsafe class Pty : IDisposable
{
    readonly Lock _sync = new();
    int _master;
    int _slave;

    Pty(int master, int slave)
    {
        _master = master;
        _slave = slave;
    }

    /// <summary>The end Rein reads: close-on-exec, never given to the command.</summary>
    public int Master => _master;

    /// <summary>The end the command writes to (dup2'd onto its stdout and/or stderr).</summary>
    public int Slave => _slave;

    /// <summary>A new pseudo-terminal sized like <paramref name="terminal"/>, or null when the system has none
    /// to give (no /dev/ptmx, e.g. a container without devpts): the relay then uses a pipe.</summary>
    public static Pty? TryOpen(int terminal)
    {
        // posix_openpt(3) is open("/dev/ptmx") on Linux and macOS; opening it directly also sets close-on-exec
        // atomically.
        var master = RelayNative.Open(
            "/dev/ptmx",
            RelayNative.O_RDWR | RelayNative.O_NOCTTY | RelayNative.O_CLOEXEC
        );
        if (master < 0)
        {
            return null;
        }

        var name = stackalloc byte[256];
        if (
            RelayNative.grantpt(master) != 0
            || RelayNative.unlockpt(master) != 0
            || RelayNative.ptsname_r(master, name, 256) != 0
        )
        {
            LibC.close(master);
            return null;
        }

        var slave = RelayNative.Open(
            Marshal.PtrToStringUTF8((nint)name)!,
            RelayNative.O_RDWR | RelayNative.O_NOCTTY | RelayNative.O_CLOEXEC
        );
        if (slave < 0)
        {
            LibC.close(master);
            return null;
        }

        DisableOutputProcessing(slave);
        var pty = new Pty(master, slave);
        pty.CopyWindowSize(terminal);
        return pty;
    }

    static void DisableOutputProcessing(int slave)
    {
        var termios = stackalloc byte[TermiosBytes];
        if (RelayNative.tcgetattr(slave, termios) != 0)
        {
            return;
        }

        if (OperatingSystem.IsMacOS())
        {
            *(ulong*)(termios + MacOflagOffset) &= ~(ulong)OPOST;
        }
        else
        {
            ((uint*)termios)[1] &= ~(uint)OPOST;
        }

        RelayNative.tcsetattr(slave, TCSANOW, termios);
    }

    /// <summary>Gives the pseudo-terminal the window size of <paramref name="terminal"/> (at the start and on
    /// SIGWINCH), so programs lay out their output for the user's real width.</summary>
    public void CopyWindowSize(int terminal)
    {
        lock (_sync)
        {
            if (_master >= 0)
            {
                Platform.Descriptors.CopyWindowSize(terminal, _master);
            }
        }
    }

    /// <summary>After the spawn: the command holds the slave now; Rein's copy would keep the master from ever
    /// seeing the end of the output.</summary>
    public void CloseSlave()
    {
        if (_slave >= 0)
        {
            LibC.close(_slave);
            _slave = -1;
        }
    }

    /// <summary>Closes both ends; the master under the lock a concurrent SIGWINCH takes, so a resize never
    /// reaches a reused fd number.</summary>
    public void Dispose()
    {
        CloseSlave();
        lock (_sync)
        {
            if (_master >= 0)
            {
                LibC.close(_master);
                _master = -1;
            }
        }
    }
}
