using System.Runtime.InteropServices;
using Rein.Platform.MacOS;
using Rein.Platform.Posix;

namespace Rein.Cli.Commands;

/// <summary>
/// Ends rein by a signal, as coreutils timeout does when its command died of one it did not send on a timeout:
/// core dumps off first (rein's own core would be noise, and a misleading one), the default action restored and
/// the signal unblocked, then raised on this thread. This is process exit, not behaviour a library host would
/// want, so it lives with the CLI.
/// </summary>
internal static unsafe partial class ExitBySignal
{
    const string Lib = "libc";

    [AppleMacro]
    const int RLIMIT_CORE = 4; // Linux and Darwin alike

    /// <summary>sigset_t: 128 bytes with glibc, 4 on Darwin.</summary>
    [AppleSize("sigset_t", AtLeast = true)]
    const int SigSetBytes = 128;

    /// <summary>struct rlimit: { rlim_cur, rlim_max }, two 64-bit counts on both systems.</summary>
    [AppleSize("struct rlimit")]
    const int RlimitBytes = 16;

    [AppleOffset("struct rlimit", "rlim_max", Width = 8)]
    const int RlimMaxOffset = 8;

    /// <summary>Does not return when the signal's default action ends the process; otherwise the caller exits
    /// with its fallback status (a signal whose default is to be ignored, or core dumps that cannot be disabled).</summary>
    public static void Raise(int signal)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        if (!DisableCoreDumps())
        {
            return;
        }

        signal_default(signal, 0); // SIG_DFL; fails harmlessly for KILL and STOP
        var set = stackalloc byte[SigSetBytes];
        LibC.sigemptyset(set);
        sigaddset(set, signal);
        pthread_sigmask(OperatingSystem.IsMacOS() ? Darwin.SIG_UNBLOCK : 1, set, null);
        raise(signal);
    }

    static bool DisableCoreDumps()
    {
        if (OperatingSystem.IsLinux())
        {
            return Rein.Platform.Linux.LinuxLibC.SetNotDumpable();
        }

        var none = stackalloc ulong[RlimitBytes / sizeof(ulong)]; // { rlim_cur, rlim_max } = { 0, 0 }
        none[0] = none[RlimMaxOffset / sizeof(ulong)] = 0;
        return setrlimit(RLIMIT_CORE, none) == 0;
    }

    [LibraryImport(Lib, EntryPoint = "signal")]
    private static partial nint signal_default(int signal, nint handler);

    [LibraryImport(Lib)]
    private static partial int sigaddset(void* set, int signal);

    [LibraryImport(Lib)]
    private static partial int pthread_sigmask(int how, void* set, void* old);

    [LibraryImport(Lib)]
    private static partial int raise(int signal);

    [LibraryImport(Lib)]
    private static partial int setrlimit(int resource, ulong* limit);
}
