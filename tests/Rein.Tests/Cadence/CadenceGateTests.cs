using Microsoft.Extensions.Time.Testing;
using Rein.Cadence;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Tests.Cadence;

/// <summary>The cadence gate in admission: its refusal, and the hold's heartbeat, release and cancel.</summary>
public sealed class CadenceGateTests : IDisposable
{
    static readonly DateTimeOffset T0 = new(2026, 11, 22, 18, 0, 0, TimeSpan.Zero);

    readonly string _state = Directory.CreateTempSubdirectory("rein-cadence-gate-").FullName;
    readonly FakeTimeProvider _time = new(T0);

    public void Dispose() => Directory.Delete(_state, recursive: true);

    CadenceGuard Guard() => new(_state, CadencePolicy.Default, _time);

    AdmissionContext Context(string runId) =>
        new(new RunSpec { Command = ["python", "serve.py"], RunId = runId }, _time);

    [Fact]
    public void The_hold_beats_while_the_run_lives_and_records_the_release_when_it_ends()
    {
        var guard = Guard();
        var result = new CadenceGate(guard, ["qwen/qwen3-8b"]).TryPass(Context("run-a"));
        Assert.True(result.Passed);
        var load = Assert.Single(guard.Status().Loads);
        Assert.Equal("run-a", load.Token);
        Assert.Equal(Environment.ProcessId, load.Pid);
        Assert.Equal("python serve.py", load.Command);

        _time.Advance(CadenceGate.Heartbeat);
        Assert.Equal(T0 + CadenceGate.Heartbeat, Assert.Single(guard.Status().Loads).SeenAt);

        _time.Advance(TimeSpan.FromSeconds(1));
        result.Hold!.RunEnded(
            new RunVerdict
            {
                RunId = "run-a",
                Outcome = RunOutcome.Exited,
                Duration = TimeSpan.FromSeconds(6),
                StartedAt = T0,
            }
        );
        var ended = Assert.Single(guard.Status().Loads);
        Assert.Equal(T0 + CadenceGate.Heartbeat + TimeSpan.FromSeconds(1), ended.ReleasedAt);
        _time.Advance(CadenceGate.Heartbeat * 3); // no beat after the end
        Assert.Equal(ended, Assert.Single(guard.Status().Loads));
    }

    [Fact]
    public void A_refused_gate_says_which_load_and_a_cancelled_hold_unmarks()
    {
        var guard = Guard();
        var first = new CadenceGate(guard, ["qwen/qwen3-8b"]).TryPass(Context("run-a"));
        var refused = new CadenceGate(guard, ["qwen/qwen3-8b"]).TryPass(Context("run-b"));
        Assert.False(refused.Passed);
        Assert.Equal(RefusalCodes.CadenceSameModel, refused.Refusal!.Code);
        Assert.Equal("cadence", refused.Refusal.Gate);
        Assert.Equal("run-a", refused.Refusal.Holders[0].RunId);
        Assert.True(refused.Refusal.Waitable);
        Assert.Equal(T0.AddSeconds(180), refused.Refusal.RetryAt);

        first.Hold!.Cancel();
        Assert.Empty(guard.Status().Loads);
        Assert.True(new CadenceGate(guard, ["qwen/qwen3-8b"]).TryPass(Context("run-b")).Passed);
    }
}
