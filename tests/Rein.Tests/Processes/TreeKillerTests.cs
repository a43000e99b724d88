using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Processes;

namespace Rein.Tests.Processes;

public sealed class TreeKillerTests
{
    /// <summary>The shim's group kill ends the command before its walk reads it (a zombie by then): no victim is
    /// reported, yet the command outlived the grace and died of SIGKILL. timeout(1) -v -k says KILL and exits 137
    /// then; the verdict must say escalated (the race CI lost under load).</summary>
    [Fact]
    public void A_member_that_outlived_the_grace_counts_as_escalated_even_when_the_shim_names_no_victim()
    {
        var marker = $"rein-test-{Guid.NewGuid():N}";
        using var sleeper = Process.Start(
            new ProcessStartInfo("sleep", ["30"]) { Environment = { ["REIN_RUN_ID"] = marker } }
        )!;
        var table = ProcessTables.Current;
        var tree = new RunTree(
            table,
            shimPid: 0,
            rootPid: sleeper.Id,
            ownSession: false,
            marker,
            notBefore: 0
        );
        var killer = new TreeKiller(
            table,
            tree,
            pgid: 0,
            grace: TimeSpan.FromMilliseconds(100),
            killWait: TimeSpan.FromSeconds(5),
            shimKill: _ =>
            {
                // What the shim's kill(-group, SIGKILL) does: the member dies, and is not reported as a victim.
                LibC.kill(sleeper.Id, LibC.SIGKILL);
                Assert.True(sleeper.WaitForExit(5000));
                return ([], 0);
            }
        );

        killer.Run(
            0,
            t =>
            {
                Thread.Sleep(t);
                return false;
            }
        );

        Assert.True(sleeper.HasExited);
        Assert.True(killer.Escalated);
    }

    [Fact]
    public void A_member_that_ends_on_the_polite_signal_is_not_an_escalation()
    {
        var marker = $"rein-test-{Guid.NewGuid():N}";
        using var sleeper = Process.Start(
            new ProcessStartInfo("sleep", ["30"]) { Environment = { ["REIN_RUN_ID"] = marker } }
        )!;
        var table = ProcessTables.Current;
        var tree = new RunTree(
            table,
            shimPid: 0,
            rootPid: sleeper.Id,
            ownSession: false,
            marker,
            notBefore: 0
        );
        var killer = new TreeKiller(
            table,
            tree,
            pgid: 0,
            grace: TimeSpan.FromSeconds(5),
            killWait: TimeSpan.FromSeconds(5),
            shimKill: _ => ([], 0)
        );

        killer.Run(
            LibC.SIGTERM,
            t =>
            {
                Thread.Sleep(t);
                sleeper.WaitForExit(0); // reaps it: the test process is its parent, as the shim is a command's
                return false;
            }
        );

        Assert.True(sleeper.WaitForExit(5000));
        Assert.False(killer.Escalated);
    }
}
