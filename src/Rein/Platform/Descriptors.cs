using System.Runtime.InteropServices;
using System.Text;
using Rein.Platform.Linux;

namespace Rein.Platform;

/// <summary>
/// open(2), fcntl(2) and ioctl(2) for managed code, without ever declaring a variadic C function with a fixed
/// argument list: on Apple arm64 a variadic argument is passed on the stack, so such a declaration passes garbage
/// there (random file modes, FD_CLOEXEC or O_NONBLOCK never set). The calls go through small non-variadic C
/// functions (src/native/fdio.c), linked into the NativeAOT binary and built as <c>libreinnative</c> beside other
/// hosts. A Linux host without that library falls back to direct imports, which are correct on Linux (variadic
/// arguments travel like named ones there); macOS has no such fallback.
/// </summary>
internal static unsafe partial class Descriptors
{
    const string Lib = "reinnative";

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int rein_open(byte* path, int flags, int mode);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int rein_set_cloexec(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int rein_set_nonblock(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int rein_get_cloexec(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int rein_get_nonblock(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int rein_pipe_cloexec(int* fds);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int rein_copy_winsize(int from, int to);

    static readonly Lazy<bool> s_native = new(() =>
    {
        try
        {
            return rein_get_cloexec(-1) == -1; // EBADF: the call went through
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    /// <summary>The C doors are loaded (always in the NativeAOT binary; with libreinnative beside other hosts).</summary>
    public static bool NativeDoors => s_native.Value;

    /// <summary>open(2) with the platform's flags (O_CLOEXEC is the caller's to add); -1 and errno on failure.</summary>
    public static int Open(string path, int flags, int mode = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            if (NativeDoors)
            {
                return rein_open(p, flags, mode);
            }

            return OperatingSystem.IsLinux() ? LinuxLibC.Open(p, flags, mode) : throw Missing();
        }
    }

    /// <summary>Sets FD_CLOEXEC. False on error.</summary>
    public static bool SetCloseOnExec(int fd)
    {
        if (NativeDoors)
        {
            return rein_set_cloexec(fd) == 0;
        }

        return OperatingSystem.IsLinux() ? LinuxLibC.SetCloseOnExec(fd) : throw Missing();
    }

    /// <summary>Sets O_NONBLOCK. False on error.</summary>
    public static bool SetNonBlocking(int fd)
    {
        if (NativeDoors)
        {
            return rein_set_nonblock(fd) == 0;
        }

        return OperatingSystem.IsLinux() ? LinuxLibC.SetNonBlocking(fd) : throw Missing();
    }

    /// <summary>Whether FD_CLOEXEC is set (null: not an open descriptor).</summary>
    public static bool? IsCloseOnExec(int fd) =>
        NativeDoors ? Flag(rein_get_cloexec(fd))
        : OperatingSystem.IsLinux() ? Flag(LinuxLibC.GetCloseOnExec(fd))
        : throw Missing();

    /// <summary>Whether O_NONBLOCK is set (null: not an open descriptor).</summary>
    public static bool? IsNonBlocking(int fd) =>
        NativeDoors ? Flag(rein_get_nonblock(fd))
        : OperatingSystem.IsLinux() ? Flag(LinuxLibC.GetNonBlocking(fd))
        : throw Missing();

    /// <summary>A pipe whose two ends are close-on-exec. False and errno on failure.</summary>
    public static bool PipeCloseOnExec(int* fds)
    {
        if (NativeDoors)
        {
            return rein_pipe_cloexec(fds) == 0;
        }

        return OperatingSystem.IsLinux() ? LinuxLibC.PipeCloseOnExec(fds) : throw Missing();
    }

    /// <summary>Gives the terminal <paramref name="to"/> the window size of <paramref name="from"/>. Best effort.</summary>
    public static bool CopyWindowSize(int from, int to)
    {
        if (NativeDoors)
        {
            return rein_copy_winsize(from, to) == 0;
        }

        return OperatingSystem.IsLinux() && LinuxLibC.CopyWindowSize(from, to);
    }

    static bool? Flag(int value) => value < 0 ? null : value == 1;

    static DllNotFoundException Missing() =>
        new(
            $"rein's native part ({(OperatingSystem.IsMacOS() ? "libreinnative.dylib" : "libreinnative.so")}) is not beside {AppContext.BaseDirectory}: build it with cc -O2 -fPIC -shared from src/native/fdio.c (docs/manual/platforms.md)"
        );
}
