using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>G3: a lock is never free while a process of the run that held it is alive — after an unkillable end,
/// after a SIGKILL of rein while the keeper cannot kill yet, and in the order verdict → breaker → release.</summary>
[Collection("Latency")]
public sealed class LockGuaranteeTests : RunTestBase
{
    string Lock => "g3-" + Marker[^8..];

    RunResult TryLock(params string[] command) =>
        ReinProcess.Run(["run", "--lock", Lock, "--", .. command], HomeEnv());

    [Fact]
    public void Unkillable_survivors_keep_their_slot_refused_until_they_are_gone()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        using var freezer = Freezer.Create();
        using var holder = ReinProcess.Start(
            RunArgs(
                ["--lock", Lock, "--timeout", "1s", "--grace", "200ms"],
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv(("REIN_KILL_WAIT", "500ms"))
        );
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));
        freezer.Add(pid);
        freezer.Freeze(pid);
        var (code, _) = holder.WaitForExit(TimeSpan.FromSeconds(15));
        Assert.Equal(124, code);

        var refused = TryLock("true");
        Assert.Equal(75, refused.ExitCode);
        Assert.Contains(pid.ToString(), refused.Stderr);

        freezer.Thaw(); // the pending SIGKILL now takes effect
        Assert.True(
            ProcessProbe.WaitUntil(
                () => ProcessProbe.Alive(Marker).Count == 0,
                TimeSpan.FromSeconds(3)
            )
        );
        Assert.Equal(0, TryLock("true").ExitCode);
    }

    [Fact]
    public void After_SIGKILL_of_rein_the_slot_stays_held_until_the_tree_is_dead()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        using var freezer = Freezer.Create();
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", Lock], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));
        freezer.Add(pid);
        freezer.Freeze(pid); // the keeper cannot kill it until it is thawed
        LibC.kill(holder.Pid, LibC.SIGKILL);
        Thread.Sleep(500);

        var refused = TryLock("true");
        Assert.Equal(75, refused.ExitCode);

        freezer.Thaw();
        Assert.True(
            ProcessProbe.WaitUntil(
                () => ProcessProbe.Alive(Marker).Count == 0,
                TimeSpan.FromSeconds(3)
            )
        );
        Assert.True(
            ProcessProbe.WaitUntil(() => TryLock("true").ExitCode == 0, TimeSpan.FromSeconds(3)),
            "the slot was not freed after the tree died"
        );
    }

    /// <summary>The same guarantee where there is no cgroup v1 freezer (GitHub's runners: cgroup v2, not root):
    /// the keeper stopped by SIGSTOP cannot kill either, and the slot must stay held by its copy.</summary>
    [Fact]
    public void After_SIGKILL_of_rein_the_slot_stays_held_while_the_keeper_cannot_act()
    {
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", Lock], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        var shim = ProcessProbe.Table.Children(holder.Pid)!.Single();
        LibC.kill(shim, LibC.SIGSTOP);
        try
        {
            LibC.kill(holder.Pid, LibC.SIGKILL);
            holder.WaitForExit(TimeSpan.FromSeconds(5));

            var refused = TryLock("true");
            Assert.Equal(75, refused.ExitCode);
            Assert.NotEmpty(ProcessProbe.Alive(Marker));
        }
        finally
        {
            LibC.kill(shim, LibC.SIGCONT);
        }

        Assert.True(
            ProcessProbe.WaitUntil(
                () => ProcessProbe.Alive(Marker).Count == 0,
                TimeSpan.FromSeconds(5)
            ),
            "the keeper did not kill the tree once continued"
        );
        Assert.True(
            ProcessProbe.WaitUntil(() => TryLock("true").ExitCode == 0, TimeSpan.FromSeconds(3)),
            "the slot was not freed after the tree died"
        );
    }

    [Fact]
    public void The_retry_breaker_is_recorded_before_the_lock_is_released()
    {
        // A timed-out run trips the breaker; an identical command queued on the lock must find it tripped.
        string[] command = [Paths.Helper, Marker, "hang"];
        using var first = ReinProcess.Start(
            ["run", "--lock", Lock, "--timeout", "1s", "--grace", "100ms", "--", .. command],
            HomeEnv()
        );
        Thread.Sleep(300);
        var queued = ReinProcess.Run(
            ["run", "--lock", Lock, "--wait", "20s", "--", .. command],
            HomeEnv()
        );
        first.WaitForExit(TimeSpan.FromSeconds(10));
        Assert.Equal(75, queued.ExitCode);
        Assert.Contains("breaker", queued.Stderr);
    }
}
