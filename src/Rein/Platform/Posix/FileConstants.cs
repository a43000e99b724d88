using System.Runtime.InteropServices;
using Rein.Platform.MacOS;

namespace Rein.Platform.Posix;

/// <summary>
/// The open(2) flags, errno values, file-type bits and statx(2) arguments the state files use (Config.StateFile,
/// Config.FileStatus), each with its value on the running OS and architecture. [AppleMacro] values are checked
/// against Apple's headers (tests/Rein.Tests/Platform/Apple).
/// </summary>
internal static class FileConstants
{
    static bool Mac => OperatingSystem.IsMacOS();

    static bool Arm64 => RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    // fcntl.h. Linux: x86_64 (and the asm-generic table) differ from arm64 for O_NOFOLLOW/O_DIRECTORY, which
    // arm64 takes from the old ARM numbering (asm/fcntl.h). macOS: sys/fcntl.h.
    [AppleMacro]
    public const int O_RDONLY = 0;

    [AppleMacro]
    public const int O_WRONLY = 1;

    [AppleMacro]
    public const int O_RDWR = 2;
    public static int O_CREAT => Mac ? Darwin.O_CREAT : 0x40;
    public static int O_EXCL => Mac ? Darwin.O_EXCL : 0x80;
    public static int O_APPEND => Mac ? Darwin.O_APPEND : 0x400;
    public static int O_NONBLOCK => Mac ? Darwin.O_NONBLOCK : 0x800;
    public static int O_NOFOLLOW =>
        Mac ? Darwin.O_NOFOLLOW
        : Arm64 ? 0x8000
        : 0x20000;
    public static int O_DIRECTORY =>
        Mac ? Darwin.O_DIRECTORY
        : Arm64 ? 0x4000
        : 0x10000;

    [AppleMacro]
    public const int ENOENT = 2;

    [AppleMacro]
    public const int ENOSPC = 28;
    public static int ELOOP => Mac ? Darwin.ELOOP : 40;

    /// <summary>fallocate(2) (Linux): reserve blocks without changing the file's size.</summary>
    public const int FALLOC_FL_KEEP_SIZE = 1;

    // sys/stat.h: the file-type bits of st_mode (the same on Linux).
    [AppleMacro("S_IFMT")]
    public const uint TypeMask = 0xF000;

    [AppleMacro]
    public const uint S_IFDIR = 0x4000;

    [AppleMacro]
    public const uint S_IFREG = 0x8000;

    [AppleMacro]
    public const uint S_IFLNK = 0xA000;

    // statx(2) (Linux).
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE_MODE_UID = 0x1 | 0x2 | 0x8 | 0x100; // STATX_TYPE | STATX_MODE | STATX_UID | STATX_INO
}
