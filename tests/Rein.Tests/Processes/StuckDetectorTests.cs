using System.Diagnostics;
using Rein.Processes;
using Rein.Tests.Support;

namespace Rein.Tests.Processes;

/// <summary>"Stuck, cannot be killed" is said only of a process that stays in uninterruptible wait for seconds:
/// a real process frozen with the cgroup v1 freezer, against the real process table.</summary>
public sealed class StuckDetectorTests : IDisposable
{
    readonly string _marker = TestMarker.New(nameof(StuckDetectorTests));
    readonly IProcessTable _table = ProcessTables.Current;
    readonly Process _process;

    public StuckDetectorTests()
    {
        _process = Process.Start(Paths.Helper, [_marker, "hang"]);
    }

    ProcessInfo Read() => _table.Read(_process.Id) ?? throw new InvalidOperationException("gone");

    [Fact]
    public void Process_frozen_for_the_whole_window_is_stuck()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        using var freezer = Freezer.Create();
        freezer.Add(_process.Id);
        freezer.Freeze(_process.Id);

        var clock = Stopwatch.StartNew();
        var stuck = new StuckDetector(_table).FindStuck([Read()]);

        Assert.Equal(_process.Id, Assert.Single(stuck).Pid);
        Assert.True(clock.Elapsed >= StuckDetector.DefaultWindow, $"decided after {clock.Elapsed}");
        Kill();
    }

    [Fact]
    public void Process_in_D_for_a_moment_is_not_stuck_and_the_answer_comes_when_it_leaves_D()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        using var freezer = Freezer.Create();
        freezer.Add(_process.Id);
        freezer.Freeze(_process.Id);
        var candidate = Read();

        var clock = Stopwatch.StartNew();
        var thaw = freezer.ThawAfter(TimeSpan.FromMilliseconds(300));
        var stuck = new StuckDetector(_table).FindStuck([candidate]);
        thaw.Join();

        Assert.Empty(stuck);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"waited {clock.Elapsed}");
        Kill();
    }

    [Fact]
    public void Process_not_in_D_is_answered_without_waiting()
    {
        var clock = Stopwatch.StartNew();
        var stuck = new StuckDetector(_table).FindStuck([Read()]);

        Assert.Empty(stuck);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(100), $"waited {clock.Elapsed}");
    }

    [Fact]
    public void Reused_pid_is_not_taken_for_the_stuck_process_it_replaced()
    {
        Assert.SkipUnless(Freezer.Available, Freezer.Unavailable);
        using var freezer = Freezer.Create();
        freezer.Add(_process.Id);
        freezer.Freeze(_process.Id);
        var earlier = Read() with { StartTime = Read().StartTime - 1 };

        Assert.Empty(new StuckDetector(_table).FindStuck([earlier]));
        Kill();
    }

    void Kill()
    {
        ProcessProbe.KillAll(_marker);
    }

    public void Dispose()
    {
        ProcessProbe.KillAll(_marker);
        _process.Dispose();
    }
}
