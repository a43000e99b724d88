using Rein.Platform;
using Rein.Processes.Shim;

namespace Rein.Processes.Posix;

/// <summary>
/// The descriptors a macOS spawn names as inherited under POSIX_SPAWN_CLOEXEC_DEFAULT, which closes every other one
/// in the child: 0-2 when open, and those rein's caller passed on (the command gets exactly what rein was given,
/// as on Linux). The NativeAOT binary recorded the caller's before the runtime opened anything (preinit.c); a
/// library host has no such record and takes what is open and not close-on-exec now.
/// </summary>
internal static class InheritedDescriptors
{
    /// <summary>The highest descriptor considered (preinit.c records the same range).</summary>
    public const int Limit = 1024;

    public static List<int> Now()
    {
        var result = new List<int>();
        for (var fd = 0; fd < Limit; fd++)
        {
            // Still open and still not close-on-exec: a caller's descriptor that rein closed meanwhile, its number
            // reused by one of rein's own (close-on-exec), is never passed on.
            if (Descriptors.IsCloseOnExec(fd) != false)
            {
                continue;
            }

            if (fd <= 2 || (NativePart.InheritedFromCaller(fd) ?? true))
            {
                result.Add(fd);
            }
        }

        return result;
    }
}
