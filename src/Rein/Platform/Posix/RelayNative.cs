using System.Runtime.InteropServices;
using Rein.Platform.MacOS;

namespace Rein.Platform.Posix;

/// <summary>
/// The libc entry points only the output relay needs (terminals, pseudo-terminals, per-call non-blocking
/// writes). The variadic ones (open, ioctl) go through <see cref="Platform.Descriptors"/>: on macOS arm64 a
/// variadic argument goes on the stack, so no fixed-arity declaration of them may exist here.
/// </summary>
internal static unsafe partial class RelayNative
{
    const string Lib = "libc";

    [AppleMacro]
    public const int O_WRONLY = 1;

    [AppleMacro]
    public const int O_RDWR = 2;

    public static int O_NOCTTY => OperatingSystem.IsMacOS() ? Darwin.O_NOCTTY : 0x100;

    public static int O_NONBLOCK => OperatingSystem.IsMacOS() ? Darwin.O_NONBLOCK : 0x800;

    public static int O_CLOEXEC => OperatingSystem.IsMacOS() ? Darwin.O_CLOEXEC : 0x80000;

    [AppleMacro]
    public const short POLLOUT = 0x4;

    [AppleMacro]
    public const short POLLNVAL = 0x20;

    [AppleMacro]
    public const int SEEK_CUR = 1;

    [AppleMacro]
    public const int EIO = 5;

    [AppleMacro]
    public const int EBADF = 9;

    // Linux errno values splice(2) uses to refuse a destination (only the Linux relay path asks).
    public const int EINVAL = 22;
    public const int ENOSYS = 38;
    public const int EOPNOTSUPP = 95;

    public static int EAGAIN => OperatingSystem.IsMacOS() ? Darwin.EAGAIN : 11;

    /// <summary>The largest write a pipe takes whole once poll says POLLOUT.</summary>
    public static int PipeBuf => OperatingSystem.IsMacOS() ? Darwin.PIPE_BUF : 4096;

    /// <summary>open(2) without O_CREAT.</summary>
    public static int Open(string path, int flags) => Platform.Descriptors.Open(path, flags);

    [LibraryImport(Lib)]
    public static partial int isatty(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int grantpt(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int unlockpt(int fd);

    [LibraryImport(Lib)]
    public static partial int ptsname_r(int fd, byte* buf, nuint len);

    [LibraryImport(Lib)]
    public static partial int ttyname_r(int fd, byte* buf, nuint len);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int tcsetattr(int fd, int optionalActions, byte* termios);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint send(int fd, byte* buf, nint count, int flags);

    /// <summary>Whether <paramref name="fd"/> is a socket (getsockopt answers only for sockets).</summary>
    public static bool IsSocket(int fd)
    {
        var solSocket = OperatingSystem.IsMacOS() ? Darwin.SOL_SOCKET : 1;
        var soType = OperatingSystem.IsMacOS() ? Darwin.SO_TYPE : 3;
        int type;
        var length = (uint)sizeof(int);
        return getsockopt(fd, solSocket, soType, &type, &length) == 0;
    }

    /// <summary>send(2) flags that make one call non-blocking and keep SIGPIPE away.</summary>
    public static int SendDontWait =>
        OperatingSystem.IsMacOS() ? Darwin.MSG_DONTWAIT : 0x40 | 0x4000;

    /// <summary>The terminal's device path, or null when <paramref name="fd"/> is no terminal.</summary>
    public static string? TtyName(int fd)
    {
        var buf = stackalloc byte[256];
        return ttyname_r(fd, buf, 256) == 0 ? Marshal.PtrToStringUTF8((nint)buf) : null;
    }

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int fstat(int fd, byte* buffer);

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> are the same file (same device and inode):
    /// `2>&amp;1` into a pipe, a file or a socket. False when either cannot be examined.</summary>
    public static bool SameFile(int a, int b) =>
        Identity(a) is { } x && Identity(b) is { } y && x == y;

    static (ulong Dev, ulong Ino)? Identity(int fd)
    {
        var buffer = stackalloc byte[Math.Max(256, DarwinStat.BufferSize)]; // struct statx is 256 bytes
        if (OperatingSystem.IsLinux())
        {
            // struct statx: stx_ino at 32, stx_dev_major at 136, stx_dev_minor at 140 (one layout everywhere).
            const int AT_EMPTY_PATH = 0x1000;
            const uint STATX_INO = 0x100;
            byte empty = 0;
            return Platform.Linux.LinuxLibC.Statx(fd, &empty, AT_EMPTY_PATH, STATX_INO, buffer) != 0
                ? null
                : (
                    ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140),
                    *(ulong*)(buffer + 32)
                );
        }

        // macOS: the layout of the plain fstat's struct stat (DarwinStat, checked against sys/stat.h).
        return fstat(fd, buffer) != 0 ? null : DarwinStat.DeviceAndInode(buffer);
    }
}
