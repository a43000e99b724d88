using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Rein.Platform.MacOS;

/// <summary>
/// The macOS process-table calls: libproc (libproc.h, in libSystem) and sysctl(3). None is variadic. Constants carry
/// the header they come from; struct layouts are decoded from bytes by <see cref="ProcBsdInfo"/>,
/// <see cref="RusageInfo"/>, <see cref="ProcThreadInfo"/> and <see cref="ProcArgs"/> (pure, tested on Linux too).
/// </summary>
[SupportedOSPlatform("macos")]
[AppleMacro] // every constant below, by name
internal static unsafe partial class MacLibProc
{
    const string Lib = "libc"; // libSystem: libproc and sysctl are re-exported through it

    // sys/proc_info.h: proc_pidinfo() flavors.
    public const int PROC_PIDTBSDINFO = 3; // struct proc_bsdinfo; same user (or root) only
    public const int PROC_PIDTHREADINFO = 5; // struct proc_threadinfo; arg = a thread handle
    public const int PROC_PIDLISTTHREADS = 6; // uint64_t thread handles
    public const int PROC_PIDT_SHORTBSDINFO = 13; // struct proc_bsdshortinfo; any process

    // sys/resource.h: proc_pid_rusage() flavor.
    public const int RUSAGE_INFO_V4 = 4;

    // sys/sysctl.h: the MIB of KERN_PROCARGS2 and of the buffer size it needs.
    public const int CTL_KERN = 1;
    public const int KERN_ARGMAX = 8;
    public const int KERN_PROCARGS2 = 49;

    /// <summary>Fills <paramref name="buffer"/> with pids (zombies included); returns how many, or -1.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int proc_listallpids(int* buffer, int buffersize);

    /// <summary>The pids whose parent is <paramref name="ppid"/>; returns how many, or -1.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int proc_listchildpids(int ppid, int* buffer, int buffersize);

    /// <summary>The pids of process group <paramref name="pgrpid"/>; returns how many, or -1.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int proc_listpgrppids(int pgrpid, int* buffer, int buffersize);

    /// <summary>Returns the bytes written (the flavor's struct size on success), 0 or -1 on failure.
    /// For PROC_PIDTBSDINFO, <paramref name="arg"/> 1 also finds zombies (bsd/kern/proc_info.c).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int proc_pidinfo(
        int pid,
        int flavor,
        ulong arg,
        void* buffer,
        int buffersize
    );

    /// <summary>0 on success; fills a struct rusage_info_vN for <paramref name="flavor"/> N.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int proc_pid_rusage(int pid, int flavor, void* buffer);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sysctl(
        int* name,
        uint namelen,
        void* oldp,
        nuint* oldlenp,
        void* newp,
        nuint newlen
    );

    /// <summary>Our effective uid: the kernel's test for the full proc_bsdinfo (same user, or root).</summary>
    [LibraryImport(Lib)]
    public static partial uint geteuid();

    /// <summary>The session id of any process (POSIX getsid(2)); -1 when gone.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getsid(int pid);
}
