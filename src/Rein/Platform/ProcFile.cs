using System.Text;
using Rein.Platform.Posix;

namespace Rein.Platform;

/// <summary>
/// Reads a small kernel or state file (/proc, /sys, /proc/self/...) with plain open/read/close. .NET's File APIs
/// (File.ReadAllText, FileStream, and File.OpenHandle too) emulate FileShare with an fstat and a flock(2) pair
/// around every open: three extra system calls per file, which is most of the cost of reading /proc/PID/stat, and
/// an flock on a file someone else holds LOCK_EX on fails. Unreadable (gone, not ours, no such file): null.
/// </summary>
internal static unsafe class ProcFile
{
    const int First = 4096;

    [ThreadStatic]
    static byte[]? t_buffer;

    /// <summary>The whole file (at most <paramref name="max"/> bytes), or null when it cannot be opened or read.</summary>
    public static byte[]? ReadBytes(string path, int max = 16 << 20) =>
        Read(path, max) is { } n ? t_buffer.AsSpan(0, n).ToArray() : null;

    /// <summary>The whole file as UTF-8 text, or null when it cannot be opened or read.</summary>
    public static string? ReadText(string path, int max = 16 << 20) =>
        Read(path, max) is { } n ? Encoding.UTF8.GetString(t_buffer.AsSpan(0, n)) : null;

    /// <summary>Reads the file into this thread's buffer; its length, or null.</summary>
    static int? Read(string path, int max)
    {
        var fd = Descriptors.Open(path, LibC.O_CLOEXEC);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            var buf = t_buffer ??= new byte[First];
            var total = 0;
            while (total < max)
            {
                if (total == buf.Length)
                {
                    Array.Resize(ref buf, (int)Math.Min((long)buf.Length * 2, max));
                    t_buffer = buf;
                }

                nint n;
                fixed (byte* p = buf)
                {
                    n = LibC.read(fd, p + total, Math.Min(buf.Length, max) - total);
                }

                if (n < 0 && LibC.Errno == LibC.EINTR)
                {
                    continue;
                }

                if (n < 0)
                {
                    return null; // ESRCH: the process ended between the open and the read
                }

                if (n == 0)
                {
                    break;
                }

                total += (int)n;
            }

            return total;
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Whether <paramref name="path"/> can be opened for reading (without reading it).</summary>
    public static bool Exists(string path)
    {
        var fd = Descriptors.Open(path, LibC.O_CLOEXEC);
        if (fd < 0)
        {
            return false;
        }

        LibC.close(fd);
        return true;
    }
}
