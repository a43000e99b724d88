using System.Runtime.InteropServices;

namespace Rein.Platform;

/// <summary>
/// The doors of rein's own C part linked into the NativeAOT binary (src/native/preinit.c); Processes.Shim.NativePart
/// says what each is for and how a host without them falls back.
/// </summary>
internal static unsafe partial class ReinNative
{
    const string Lib = "reinnative";

    [LibraryImport(Lib)]
    internal static partial ulong rein_native_ignored_signals();

    [LibraryImport(Lib)]
    internal static partial int rein_native_present();

    /// <summary>macOS only (preinit.c records it there): 1 when rein's caller passed <paramref name="fd"/> on.</summary>
    [LibraryImport(Lib)]
    internal static partial int rein_native_inherited_fd(int fd);

    [LibraryImport(Lib)]
    internal static partial int rein_native_relay_sigpipe(int fd);

    [LibraryImport(Lib)]
    internal static partial byte** rein_native_argv(int* argc);

    [LibraryImport(Lib)]
    internal static partial byte** rein_native_envp();
}
