namespace Rein.Running;

/// <summary>
/// Test hooks, live only in a test build (<c>REIN_TEST_HOOKS=1 ./build.sh</c>, which test.sh uses: MSBuild property
/// <c>ReinTestHooks=true</c>, constant <c>REIN_TEST_HOOKS</c>). In any other build they are compiled out, so a
/// caller's environment cannot change what a shipped rein does; and they never reach the command
/// (<see cref="ChildEnvironment"/>; the shim drops <c>REIN_FAULT</c> before the exec).
/// <list type="bullet">
/// <item><c>REIN_FAULT=after-spawn</c> throws right after the command started (an InvalidOperationException;
/// <c>after-spawn-other</c>: an ArithmeticException, an exception rein has no special case for), so tests prove an
/// error on that path still kills the tree, keeps the lock until it is gone and records the run's end (G1, G3).</item>
/// <item><c>REIN_FAULT=slow-cadence-mark</c> widens the window between "clear" and the mark (CadenceGuard).</item>
/// <item><c>REIN_FAULT=no-subreaper</c> makes the shim behave as where the kernel refuses a subreaper (shim.c).</item>
/// <item><c>REIN_CGROUP_ROOT</c> points cgroup writes at a fake hierarchy.</item>
/// <item><c>REIN_BOOT_ID</c> overrides the boot id (a simulated reboot; BootIdentity).</item>
/// </list>
/// </summary>
internal static class TestHooks
{
    /// <summary>The variables only a test build reads; never passed to the command.</summary>
    public static readonly IReadOnlyList<string> Variables =
    [
        "REIN_FAULT",
        "REIN_CGROUP_ROOT",
        "REIN_BOOT_ID",
    ];

    /// <summary>Where a test build reads the hooks from (the process environment; tests may swap it).</summary>
    internal static Func<string, string?> Read { get; set; } = Environment.GetEnvironmentVariable;

#if REIN_TEST_HOOKS
    public const bool Enabled = true;

    /// <summary><c>REIN_FAULT</c>, or null.</summary>
    public static string? Fault => Read("REIN_FAULT");

    /// <summary><c>REIN_CGROUP_ROOT</c>, or null.</summary>
    public static string? CgroupRoot => Read("REIN_CGROUP_ROOT") is { Length: > 0 } r ? r : null;
#else
    public const bool Enabled = false;

    public static string? Fault => null;

    public static string? CgroupRoot => null;
#endif
}

/// <summary>The <c>REIN_FAULT=after-…</c> test hook (see <see cref="TestHooks"/>): nothing in a shipped build.</summary>
internal static class FaultInjection
{
    public static void After(string point)
    {
        var fault = TestHooks.Fault;
        if (fault == "after-" + point)
        {
            throw new InvalidOperationException($"injected fault after {point} (REIN_FAULT)");
        }

        if (fault == "after-" + point + "-other")
        {
            throw new ArithmeticException($"injected fault after {point} (REIN_FAULT)");
        }
    }
}
