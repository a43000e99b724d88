using System.Globalization;
using Rein.Platform;

namespace Rein.Locking;

/// <summary>A file as /proc/locks names it: device (major, minor) and inode. An inode alone is not enough: two
/// filesystems (the state directory on one, a bind mount or tmpfs on another) reuse inode numbers.</summary>
internal readonly record struct LockedFile(uint Major, uint Minor, ulong Inode);

/// <summary>The granted FLOCK locks of the machine, from /proc/locks (Linux): how lock status is read without
/// taking the lock, even for a moment.</summary>
internal static class ProcLocks
{
    /// <summary>Files with a granted FLOCK; null where /proc/locks cannot be read (macOS).</summary>
    public static HashSet<LockedFile>? Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return ProcFile.ReadText("/proc/locks") is { } text ? Flocks(text) : null;
    }

    /// <summary>Pure: "1: FLOCK  ADVISORY  WRITE 4242 00:2d:1234567 0 EOF" lines (major and minor in hex, the
    /// inode in decimal); a waiter's line ("1: -> FLOCK …") is a request, not a lock, and is skipped.</summary>
    public static HashSet<LockedFile> Flocks(string text)
    {
        var files = new HashSet<LockedFile>();
        foreach (var line in text.Split('\n'))
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length >= 6 && w[1] == "FLOCK")
            {
                var id = w[5].Split(':');
                if (
                    id.Length == 3
                    && uint.TryParse(
                        id[0],
                        NumberStyles.HexNumber,
                        CultureInfo.InvariantCulture,
                        out var major
                    )
                    && uint.TryParse(
                        id[1],
                        NumberStyles.HexNumber,
                        CultureInfo.InvariantCulture,
                        out var minor
                    )
                    && ulong.TryParse(
                        id[2],
                        NumberStyles.None,
                        CultureInfo.InvariantCulture,
                        out var inode
                    )
                )
                {
                    files.Add(new LockedFile(major, minor, inode));
                }
            }
        }

        return files;
    }
}
