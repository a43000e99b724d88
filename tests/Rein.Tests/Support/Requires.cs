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

    static readonly Lazy<bool> s_testBuild = new(() =>
        ReinProcess.Run(["__test-hooks"]) is { ExitCode: 0, Stdout: "on\n" }
    );

    /// <summary>Tests that drive a test hook (REIN_FAULT, REIN_CGROUP_ROOT) need the test build of rein
    /// (<c>REIN_TEST_HOOKS=1 ./build.sh</c>). Under test.sh (REIN_TEST_HOOKS=1) another binary is a failure; run by
    /// hand against a normal build, the test is skipped and says so.</summary>
    public static void TestHooks()
    {
        if (s_testBuild.Value)
        {
            return;
        }

        const string why =
            "needs the test build of rein (REIN_TEST_HOOKS=1 ./build.sh): REIN_BIN is a normal build, which ignores test hooks";
        Assert.False(Environment.GetEnvironmentVariable("REIN_TEST_HOOKS") == "1", why);
        Assert.Skip(why);
    }

    /// <summary>GNU coreutils env (--default-signal, --ignore-signal) and /proc/PID/status.</summary>
    public static void GnuEnvAndProc() =>
        Assert.SkipUnless(
            OperatingSystem.IsLinux(),
            "needs GNU env --default-signal/--ignore-signal and /proc/self/status (Linux)"
        );
}
