using System.Buffers.Binary;

namespace Rein.Platform.MacOS;

/// <summary>
/// Decodes the run state of one thread from <c>struct proc_threadinfo</c> (PROC_PIDTHREADINFO), and folds the
/// threads' states into the process's ps letter the way ps(1) does: the most active thread wins (running, then
/// uninterruptible, then waiting, stopped, halted), so a process is U only when no thread runs and one is in
/// uninterruptible wait. Offsets from bsd/sys/proc_info.h (xnu).
/// </summary>
public static class ProcThreadInfo
{
    public const int Size = 112; // sizeof(struct proc_threadinfo): 2 × uint64_t, 8 × int32_t, char pth_name[64]
    public const int RunStateOffset = 24; // int32_t pth_run_state
    public const int HandleSize = 8; // PROC_PIDLISTTHREADS entries: uint64_t (PROC_PIDLISTTHREADS_SIZE)

    // pth_run_state (sys/proc_info.h)
    public const int TH_STATE_RUNNING = 1;
    public const int TH_STATE_STOPPED = 2;
    public const int TH_STATE_WAITING = 3;
    public const int TH_STATE_UNINTERRUPTIBLE = 4;
    public const int TH_STATE_HALTED = 5;

    /// <summary>pth_run_state; null when the buffer is short.</summary>
    public static int? RunState(ReadOnlySpan<byte> b) =>
        b.Length < Size ? null : BinaryPrimitives.ReadInt32LittleEndian(b[RunStateOffset..]);

    /// <summary>True when at least one thread is in uninterruptible wait and none is running (ps's U).</summary>
    public static bool Uninterruptible(IEnumerable<int> runStates)
    {
        var uninterruptible = false;
        foreach (var s in runStates)
        {
            if (s == TH_STATE_RUNNING)
            {
                return false;
            }

            uninterruptible |= s == TH_STATE_UNINTERRUPTIBLE;
        }

        return uninterruptible;
    }
}
