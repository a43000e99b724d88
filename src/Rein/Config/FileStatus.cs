using System.Runtime.InteropServices;
using Rein.Platform.Linux;
using Rein.Platform.MacOS;
using Rein.Platform.Posix;
using static Rein.Platform.Posix.FileConstants;

namespace Rein.Config;

/// <summary>The part of stat(2) that decides whether a file may be trusted: its type, permission bits and owner.
/// .NET exposes the mode but not the owner, so this reads both: statx(2) on Linux (one layout on every
/// architecture, unlike struct stat), stat/lstat/fstat on macOS.</summary>
internal readonly unsafe partial record struct FileStatus(uint Uid, uint RawMode)
{
    /// <summary>The inode number (Linux statx only; 0 elsewhere): with <see cref="DeviceMajor"/> and
    /// <see cref="DeviceMinor"/>, how /proc/locks names a file.</summary>
    public ulong Inode { get; init; }

    /// <summary>The device the file lives on (Linux statx only; 0 elsewhere).</summary>
    public uint DeviceMajor { get; init; }

    public uint DeviceMinor { get; init; }

    public bool IsDirectory => (RawMode & TypeMask) == S_IFDIR;

    public bool IsRegularFile => (RawMode & TypeMask) == S_IFREG;

    public bool IsSymbolicLink => (RawMode & TypeMask) == S_IFLNK;

    /// <summary>The permission bits (0777 and setuid/setgid/sticky).</summary>
    public UnixFileMode Mode => (UnixFileMode)(RawMode & 0xFFF);

    /// <summary>Group or other users may read, write or enter it.</summary>
    public bool OpenToOthers => (RawMode & 0x3F) != 0;

    /// <summary>Group or other users may write it.</summary>
    public bool WritableByOthers => (RawMode & 0x12) != 0; // S_IWGRP | S_IWOTH

    /// <summary>The mode as ls and chmod write it (0755).</summary>
    public string Octal => "0" + Convert.ToString(RawMode & 0xFFF, 8);

    /// <summary>The status of <paramref name="path"/>; a symbolic link itself unless <paramref name="follow"/>.
    /// Null when it does not exist (or cannot be examined).</summary>
    public static FileStatus? Of(string path, bool follow)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return OperatingSystem.IsLinux()
                ? Linux(p, -1, follow ? 0 : AT_SYMLINK_NOFOLLOW)
                : Mac(follow ? 0 : 1, p, -1);
        }
    }

    /// <summary>The status of an open descriptor.</summary>
    public static FileStatus? OfDescriptor(int fd)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Mac(2, null, fd);
        }

        byte empty = 0;
        return Linux(&empty, fd, AT_EMPTY_PATH);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    static FileStatus? Linux(byte* path, int fd, int flags)
    {
        // struct statx (linux/stat.h) is 256 bytes, the same on every architecture: stx_uid at 20, stx_mode at 28,
        // stx_ino at 32, stx_dev_major at 136 and stx_dev_minor at 140 (offsetof, checked with gcc).
        var buffer = stackalloc byte[256];
        var rc = LinuxLibC.Statx(fd >= 0 ? fd : AT_FDCWD, path, flags, STATX_TYPE_MODE_UID, buffer);
        return rc != 0
            ? null
            : new FileStatus(*(uint*)(buffer + 20), *(ushort*)(buffer + 28))
            {
                Inode = *(ulong*)(buffer + 32),
                DeviceMajor = *(uint*)(buffer + 136),
                DeviceMinor = *(uint*)(buffer + 140),
            };
    }

    static FileStatus? Mac(int which, byte* path, int fd)
    {
        // The plain entry points on both architectures, so the link (DirectPInvoke) never needs the x86_64-only
        // $INODE64 symbols; DarwinStat knows both layouts.
        var buffer = stackalloc byte[DarwinStat.BufferSize];
        var rc = which switch
        {
            0 => FileCalls.stat(path, buffer),
            1 => FileCalls.lstat(path, buffer),
            _ => FileCalls.fstat(fd, buffer),
        };
        if (rc != 0)
        {
            return null;
        }

        var (uid, mode) = DarwinStat.OwnerAndMode(buffer);
        return new FileStatus(uid, mode);
    }
}
