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
    [AppleSize("struct proc_threadinfo")]
    [AppleMacro("PROC_PIDTHREADINFO_SIZE")]
    public const int Size = 112;

    [AppleOffset("struct proc_threadinfo", "pth_run_state", Width = 4)]
    public const int RunStateOffset = 24;

    /// <summary>PROC_PIDLISTTHREADS entries: one uint64_t thread handle each.</summary>
    [AppleMacro("PROC_PIDLISTTHREADS_SIZE")]
    [AppleSize("uint64_t")]
    public const int HandleSize = 8;

    // pth_run_state (sys/proc_info.h)
    [AppleMacro]
    public const int TH_STATE_RUNNING = 1;

    [AppleMacro]
    public const int TH_STATE_STOPPED = 2;

    [AppleMacro]
    public const int TH_STATE_WAITING = 3;

    [AppleMacro]
    public const int TH_STATE_UNINTERRUPTIBLE = 4;

    [AppleMacro]
    public const int TH_STATE_HALTED = 5;

    /// <summary>The most thread handles <see cref="ListHandles"/> asks for (a runaway process, not a real one).</summary>
    public const int MaxThreads = 1 << 20;

    /// <summary>
    /// Every thread handle of a process. <paramref name="list"/> is proc_pidinfo(PROC_PIDLISTTHREADS) into the given
    /// buffer, returning the bytes written (≤ 0: gone or refused). A full buffer may have cut the list short, so it
    /// asks again with twice the room: a PyTorch process with thousands of threads is read whole.
    /// </summary>
    public static ulong[] ListHandles(Func<ulong[], int> list, int initial = 256)
    {
        for (var capacity = Math.Max(1, initial); ; capacity *= 2)
        {
            var buffer = new ulong[capacity];
            var bytes = list(buffer);
            if (bytes <= 0)
            {
                return [];
            }

            var count = Math.Min(bytes / HandleSize, capacity);
            if (count < capacity || capacity >= MaxThreads)
            {
                return buffer[..count];
            }
        }
    }

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
