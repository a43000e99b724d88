using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Rein.Platform;
using Rein.Platform.MacOS;

namespace Rein.Journal;

/// <summary>Which boot of the machine this is, and which pid namespace the process lives in. A run recorded
/// under another boot id that never ended was ended by a reboot or crash of the machine; a run recorded in another
/// pid namespace (a container, <c>unshare -p</c>) has pids that mean nothing here.</summary>
/// <param name="PidNamespace">Linux: the inode of <c>/proc/self/ns/pid</c>; null where there is none (macOS) or
/// it cannot be read.</param>
public sealed record BootIdentity(
    string BootId,
    DateTimeOffset? BootTime,
    long? PidNamespace = null
)
{
    /// <summary>The current boot. In the test build only (<see cref="Running.TestHooks"/>), <c>REIN_BOOT_ID</c>
    /// overrides the id (tests simulate a reboot with it).</summary>
    public static BootIdentity Current(Func<string, string?> environment)
    {
#if REIN_TEST_HOOKS
        var overridden = environment("REIN_BOOT_ID");
#else
        string? overridden = null;
#endif
        if (!string.IsNullOrEmpty(overridden))
        {
            return new BootIdentity(overridden, null);
        }

        if (OperatingSystem.IsLinux())
        {
            return new BootIdentity(
                ReadLinuxBootId() ?? "unknown",
                ReadLinuxBootTime(),
                CurrentPidNamespace()
            );
        }

        if (OperatingSystem.IsMacOS())
        {
            return new BootIdentity(
                MacSysctl.ReadString("kern.bootsessionuuid") ?? "unknown",
                null
            );
        }

        return new BootIdentity("unknown", null);
    }

    /// <summary>This process's pid namespace (Linux: "pid:[4026531836]" → 4026531836, one readlink); null
    /// elsewhere.</summary>
    public static long? CurrentPidNamespace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var link = new FileInfo("/proc/self/ns/pid").LinkTarget;
            return
                link is ['p', 'i', 'd', ':', '[', .. var inode, ']']
                && long.TryParse(inode, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    static string? ReadLinuxBootId() =>
        ProcFile.ReadText("/proc/sys/kernel/random/boot_id")?.Trim();

    static DateTimeOffset? ReadLinuxBootTime()
    {
        foreach (var line in (ProcFile.ReadText("/proc/stat") ?? "").Split('\n'))
        {
            if (
                line.StartsWith("btime ", StringComparison.Ordinal)
                && long.TryParse(
                    line.AsSpan(6),
                    NumberStyles.Integer,
                    CultureInfo.InvariantCulture,
                    out var s
                )
            )
            {
                return DateTimeOffset.FromUnixTimeSeconds(s);
            }
        }

        return null;
    }
}
