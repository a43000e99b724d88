using System.Runtime.InteropServices;
using Rein.Platform;

namespace Rein.Processes.Shim;

/// <summary>
/// The C part linked into the NativeAOT <c>rein</c> binary (src/native/preinit.c): it runs before the .NET runtime,
/// so it can see the signal dispositions rein's caller set (the runtime then ignores SIGPIPE itself), and it turns
/// <c>rein __shim</c> into the shim without a runtime start. Absent in other hosts (a .NET program using the
/// library, the test suite), where <see cref="IgnoredByCaller"/> falls back to what the kernel reports now.
/// </summary>
internal static partial class NativePart
{
    /// <summary>NativeAOT binary only: the caller's arguments (argv[1..]) as the kernel passed them, each byte kept
    /// (<see cref="Platform.Posix.OsString"/>); null where the native part is absent.</summary>
    public static unsafe string[]? CallerArguments()
    {
        if (!Present)
        {
            return null;
        }

        int argc;
        var argv = ReinNative.rein_native_argv(&argc);
        if (argv is null || argc < 1)
        {
            return null;
        }

        var args = new string[argc - 1];
        for (var i = 1; i < argc; i++)
        {
            args[i - 1] = Platform.Posix.OsString.FromBytes(
                System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(
                    argv[i]
                )
            );
        }

        return args;
    }

    /// <summary>NativeAOT binary only: the environment rein started with, as NAME=VALUE entries with every byte kept;
    /// null where the native part is absent.</summary>
    public static unsafe List<string>? CallerEnvironment()
    {
        if (!Present)
        {
            return null;
        }

        var envp = ReinNative.rein_native_envp();
        if (envp is null)
        {
            return null;
        }

        var entries = new List<string>();
        for (var p = envp; *p is not null; p++)
        {
            entries.Add(
                Platform.Posix.OsString.FromBytes(
                    System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(
                        *p
                    )
                )
            );
        }

        return entries;
    }

    /// <summary>NativeAOT binary only (sigpipe_relay.c): SIGPIPE sent to this process by another one writes its
    /// number to <paramref name="fd"/>; -1 ignores SIGPIPE again. False where the native part is absent.</summary>
    public static bool RelaySigpipe(int fd) =>
        Present && ReinNative.rein_native_relay_sigpipe(fd) == 0;

    static readonly Lazy<bool> s_present = new(() =>
    {
        try
        {
            return ReinNative.rein_native_present() == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    /// <summary>True inside the NativeAOT rein binary (its shim is then <c>rein __shim</c>).</summary>
    public static bool Present => s_present.Value;

    /// <summary>Whether rein's caller passed <paramref name="fd"/> (3 or more) on to rein, as recorded before the runtime
    /// started (macOS, NativeAOT binary); null where nothing was recorded (Linux, library hosts).</summary>
    public static bool? InheritedFromCaller(int fd) =>
        OperatingSystem.IsMacOS() && Present ? ReinNative.rein_native_inherited_fd(fd) == 1 : null;

    /// <summary>Bit N-1 set: signal N was ignored when this process started (coreutils keeps those ignored for the command).</summary>
    public static ulong IgnoredByCaller()
    {
        if (Present)
        {
            return ReinNative.rein_native_ignored_signals();
        }

        // Fallback (library hosts): the current ignore mask, less SIGPIPE, which the .NET runtime ignores itself.
        if (OperatingSystem.IsLinux())
        {
            try
            {
                foreach (var line in (ProcFile.ReadText("/proc/self/status") ?? "").Split('\n'))
                {
                    if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                    {
                        var mask = Convert.ToUInt64(line[7..].Trim(), 16);
                        return mask & ~(1UL << (13 - 1));
                    }
                }
            }
            catch (FormatException) { }
        }

        return 0;
    }
}
