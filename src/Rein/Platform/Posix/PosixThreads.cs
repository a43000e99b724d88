using System.Runtime.InteropServices;

namespace Rein.Platform.Posix;

/// <summary>pthread_create/pthread_detach, for the heartbeat thread that must beat before it joins the runtime
/// (Cadence.Heartbeat says why).</summary>
internal static unsafe partial class PosixThreads
{
    [LibraryImport("libc")]
    internal static partial int pthread_create(
        nint* thread,
        nint attributes,
        delegate* unmanaged[Cdecl]<nint, nint> start,
        nint argument
    );

    [LibraryImport("libc")]
    internal static partial int pthread_detach(nint thread);
}
