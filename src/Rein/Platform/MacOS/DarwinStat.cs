using System.Runtime.InteropServices;

namespace Rein.Platform.MacOS;

/// <summary>
/// Where rein finds st_dev, st_ino, st_mode and st_uid in the <c>struct stat</c> that macOS's plain stat, lstat and
/// fstat fill (sys/stat.h). arm64 has only the 64-bit-inode layout. On x86_64 the plain symbols (what a P/Invoke
/// of "stat" binds; the $INODE64 variants are never named) keep the old layout with a 32-bit inode: the test suite
/// checks those offsets against the header compiled with _DARWIN_NO_64_BIT_INODE, which selects exactly that.
/// </summary>
internal static class DarwinStat
{
    [AppleSize("struct stat", AtLeast = true)]
    public const int BufferSize = 256;

    [AppleOffset("struct stat", "st_dev", Width = 4, Arch = "arm64")]
    public const int Arm64Dev = 0;

    [AppleOffset("struct stat", "st_mode", Width = 2, Arch = "arm64")]
    public const int Arm64Mode = 4;

    [AppleOffset("struct stat", "st_ino", Width = 8, Arch = "arm64")]
    public const int Arm64Ino = 8;

    [AppleOffset("struct stat", "st_uid", Width = 4, Arch = "arm64")]
    public const int Arm64Uid = 16;

    [AppleOffset("struct stat", "st_dev", Width = 4, Arch = "x64")]
    public const int X64Dev = 0;

    [AppleOffset("struct stat", "st_ino", Width = 4, Arch = "x64")]
    public const int X64Ino = 4;

    [AppleOffset("struct stat", "st_mode", Width = 2, Arch = "x64")]
    public const int X64Mode = 8;

    [AppleOffset("struct stat", "st_uid", Width = 4, Arch = "x64")]
    public const int X64Uid = 12;

    static bool X64 => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>st_uid and st_mode of a filled buffer.</summary>
    public static unsafe (uint Uid, ushort Mode) OwnerAndMode(byte* stat) =>
        X64
            ? (*(uint*)(stat + X64Uid), *(ushort*)(stat + X64Mode))
            : (*(uint*)(stat + Arm64Uid), *(ushort*)(stat + Arm64Mode));

    /// <summary>st_dev and st_ino of a filled buffer.</summary>
    public static unsafe (ulong Dev, ulong Ino) DeviceAndInode(byte* stat) =>
        X64
            ? (*(uint*)(stat + X64Dev), *(uint*)(stat + X64Ino))
            : (*(uint*)(stat + Arm64Dev), *(ulong*)(stat + Arm64Ino));
}
