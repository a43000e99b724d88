using System.Runtime.InteropServices;
using System.Text;

namespace Rein.Platform.MacOS;

/// <summary>sysctlbyname for string values (macOS), without spawning the sysctl tool.</summary>
public static unsafe partial class MacSysctl
{
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int sysctlbyname(
        string name,
        byte* oldp,
        nuint* oldlenp,
        void* newp,
        nuint newlen
    );

    public static string? ReadString(string name)
    {
        nuint len = 256;
        var buf = stackalloc byte[256];
        if (sysctlbyname(name, buf, &len, null, 0) != 0 || len == 0)
        {
            return null;
        }

        return Encoding.UTF8.GetString(buf, (int)len).TrimEnd('\0');
    }

    /// <summary>An integer sysctl (4 or 8 bytes), or null.</summary>
    public static long? ReadInt64(string name)
    {
        long value = 0;
        nuint len = 8;
        if (sysctlbyname(name, (byte*)&value, &len, null, 0) != 0)
        {
            return null;
        }

        return len == 4 ? (int)value : value;
    }
}
