using Rein.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>Test hooks (REIN_FAULT, REIN_CGROUP_ROOT) live only in the test build, and never reach the command.</summary>
public sealed class TestHooksTests : RunTestBase
{
    [Fact]
    public void A_normal_build_of_the_library_ignores_the_hooks()
    {
        // The test project builds the library as it ships (without -p:ReinTestHooks=true).
        var before = TestHooks.Read;
        try
        {
            TestHooks.Read = name =>
                name switch
                {
                    "REIN_FAULT" => "after-spawn",
                    "REIN_CGROUP_ROOT" => "/nonexistent",
                    _ => null,
                };

            Assert.False(TestHooks.Enabled);
            Assert.Null(TestHooks.Fault);
            Assert.Null(TestHooks.CgroupRoot);
            FaultInjection.After("spawn"); // does not throw
        }
        finally
        {
            TestHooks.Read = before;
        }
    }

    [Fact]
    public void A_normal_build_of_the_shim_has_no_hook_to_read()
    {
        // rein-shim beside the tests is compiled from the same sources as rein's, without REIN_TEST_HOOKS.
        var shim = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "rein-shim"));

        Assert.Equal(-1, shim.AsSpan().IndexOf("REIN_FAULT"u8));
    }

    [Fact]
    public void The_hooks_never_reach_the_command()
    {
        Requires.TestHooks();
        var r = ReinProcess.Run(
            ["run", "--", "sh", "-c", "env; echo end", Marker],
            HomeEnv(("REIN_FAULT", "none-such"), ("REIN_CGROUP_ROOT", "/nonexistent"))
        );

        Assert.Equal(0, r.ExitCode);
        Assert.EndsWith("end\n", r.Stdout);
        Assert.DoesNotContain("REIN_FAULT", r.Stdout);
        Assert.DoesNotContain("REIN_CGROUP_ROOT", r.Stdout);
    }
}
