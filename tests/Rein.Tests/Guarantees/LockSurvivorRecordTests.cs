using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>G3 after SIGKILL of rein: while a member of the run cannot die yet, its slot stays held by the shim, and
/// what holds it is named — the shim records the survivors beside the slot (issue 19, item 6).</summary>
[Collection("Latency")]
public sealed class LockSurvivorRecordTests : RunTestBase
{
    string Lock => "survivors-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void A_member_that_cannot_die_after_rein_was_killed_is_named_by_locks_and_the_refusal()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        var name = Lock;
        using var freezer = Freezer.Create();
        try
        {
            using var rein = ReinProcess.Start(
                RunArgs(["--lock", name], "pidfile", PidFile, "hang"),
                HomeEnv()
            );
            var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
            freezer.Add(pid);
            freezer.Freeze(pid);
            Rein.Platform.Posix.LibC.kill(rein.Pid, Rein.Platform.Posix.LibC.SIGKILL);

            string locks = "";
            Assert.True(
                ProcessProbe.WaitUntil(
                    () =>
                        (locks = ReinProcess.Run(["locks", "--json"], HomeEnv()).Stdout).Contains(
                            pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            StringComparison.Ordinal
                        ),
                    TimeSpan.FromSeconds(10)
                ),
                $"rein locks does not name the surviving member {pid}: {locks}"
            );
            var refused = ReinProcess.Run(["run", "--lock", name, "--", "true"], HomeEnv());
            Assert.Equal(75, refused.ExitCode);
            Assert.Contains(
                pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                refused.Stderr
            );

            // Once it can die, the shim kills it, removes the record and releases the slot.
            freezer.Thaw();
            Assert.True(
                ProcessProbe.WaitUntil(
                    () =>
                        ReinProcess.Run(["run", "--lock", name, "--", "true"], HomeEnv()).ExitCode
                        == 0,
                    TimeSpan.FromSeconds(10)
                ),
                "the slot stayed refused after the survivor died"
            );
            Assert.Empty(Directory.GetFiles(Home, "*.stuck", SearchOption.AllDirectories));
        }
        finally
        {
            freezer.Thaw();
            ProcessProbe.KillAll(Marker);
        }
    }
}
