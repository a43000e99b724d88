namespace Rein.Tests.Support;

/// <summary>Skips, with the reason stated, for behaviour that exists only on Linux (xunit v3 Assert.Skip*).</summary>
internal static class Requires
{
    /// <summary>An orphan that left the run's session and cleared its environment is found only because the shim is a
    /// child subreaper (Linux). macOS has none: such a process is not a member there (docs/manual/platforms.md).</summary>
    public static void Subreaper() =>
        Assert.SkipUnless(
            OperatingSystem.IsLinux(),
            "needs a child subreaper (Linux): on macOS a setsid escapee with a cleared environment is not found"
        );

    /// <summary>GNU coreutils env (--default-signal, --ignore-signal) and /proc/PID/status.</summary>
    public static void GnuEnvAndProc() =>
        Assert.SkipUnless(
            OperatingSystem.IsLinux(),
            "needs GNU env --default-signal/--ignore-signal and /proc/self/status (Linux)"
        );
}
