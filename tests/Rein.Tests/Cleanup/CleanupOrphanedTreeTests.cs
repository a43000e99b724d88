using Rein.Platform.Posix;
using Rein.Tests.Support;

namespace Rein.Tests.Cleanup;

/// <summary>The case nothing else covers: rein and its shim killed together (<c>killall -9 rein</c>) leave the
/// tree orphaned; rein cleanup --yes finds it from the journal — also the member that cleared its environment
/// (no marker), through the journal's record of the run's processes.</summary>
public sealed class CleanupOrphanedTreeTests : CleanupTestBase
{
    [Fact]
    public void After_kill_9_of_rein_and_its_shim_cleanup_yes_stops_the_whole_tree_including_a_cleared_environment_member()
    {
        using var rein = ReinProcess.Start(
            RunArgs(
                [],
                // A double-forked daemon without the marker: its parent is gone, so nothing but the journal's
                // record of the run's processes ties it to the run once the shim that adopted it is dead.
                "daemon",
                "[",
                "clearenv",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        var pids = ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(5));
        Assert.Equal(2, pids.Count);
        // The guard samples its tree every 250 ms; give it a few samples to record both members.
        Thread.Sleep(900);
        var shim = ProcessProbe.Table.Snapshot().Single(p => p.ParentPid == rein.Pid).Pid;

        // Both at once, as killall -9 rein does: stopped first, so the shim cannot see rein go and kill the tree.
        LibC.kill(rein.Pid, 19);
        LibC.kill(shim, 19);
        LibC.kill(rein.Pid, LibC.SIGKILL);
        LibC.kill(shim, LibC.SIGKILL);
        rein.WaitForExit(TimeSpan.FromSeconds(5));
        Thread.Sleep(300);
        Assert.All(
            pids,
            pid => Assert.True(Alive(pid), $"pid {pid} died with rein: the test proves nothing")
        );

        var ps = ReinProcess.Run(["ps"], HomeEnv());
        Assert.Contains("no guarded runs alive", ps.Stdout);

        var r = Cleanup("--yes", "--json");
        var doc = Json(r);
        Assert.Equal(0, r.ExitCode);
        foreach (var pid in pids)
        {
            var e = Entry(doc, "processes", pid);
            Assert.True(e is not null, $"pid {pid} not found: {r.Stdout}");
            Assert.Equal("killed", e.Value.GetProperty("action").GetString());
        }

        Assert.All(pids, pid => Assert.True(Gone(pid), $"pid {pid} survived rein cleanup --yes"));
    }
}
