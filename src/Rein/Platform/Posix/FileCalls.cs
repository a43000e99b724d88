using System.Runtime.InteropServices;

namespace Rein.Platform.Posix;

/// <summary>File system calls .NET does not expose in the form rein needs: positioned reads that report errno,
/// fchmod on an open descriptor, fsync that reports errno, and the plain stat family (macOS's struct stat is read
/// through <see cref="MacOS.DarwinStat"/>).</summary>
internal static unsafe partial class FileCalls
{
    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint pread(int fd, byte* buf, nint count, long offset);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fchmod(int fd, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int stat(byte* path, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int lstat(byte* path, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fstat(int fd, byte* buffer);
}
