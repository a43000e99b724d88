using System.Buffers.Binary;

namespace Rein.Platform.MacOS;

/// <summary>
/// Decodes the memory figures rein uses from <c>struct rusage_info_v4</c> (proc_pid_rusage with RUSAGE_INFO_V4).
/// Offsets from bsd/sys/resource.h (xnu): a 16-byte uuid, then uint64_t fields. <c>ri_phys_footprint</c> is the
/// figure Activity Monitor, footprint(1) and jetsam use: resident plus compressed memory plus IOKit/GPU memory
/// charged to the process (Metal/MLX buffers on Apple Silicon), which RSS misses.
/// </summary>
public static class RusageInfo
{
    [AppleSize("struct rusage_info_v4")]
    public const int V4Size = 296;

    [AppleOffset("struct rusage_info_v4", "ri_resident_size", Width = 8)]
    public const int ResidentSizeOffset = 64;

    [AppleOffset("struct rusage_info_v4", "ri_phys_footprint", Width = 8)]
    public const int PhysFootprintOffset = 72;

    [AppleOffset("struct rusage_info_v4", "ri_lifetime_max_phys_footprint", Width = 8)]
    public const int LifetimeMaxPhysFootprintOffset = 240;

    /// <summary>(footprint, resident, lifetime peak footprint) in bytes; null when the buffer is short.</summary>
    public static (long Footprint, long Resident, long PeakFootprint)? Decode(ReadOnlySpan<byte> b)
    {
        if (b.Length < V4Size)
        {
            return null;
        }

        return (
            Clamp(BinaryPrimitives.ReadUInt64LittleEndian(b[PhysFootprintOffset..])),
            Clamp(BinaryPrimitives.ReadUInt64LittleEndian(b[ResidentSizeOffset..])),
            Clamp(BinaryPrimitives.ReadUInt64LittleEndian(b[LifetimeMaxPhysFootprintOffset..]))
        );
    }

    static long Clamp(ulong v) => v > long.MaxValue ? long.MaxValue : (long)v;
}
