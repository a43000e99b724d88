using Rein.Platform;

namespace Rein.Locking;

/// <summary>Linux's table of file locks (<c>/proc/locks</c>, proc(5)): which inodes someone holds an flock(2) on,
/// read without touching the locks themselves.</summary>
internal static class ProcLocks
{
    /// <summary>Inodes with a granted FLOCK; null where /proc/locks cannot be read (macOS).</summary>
    public static HashSet<ulong>? Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return ProcFile.ReadText("/proc/locks") is { } text ? FlockInodes(text) : null;
    }

    /// <summary>Pure: "1: FLOCK  ADVISORY  WRITE 4242 00:2d:1234567 0 EOF" lines; a waiter's line ("1: -> FLOCK …")
    /// is a request, not a lock, and is skipped.</summary>
    public static HashSet<ulong> FlockInodes(string text)
    {
        var inodes = new HashSet<ulong>();
        foreach (var line in text.Split('\n'))
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length >= 6 && w[1] == "FLOCK")
            {
                var id = w[5].Split(':');
                if (id.Length == 3 && ulong.TryParse(id[2], out var inode))
                {
                    inodes.Add(inode);
                }
            }
        }

        return inodes;
    }
}
