using System.Globalization;
using System.Text;
using Rein.Platform.Posix;

namespace Rein.Forensics.Classification;

/// <summary>
/// The kernel's log since a moment, from <c>/dev/kmsg</c> on Linux (one record per read, non-blocking), for the OOM
/// killer's and segfault lines about a run's processes. Where it is not readable (<c>kernel.dmesg_restrict</c> for a
/// non-root user, a container, macOS), empty: the classifier then goes by the exit and the output alone.
/// </summary>
internal static unsafe class KernelLog
{
    /// <summary>At most this many records are read: the ring buffer is usually far smaller; this bounds the cost.</summary>
    const int MaxRecords = 20_000;

    const int EPIPE_LINUX = 32;

    /// <summary>Records' times and the run's start are taken from slightly different monotonic clocks.</summary>
    static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    /// <summary>Messages logged since <paramref name="sinceBoot"/> (time since boot, on the monotonic clock).</summary>
    public static IReadOnlyList<string> Since(TimeSpan sinceBoot)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var fd = Platform.Descriptors.Open(
            "/dev/kmsg",
            Platform.Posix.RelayNative.O_NONBLOCK | LibC.O_CLOEXEC
        );
        if (fd < 0)
        {
            return [];
        }

        var lines = new List<string>();
        var from = (long)(sinceBoot - Slack).TotalMicroseconds;
        try
        {
            var buffer = stackalloc byte[8192];
            for (var k = 0; k < MaxRecords; k++)
            {
                var n = LibC.read(fd, buffer, 8192);
                if (n < 0 && LibC.Errno == EPIPE_LINUX)
                {
                    continue; // the record was overwritten while we read: take the next one
                }

                if (n <= 0)
                {
                    break; // EAGAIN: nothing more; or not permitted
                }

                if (
                    Parse(new ReadOnlySpan<byte>(buffer, (int)n)) is { } record
                    && record.Usec >= from
                )
                {
                    lines.Add(record.Message);
                }
            }
        }
        finally
        {
            LibC.close(fd);
        }

        return lines;
    }

    /// <summary>A <c>/dev/kmsg</c> record: <c>PRIO,SEQ,USEC,FLAGS[,…];MESSAGE</c> then continuation lines.</summary>
    internal static (long Usec, string Message)? Parse(ReadOnlySpan<byte> record)
    {
        var text = Encoding.UTF8.GetString(record);
        var semi = text.IndexOf(';', StringComparison.Ordinal);
        if (semi < 0)
        {
            return null;
        }

        var header = text[..semi].Split(',');
        if (
            header.Length < 3
            || !long.TryParse(
                header[2],
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var usec
            )
        )
        {
            return null;
        }

        var message = text[(semi + 1)..];
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return (usec, end < 0 ? message : message[..end]);
    }
}
