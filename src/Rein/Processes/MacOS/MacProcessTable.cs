using System.Runtime.Versioning;
using Rein.Platform.MacOS;

namespace Rein.Processes.MacOS;

/// <summary>
/// The macOS process table, read through libproc and sysctl in this process: no child process per sample (a
/// spawned <c>ps</c> would itself look like a member of the run), no locale-dependent text. Per process: p_stat,
/// parent, group, uid and start time in microseconds (<c>proc_bsdinfo</c>; another user's process gives only
/// <c>proc_bsdshortinfo</c>: no start time, no memory), the session (getsid), the physical footprint
/// (<c>proc_pid_rusage</c>), and U when no thread runs and one is in uninterruptible wait. The environment comes
/// from KERN_PROCARGS2 (own processes only). Unverified on a real Mac: no Mac in this workplace; the struct
/// decoders it uses are tested against the header layouts.
/// </summary>
[SupportedOSPlatform("macos")]
public sealed unsafe class MacProcessTable : IProcessTable
{
    readonly Lock _argsLock = new();
    readonly uint _self = MacLibProc.geteuid();
    byte[]? _args;

    public IReadOnlyList<ProcessInfo> Snapshot()
    {
        var pids = AllPids();
        var result = new List<ProcessInfo>(pids.Length);
        foreach (var pid in pids)
        {
            if (pid > 0 && Read(pid) is { } p)
            {
                result.Add(p);
            }
        }

        return result;
    }

    /// <summary>proc_listchildpids: the kernel's own parent links, so a guard reads only its run (unverified).</summary>
    public IReadOnlyList<int>? Children(int pid) =>
        ListPids((buffer, bytes) => MacLibProc.proc_listchildpids(pid, buffer, bytes));

    /// <summary>proc_listpgrppids: the kernel's process-group index (unverified).</summary>
    public IReadOnlyList<int>? GroupMembers(int pgid) =>
        ListPids((buffer, bytes) => MacLibProc.proc_listpgrppids(pgid, buffer, bytes));

    delegate int PidLister(int* buffer, int bytes);

    /// <summary>A libproc list call that returns a count of pids: grows the buffer until the answer fits.</summary>
    static int[]? ListPids(PidLister list)
    {
        for (var size = 64; size <= 1 << 20; size *= 4)
        {
            var buffer = new int[size];
            int count;
            fixed (int* p = buffer)
            {
                count = list(p, size * sizeof(int));
            }

            if (count < 0)
            {
                return null;
            }

            if (count < size)
            {
                return buffer[..count];
            }
        }

        return null;
    }

    /// <summary>Every pid, zombies included (proc_listallpids sizes itself: ask, then read with room to spare).</summary>
    static int[] AllPids()
    {
        var count = MacLibProc.proc_listallpids(null, 0);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var buffer = new int[Math.Max(count, 256) + 256];
            fixed (int* p = buffer)
            {
                count = MacLibProc.proc_listallpids(p, buffer.Length * sizeof(int));
            }

            if (count < 0)
            {
                return [];
            }

            if (count < buffer.Length)
            {
                return buffer[..count];
            }
        }

        return [];
    }

    public ProcessInfo? Read(int pid)
    {
        if (ReadBsd(pid) is not { } bsd)
        {
            return null;
        }

        var mine = ProcBsdInfo.Owned(bsd, _self);
        var state = ProcBsdInfo.StateLetter(bsd.Status);
        if (mine && bsd.Status is ProcBsdInfo.SRUN or ProcBsdInfo.SSLEEP && Uninterruptible(pid))
        {
            state = 'U';
        }

        var session = MacLibProc.getsid(pid);
        return new ProcessInfo(
            bsd.Pid,
            bsd.ParentPid,
            bsd.ProcessGroup,
            session < 0 ? 0 : session,
            state,
            bsd.StartMicroseconds,
            mine && bsd.Status != ProcBsdInfo.SZOMB ? Footprint(pid) : 0,
            bsd.Command
        )
        {
            Uid = bsd.Uid,
        };
    }

    static BsdProcess? ReadBsd(int pid)
    {
        var full = stackalloc byte[ProcBsdInfo.Size];
        // arg 1: zombies too (bsd/kern/proc_info.c, findzomb), so a held command shows as Z rather than gone.
        if (
            MacLibProc.proc_pidinfo(pid, MacLibProc.PROC_PIDTBSDINFO, 1, full, ProcBsdInfo.Size)
            == ProcBsdInfo.Size
        )
        {
            return ProcBsdInfo.Decode(new ReadOnlySpan<byte>(full, ProcBsdInfo.Size));
        }

        var brief = stackalloc byte[ProcBsdInfo.ShortSize];
        return
            MacLibProc.proc_pidinfo(
                pid,
                MacLibProc.PROC_PIDT_SHORTBSDINFO,
                1,
                brief,
                ProcBsdInfo.ShortSize
            ) == ProcBsdInfo.ShortSize
            ? ProcBsdInfo.DecodeShort(new ReadOnlySpan<byte>(brief, ProcBsdInfo.ShortSize))
            : null;
    }

    static long Footprint(int pid)
    {
        var buffer = stackalloc byte[RusageInfo.V4Size];
        return
            MacLibProc.proc_pid_rusage(pid, MacLibProc.RUSAGE_INFO_V4, buffer) == 0
            && RusageInfo.Decode(new ReadOnlySpan<byte>(buffer, RusageInfo.V4Size)) is { } usage
            ? usage.Footprint
            : 0;
    }

    /// <summary>ps's U: a thread in uninterruptible wait and none running (PROC_PIDLISTTHREADS, PROC_PIDTHREADINFO).</summary>
    static bool Uninterruptible(int pid)
    {
        var handles = ProcThreadInfo.ListHandles(buffer =>
        {
            fixed (ulong* p = buffer)
            {
                return MacLibProc.proc_pidinfo(
                    pid,
                    MacLibProc.PROC_PIDLISTTHREADS,
                    0,
                    p,
                    buffer.Length * ProcThreadInfo.HandleSize
                );
            }
        });
        if (handles.Length == 0)
        {
            return false;
        }

        var states = new List<int>(handles.Length);
        var info = stackalloc byte[ProcThreadInfo.Size];
        for (var i = 0; i < handles.Length; i++)
        {
            if (
                MacLibProc.proc_pidinfo(
                    pid,
                    MacLibProc.PROC_PIDTHREADINFO,
                    handles[i],
                    info,
                    ProcThreadInfo.Size
                ) == ProcThreadInfo.Size
                && ProcThreadInfo.RunState(new ReadOnlySpan<byte>(info, ProcThreadInfo.Size))
                    is { } s
            )
            {
                states.Add(s);
            }
        }

        return ProcThreadInfo.Uninterruptible(states);
    }

    public string? ReadEnvironmentVariable(int pid, string variable)
    {
        lock (_argsLock)
        {
            var n = ReadArgs(pid);
            return n > 0 ? ProcArgs.EnvironmentVariable(_args.AsSpan(0, n), variable) : null;
        }
    }

    public string CommandLine(int pid)
    {
        lock (_argsLock)
        {
            var n = ReadArgs(pid);
            if (n > 0 && ProcArgs.Parse(_args.AsSpan(0, n)) is { Arguments.Count: > 0 } args)
            {
                return string.Join(' ', args.Arguments);
            }
        }

        return Read(pid)?.Command ?? "";
    }

    /// <summary>KERN_PROCARGS2 of <paramref name="pid"/> into <see cref="_args"/>; the byte count, or 0. The buffer
    /// is KERN_ARGMAX bytes: a smaller one makes the kernel copy the tail of the area, not its start. Other users'
    /// processes are refused by the kernel (EINVAL) unless we are root.</summary>
    int ReadArgs(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        _args ??= new byte[ArgMax()];
        var mib = stackalloc int[3] { MacLibProc.CTL_KERN, MacLibProc.KERN_PROCARGS2, pid };
        var size = (nuint)_args.Length;
        fixed (byte* p = _args)
        {
            return MacLibProc.sysctl(mib, 3, p, &size, null, 0) == 0 ? (int)size : 0;
        }
    }

    static int ArgMax()
    {
        var mib = stackalloc int[2] { MacLibProc.CTL_KERN, MacLibProc.KERN_ARGMAX };
        int value;
        var size = (nuint)sizeof(int);
        return MacLibProc.sysctl(mib, 2, &value, &size, null, 0) == 0 && value > 0
            ? value
            : Darwin.ARG_MAX;
    }
}
