using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Processes;

/// <summary>`rein ps` and lock refusals call a process stuck ("cannot be killed, reboot") only when it stays in
/// uninterruptible wait for seconds; a moment in D (an fsync, direct I/O, a binary being paged in) is not that.
/// Real processes frozen with the cgroup v1 freezer.</summary>
public sealed class StuckCliTests : RunTestBase
{
    JsonElement PsRun(int childPid)
    {
        var ps = ReinProcess.Run(["ps", "--json"], HomeEnv());
        Assert.Equal(0, ps.ExitCode);
        return JsonDocument
            .Parse(ps.Stdout)
            .RootElement.GetProperty("runs")
            .EnumerateArray()
            .Single(r => r.GetProperty("child_pid").GetInt32() == childPid);
    }

    [Fact]
    public void Ps_calls_a_run_stuck_when_its_process_stays_in_D()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        using var rein = ReinProcess.Start(RunArgs([], "pidfile", PidFile, "hang"), HomeEnv());
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));
        using var freezer = Freezer.Create();
        freezer.Add(pid);
        freezer.Freeze(pid);

        var run = PsRun(pid);

        Assert.True(run.GetProperty("stuck").GetBoolean());
        Assert.Equal(pid, Assert.Single(run.GetProperty("stuck_pids").EnumerateArray()).GetInt32());
        freezer.Thaw();
        ProcessProbe.KillAll(Marker);
    }

    [Fact]
    public void Ps_does_not_call_a_run_stuck_for_a_moment_in_D()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        using var rein = ReinProcess.Start(RunArgs([], "pidfile", PidFile, "hang"), HomeEnv());
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));
        using var freezer = Freezer.Create();
        freezer.Add(pid);
        freezer.Freeze(pid);

        var thaw = freezer.ThawAfter(TimeSpan.FromMilliseconds(300));
        var run = PsRun(pid);
        thaw.Join();

        Assert.False(run.GetProperty("stuck").GetBoolean());
        Assert.Empty(run.GetProperty("stuck_pids").EnumerateArray());
        ProcessProbe.KillAll(Marker);
    }

    [Fact]
    public void Busy_lock_calls_its_holder_stuck_only_when_it_stays_in_D()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        var lockName = "dwait-" + Guid.NewGuid().ToString("N")[..8];
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", lockName], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        using var freezer = Freezer.Create();
        freezer.Add(holder.Pid); // the lock holder is the guarding rein
        freezer.Freeze(holder.Pid);

        // In D for a moment: busy, but not "stuck".
        var thaw = freezer.ThawAfter(TimeSpan.FromMilliseconds(300));
        var brief = ReinProcess.Run(["run", "--lock", lockName, "--", "true"], HomeEnv());
        thaw.Join();
        Assert.Equal(75, brief.ExitCode);
        Assert.Contains($"held by rein pid {holder.Pid}", brief.Stderr);
        Assert.DoesNotContain("stuck", brief.Stderr);
        Assert.DoesNotContain("reboot", brief.Stderr);

        // In D throughout: stuck.
        freezer.Freeze(holder.Pid);
        var frozen = ReinProcess.Run(["run", "--lock", lockName, "--", "true"], HomeEnv());
        Assert.Equal(75, frozen.ExitCode);
        Assert.Contains("stuck in uninterruptible wait", frozen.Stderr);

        freezer.Thaw();
        ProcessProbe.KillAll(Marker);
    }

    [Fact]
    public void Busy_lock_with_a_healthy_holder_is_refused_at_once()
    {
        var lockName = "fast-" + Guid.NewGuid().ToString("N")[..8];
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", lockName], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));

        var r = ReinProcess.Run(["run", "--lock", lockName, "--", "true"], HomeEnv());

        Assert.Equal(75, r.ExitCode);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(1), $"refusal took {r.Elapsed}");
        ProcessProbe.KillAll(Marker);
    }
}
