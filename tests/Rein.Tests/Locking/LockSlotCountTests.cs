using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Locking;

/// <summary>One lock name, one slot count (issue 20 item 8): `--lock gpu` beside `--lock gpu:4` holders would
/// overlap silently, so a request with another count is refused (125, both counts named) while any slot is held,
/// and accepted again once none is.</summary>
public sealed class LockSlotCountTests : RunTestBase
{
    string Lock { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    string Ran => Path.Combine(Scratch, "ran");

    [Fact]
    public void Another_count_is_refused_while_a_slot_is_held_and_accepted_once_none_is()
    {
        using var holder = ReinProcess.Start(
            ["run", "--lock", $"{Lock}:4", "--", Paths.Helper, Marker, "pidfile", PidFile, "hang"],
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        var other = ReinProcess.Run(
            ["run", "--lock", Lock, "--", Paths.Helper, Marker, "touch", Ran],
            HomeEnv()
        );
        var same = ReinProcess.Run(["run", "--lock", $"{Lock}:4", "--", "true"], HomeEnv());

        Assert.Equal(125, other.ExitCode);
        Assert.Equal(
            $"rein run: lock '{Lock}' is held with 4 slot(s) and this run asked for 1 (--lock {Lock}): "
                + $"use --lock {Lock}:4 as its holders do, or another name; the count can change once no slot is held\n",
            other.Stderr
        );
        Assert.False(File.Exists(Ran));
        Assert.True(same.ExitCode == 0, same.Stderr); // the same count shares the lock as before

        ProcessProbe.KillAll(Marker);
        holder.Wait(TimeSpan.FromSeconds(20));
        var after = ReinProcess.Run(
            ["run", "--lock", Lock, "--", Paths.Helper, Marker, "touch", Ran],
            HomeEnv()
        );
        Assert.True(after.ExitCode == 0, after.Stderr);
        Assert.True(File.Exists(Ran));
    }

    [Fact]
    public void A_waiting_request_with_another_count_is_refused_not_queued()
    {
        using var holder = ReinProcess.Start(
            ["run", "--lock", $"{Lock}:2", "--", Paths.Helper, Marker, "pidfile", PidFile, "hang"],
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        var waiting = ReinProcess.Run(
            ["run", "--lock", $"{Lock}:3", "--wait", "30s", "--", "true"],
            HomeEnv()
        );

        Assert.Equal(125, waiting.ExitCode);
        Assert.Contains("is held with 2 slot(s) and this run asked for 3", waiting.Stderr);
        Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(10), $"took {waiting.Elapsed}");
        ProcessProbe.KillAll(Marker);
    }
}
