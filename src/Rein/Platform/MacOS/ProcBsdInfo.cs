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
/// MAXCOMLEN = 16 (sys/param.h); Apple platforms are little-endian. Every offset, width and size is checked against
/// Apple's header by the C compiler (AppleHeaderTests).
/// </summary>
public static class ProcBsdInfo
{
    // struct proc_bsdinfo (sys/proc_info.h)
    [AppleSize("struct proc_bsdinfo")]
    [AppleMacro("PROC_PIDTBSDINFO_SIZE")]
    public const int Size = 136;

    [AppleOffset("struct proc_bsdinfo", "pbi_status", Width = 4)]
    public const int StatusOffset = 4;

    [AppleOffset("struct proc_bsdinfo", "pbi_pid", Width = 4)]
    public const int PidOffset = 12;

    [AppleOffset("struct proc_bsdinfo", "pbi_ppid", Width = 4)]
    public const int ParentPidOffset = 16;

    [AppleOffset("struct proc_bsdinfo", "pbi_uid", Width = 4)]
    public const int UidOffset = 20;

    [AppleOffset("struct proc_bsdinfo", "pbi_comm", Width = MaxComLen)]
    public const int CommOffset = 48;

    [AppleOffset("struct proc_bsdinfo", "pbi_name", Width = 2 * MaxComLen)]
    public const int NameOffset = 64;

    [AppleOffset("struct proc_bsdinfo", "pbi_pgid", Width = 4)]
    public const int ProcessGroupOffset = 100;

    [AppleOffset("struct proc_bsdinfo", "pbi_start_tvsec", Width = 8)]
    public const int StartSecondsOffset = 120;

    [AppleOffset("struct proc_bsdinfo", "pbi_start_tvusec", Width = 8)]
    public const int StartMicrosecondsOffset = 128;

    [AppleMacro("MAXCOMLEN")]
    public const int MaxComLen = 16;

    // struct proc_bsdshortinfo (sys/proc_info.h)
    [AppleSize("struct proc_bsdshortinfo")]
    [AppleMacro("PROC_PIDT_SHORTBSDINFO_SIZE")]
    public const int ShortSize = 64;

    [AppleOffset("struct proc_bsdshortinfo", "pbsi_pid", Width = 4)]
    public const int ShortPidOffset = 0;

    [AppleOffset("struct proc_bsdshortinfo", "pbsi_ppid", Width = 4)]
    public const int ShortParentPidOffset = 4;

    [AppleOffset("struct proc_bsdshortinfo", "pbsi_pgid", Width = 4)]
    public const int ShortProcessGroupOffset = 8;

    [AppleOffset("struct proc_bsdshortinfo", "pbsi_status", Width = 4)]
    public const int ShortStatusOffset = 12;

    [AppleOffset("struct proc_bsdshortinfo", "pbsi_comm", Width = MaxComLen)]
    public const int ShortCommOffset = 16;

    [AppleOffset("struct proc_bsdshortinfo", "pbsi_uid", Width = 4)]
    public const int ShortUidOffset = 36;

    // p_stat values (sys/proc.h)
    [AppleMacro]
    public const uint SIDL = 1; // being created by fork

    [AppleMacro]
    public const uint SRUN = 2; // runnable

    [AppleMacro]
    public const uint SSLEEP = 3; // sleeping on an address

    [AppleMacro]
    public const uint SSTOP = 4; // stopped by a signal or a debugger

    [AppleMacro]
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

    /// <summary>
    /// Whether rein reads a process's threads and memory as one of its user's own: the full struct was readable (it
    /// has a start time) and its effective uid is <paramref name="self"/>. The full struct alone is not enough: root
    /// reads it for every process on the machine.
    /// </summary>
    public static bool Owned(BsdProcess process, uint self) =>
        process.StartMicroseconds != 0 && process.Uid == self;

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
