using Rein.Platform.MacOS;

namespace Rein.Models;

/// <summary>How much of memory a GPU may use, where that is less than all of it: on Apple Silicon the GPU may wire
/// only part of unified memory — <c>iogpu.wired_limit_mb</c> when it is set, else Metal's recommended working set.
/// Unverified on a Mac: no Mac in this workplace; the working-set fraction is the commonly reported default
/// (about two thirds of memory up to 36 GiB, three quarters above), not read from Metal.</summary>
public sealed record GpuMemoryLimit(long Bytes, string Source)
{
    /// <summary>Null where no such limit applies (Linux: the fit check counts available memory only).</summary>
    public static GpuMemoryLimit? Read() =>
        OperatingSystem.IsMacOS()
            ? FromSysctl(
                MacSysctl.ReadInt64("iogpu.wired_limit_mb"),
                MacSysctl.ReadInt64("hw.memsize")
            )
            : null;

    /// <summary>The rule, over the two sysctl values (pure, for tests).</summary>
    public static GpuMemoryLimit? FromSysctl(long? wiredLimitMb, long? memsize)
    {
        if (wiredLimitMb is > 0 and var mb)
        {
            return new GpuMemoryLimit(mb << 20, "iogpu.wired_limit_mb");
        }

        if (memsize is not { } total || total <= 0)
        {
            return null;
        }

        var fraction = total > 36L << 30 ? 0.75 : 2.0 / 3;
        return new GpuMemoryLimit(
            (long)(total * fraction),
            "Metal recommended working set (estimated)"
        );
    }
}
