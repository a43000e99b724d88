using System.Diagnostics;
using Rein.Running;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>G6 for library hosts: membership is the run's own. A .NET program's own children are never killed or
/// reaped behind the runtime's back, and two guards in one process never touch each other's trees.</summary>
[Collection("Latency")]
public sealed class InProcessGuardTests : RunTestBase
{
    RunSpec Spec(TimeSpan? timeout, params string[] script) =>
        new()
        {
            Command = [Paths.Helper, Marker, .. script],
            Timeout = timeout,
            Grace = TimeSpan.FromMilliseconds(200),
        };

    [Fact]
    public void The_hosts_own_children_survive_a_guarded_run_and_stay_its_to_reap()
    {
        using var own = Process.Start("sleep", "30");
        using (
            var guard = new Guard(
                Spec(TimeSpan.FromMilliseconds(300), "daemon", "[", "hang", "]", "hang")
            )
        )
        {
            var verdict = guard.Run();
            guard.Disarm();
            Assert.Equal(RunOutcome.TimedOut, verdict.Outcome);
        }

        Assert.False(own.HasExited, "the guard killed a child of its host");
        own.Kill();
        Assert.True(own.WaitForExit(5000)); // the runtime still reaps its own child (no fail-fast)
        AssertNoSurvivors();
    }

    [Fact]
    public async Task Two_guards_in_one_process_never_kill_each_others_trees()
    {
        var slow = Task.Run(
            () =>
            {
                using var guard = new Guard(
                    // The background child ends a second before the root: nothing is left to kill, even loaded.
                    Spec(null, "bg", "[", "sleep", "0.5", "]", "sleep", "1.5", "exit", "3")
                );
                var v = guard.Run();
                guard.Disarm();
                return v;
            },
            TestContext.Current.CancellationToken
        );
        await Task.Delay(200, TestContext.Current.CancellationToken);
        using (
            var quick = new Guard(
                Spec(TimeSpan.FromMilliseconds(200), "setsid", "[", "hang", "]", "hang")
            )
        )
        {
            Assert.Equal(RunOutcome.TimedOut, quick.Run().Outcome);
            quick.Disarm();
        }

        var slowVerdict = await slow;
        Assert.Equal(RunOutcome.Exited, slowVerdict.Outcome);
        Assert.Equal(3, slowVerdict.ExitCode);
        Assert.Empty(slowVerdict.PidsKilled);
        AssertNoSurvivors();
    }
}
