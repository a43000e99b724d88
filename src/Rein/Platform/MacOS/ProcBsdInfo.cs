using System.Buffers.Binary;
using System.Text;

namespace Rein.Platform.MacOS;

/// <summary>What rein reads of a process from <c>struct proc_bsdinfo</c> or <c>struct proc_bsdshortinfo</c>.</summary>
/// <param name="Status">p_stat (sys/proc.h): <see cref="ProcBsdInfo.SIDL"/> … <see cref="ProcBsdInfo.SZOMB"/>.</param>
/// <param name="StartMicroseconds">Microseconds since the epoch (0 when unknown: the short struct has no start time).</param>
public sealed record BsdProcess(
    int Pid,
    int ParentPid,
    int ProcessGroup,
    uint Status,
    uint Uid,
    ulong StartMicroseconds,
    string Command
);

/// <summary>
/// Decodes <c>struct proc_bsdinfo</c> (PROC_PIDTBSDINFO) and <c>struct proc_bsdshortinfo</c>
/// (PROC_PIDT_SHORTBSDINFO) from the bytes proc_pidinfo() wrote. Offsets from bsd/sys/proc_info.h (xnu), with
/// MAXCOMLEN = 16 (sys/param.h); Apple platforms are little-endian. VerifiedLayoutTests checks them against the header.
/// </summary>
public static class ProcBsdInfo
{
    // struct proc_bsdinfo (sys/proc_info.h)
    public const int Size = 136; // sizeof(struct proc_bsdinfo) == PROC_PIDTBSDINFO_SIZE
    public const int StatusOffset = 4; // uint32_t pbi_status
    public const int PidOffset = 12; // uint32_t pbi_pid
    public const int ParentPidOffset = 16; // uint32_t pbi_ppid
    public const int UidOffset = 20; // uid_t pbi_uid
    public const int CommOffset = 48; // char pbi_comm[MAXCOMLEN]
    public const int NameOffset = 64; // char pbi_name[2 * MAXCOMLEN]
    public const int ProcessGroupOffset = 100; // uint32_t pbi_pgid
    public const int StartSecondsOffset = 120; // uint64_t pbi_start_tvsec
    public const int StartMicrosecondsOffset = 128; // uint64_t pbi_start_tvusec
    public const int MaxComLen = 16; // MAXCOMLEN (sys/param.h)

    // struct proc_bsdshortinfo (sys/proc_info.h)
    public const int ShortSize = 64; // sizeof(struct proc_bsdshortinfo) == PROC_PIDT_SHORTBSDINFO_SIZE
    public const int ShortPidOffset = 0; // uint32_t pbsi_pid
    public const int ShortParentPidOffset = 4; // uint32_t pbsi_ppid
    public const int ShortProcessGroupOffset = 8; // uint32_t pbsi_pgid
    public const int ShortStatusOffset = 12; // uint32_t pbsi_status
    public const int ShortCommOffset = 16; // char pbsi_comm[MAXCOMLEN]
    public const int ShortUidOffset = 36; // uid_t pbsi_uid

    // p_stat values (sys/proc.h)
    public const uint SIDL = 1; // being created by fork
    public const uint SRUN = 2; // runnable
    public const uint SSLEEP = 3; // sleeping on an address
    public const uint SSTOP = 4; // stopped by a signal or a debugger
    public const uint SZOMB = 5; // exited, not yet reaped

    /// <summary>A full <c>proc_bsdinfo</c>; null when the buffer is short.</summary>
    public static BsdProcess? Decode(ReadOnlySpan<byte> b)
    {
        if (b.Length < Size)
        {
            return null;
        }

        var name = CString(b.Slice(NameOffset, 2 * MaxComLen));
        var seconds = U64(b, StartSecondsOffset);
        var micros = U64(b, StartMicrosecondsOffset);
        return new BsdProcess(
            (int)U32(b, PidOffset),
            (int)U32(b, ParentPidOffset),
            (int)U32(b, ProcessGroupOffset),
            U32(b, StatusOffset),
            U32(b, UidOffset),
            seconds * 1_000_000 + micros,
            name.Length > 0 ? name : CString(b.Slice(CommOffset, MaxComLen))
        );
    }

    /// <summary>A <c>proc_bsdshortinfo</c> (readable for any process): no start time.</summary>
    public static BsdProcess? DecodeShort(ReadOnlySpan<byte> b)
    {
        if (b.Length < ShortSize)
        {
            return null;
        }

        return new BsdProcess(
            (int)U32(b, ShortPidOffset),
            (int)U32(b, ShortParentPidOffset),
            (int)U32(b, ShortProcessGroupOffset),
            U32(b, ShortStatusOffset),
            U32(b, ShortUidOffset),
            0,
            CString(b.Slice(ShortCommOffset, MaxComLen))
        );
    }

    /// <summary>The ps letter for a p_stat value (uninterruptible wait is a thread state, added by the caller).</summary>
    public static char StateLetter(uint status) =>
        status switch
        {
            SIDL => 'I',
            SRUN => 'R',
            SSLEEP => 'S',
            SSTOP => 'T',
            SZOMB => 'Z',
            _ => '?',
        };

    static uint U32(ReadOnlySpan<byte> b, int offset) =>
        BinaryPrimitives.ReadUInt32LittleEndian(b[offset..]);

    static ulong U64(ReadOnlySpan<byte> b, int offset) =>
        BinaryPrimitives.ReadUInt64LittleEndian(b[offset..]);

    static string CString(ReadOnlySpan<byte> b)
    {
        var end = b.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? b : b[..end]);
    }
}
