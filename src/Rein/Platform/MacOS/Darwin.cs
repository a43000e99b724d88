namespace Rein.Platform.MacOS;

/// <summary>
/// macOS values of the C constants whose Linux values differ, each named exactly like its macro. Code that runs on
/// both systems writes <c>OperatingSystem.IsMacOS() ? Darwin.X : linuxValue</c>; no macOS number is written
/// anywhere else (a test rejects a literal after IsMacOS()). The test suite checks every field here against
/// Apple's headers with Zig's C compiler, for aarch64-macos and x86_64-macos (tests/Rein.Tests/Platform/Apple).
/// </summary>
[AppleMacro]
internal static class Darwin
{
    // sys/signal.h
    public const int SIGUSR1 = 30;
    public const int SIGUSR2 = 31;
    public const int SIGCONT = 19;
    public const int SIGSTOP = 17;
    public const int SIGTSTP = 18;
    public const int NSIG = 32;
    public const int SIG_UNBLOCK = 2;

    // sys/errno.h
    public const int EAGAIN = 35;
    public const int ELOOP = 62;

    // sys/fcntl.h
    public const int O_NONBLOCK = 0x4;
    public const int O_APPEND = 0x8;
    public const int O_NOFOLLOW = 0x100;
    public const int O_CREAT = 0x200;
    public const int O_TRUNC = 0x400;
    public const int O_EXCL = 0x800;
    public const int O_NOCTTY = 0x20000;
    public const int O_DIRECTORY = 0x100000;
    public const int O_CLOEXEC = 0x1000000;

    // sys/spawn.h (posix_spawnattr_setflags takes a short)
    public const short POSIX_SPAWN_SETSID = 0x0400;
    public const short POSIX_SPAWN_CLOEXEC_DEFAULT = 0x4000;

    // sys/socket.h
    public const int SOL_SOCKET = 0xffff;
    public const int SO_TYPE = 0x1008;
    public const int MSG_DONTWAIT = 0x80;

    // sys/syslimits.h
    public const int PIPE_BUF = 512;
    public const int ARG_MAX = 1024 * 1024;
}
