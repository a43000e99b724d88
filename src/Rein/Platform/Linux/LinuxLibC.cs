using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Rein.Platform.Linux;

/// <summary>
/// The only place Rein imports variadic C functions (open, fcntl, ioctl, prctl, syscall) with a fixed argument
/// list. That is correct on Linux, where a variadic argument is passed exactly like a named one, and wrong on
/// Apple arm64 (stack instead of register). Every member is Linux-only: the platform analyzer (CA1416, an error
/// here) refuses a call that is not guarded by <see cref="OperatingSystem.IsLinux"/>, and a unit test
/// (VariadicImportTests) refuses a variadic import anywhere else.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class LinuxLibC
{
    const string Lib = "libc";

    // asm-generic/fcntl.h (same on x86_64 and arm64 for these).
    const int F_GETFD = 1;
    const int F_SETFD = 2;
    const int F_GETFL = 3;
    const int F_SETFL = 4;
    const int FD_CLOEXEC = 1;
    const int O_NONBLOCK = 0x800;
    const int O_CLOEXEC = 0x80000;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true)]
    private static partial int open(byte* path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Lib, EntryPoint = "prctl", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint syscall(nint number, nint a1, nint a2, nint a3, nint a4, nint a5);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint syscall6(
        nint number,
        nint a1,
        nint a2,
        nint a3,
        nint a4,
        nint a5,
        nint a6
    );

    [LibraryImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    private static partial int pipe2(int* fds, int flags);

    public static int Open(byte* path, int flags, int mode) => open(path, flags, mode);

    public static bool SetCloseOnExec(int fd)
    {
        var f = fcntl(fd, F_GETFD, 0);
        return f >= 0 && fcntl(fd, F_SETFD, f | FD_CLOEXEC) == 0;
    }

    public static bool SetNonBlocking(int fd)
    {
        var f = fcntl(fd, F_GETFL, 0);
        return f >= 0 && fcntl(fd, F_SETFL, f | O_NONBLOCK) == 0;
    }

    public static int GetCloseOnExec(int fd)
    {
        var f = fcntl(fd, F_GETFD, 0);
        return f < 0 ? -1
            : (f & FD_CLOEXEC) != 0 ? 1
            : 0;
    }

    public static int GetNonBlocking(int fd)
    {
        var f = fcntl(fd, F_GETFL, 0);
        return f < 0 ? -1
            : (f & O_NONBLOCK) != 0 ? 1
            : 0;
    }

    public static bool PipeCloseOnExec(int* fds) => pipe2(fds, O_CLOEXEC) == 0;

    public static bool CopyWindowSize(int from, int to)
    {
        const nuint TIOCGWINSZ = 0x5413;
        const nuint TIOCSWINSZ = 0x5414;
        var size = stackalloc ushort[4]; // struct winsize: rows, cols, xpixel, ypixel
        return ioctl(from, TIOCGWINSZ, size) == 0 && ioctl(to, TIOCSWINSZ, size) == 0;
    }

    /// <summary>splice(2) without offsets (one side is a pipe): moves up to <paramref name="length"/> bytes from
    /// <paramref name="from"/> to <paramref name="to"/> inside the kernel. Through the raw system call: no glibc
    /// symbol the macOS link would lack.</summary>
    public static nint Splice(int from, int to, nint length, uint flags) =>
        syscall6(SyscallNumber(275, 76), from, 0, to, 0, length, (nint)flags);

    /// <summary>splice(2) flags: do not block on the pipes; move pages rather than copy where possible.</summary>
    public const uint SPLICE_F_MOVE = 1;
    public const uint SPLICE_F_NONBLOCK = 2;

    /// <summary>Bytes waiting in a pipe (FIONREAD, asm-generic and x86_64 alike); -1 on error.</summary>
    public static int BytesWaiting(int fd)
    {
        const nuint FIONREAD = 0x541B;
        int n;
        return ioctl(fd, FIONREAD, &n) == 0 ? n : -1;
    }

    /// <summary>F_SETPIPE_SZ: asks for a pipe buffer of <paramref name="bytes"/> (up to /proc/sys/fs/pipe-max-size for
    /// an unprivileged user). False when refused; the pipe keeps its size.</summary>
    public static bool GrowPipe(int fd, int bytes)
    {
        const int F_SETPIPE_SZ = 1031;
        return fcntl(fd, F_SETPIPE_SZ, bytes) >= 0;
    }

    /// <summary>prctl(PR_SET_DUMPABLE, 0): no core dump, no ptrace or /proc/PID/fd access by other processes of the user.</summary>
    public static bool SetNotDumpable()
    {
        const int PR_SET_DUMPABLE = 4;
        return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
    }

    /// <summary>pidfd_open(2): an fd that pins the process (close-on-exec by the kernel); -1 when unsupported.</summary>
    public static int PidfdOpen(int pid) => (int)syscall(SyscallNumber(434, 434), pid, 0, 0, 0, 0);

    /// <summary>pidfd_send_signal(2); -1 when unsupported.</summary>
    public static int PidfdSendSignal(int pidfd, int signal) =>
        (int)syscall(SyscallNumber(424, 424), pidfd, signal, 0, 0, 0);

    /// <summary>statx(2) into a 256-byte struct statx (linux/stat.h, one layout on every architecture).</summary>
    public static int Statx(int dirfd, byte* path, int flags, uint mask, byte* buffer) =>
        (int)syscall(SyscallNumber(332, 291), dirfd, (nint)path, flags, (nint)mask, (nint)buffer);

    /// <summary>fallocate(2) through the raw system call (no glibc symbol the macOS link would lack).</summary>
    public static bool Fallocate(int fd, int mode, long offset, long length) =>
        syscall(SyscallNumber(285, 47), fd, mode, (nint)offset, (nint)length, 0) == 0;

    /// <summary>x86_64 numbers differ from the generic table (arm64, riscv64, loongarch64).</summary>
    static nint SyscallNumber(nint x64, nint generic) =>
        RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => x64,
            Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => generic,
            _ => -1, // ENOSYS: callers treat it as "unsupported"
        };
}
