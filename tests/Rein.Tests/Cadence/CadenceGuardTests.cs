using Microsoft.Extensions.Time.Testing;
using Rein.Cadence;

namespace Rein.Tests.Cadence;

/// <summary>The cadence rules through the guard and its real store, on a fake clock.</summary>
public sealed class CadenceGuardTests : IDisposable
{
    static readonly DateTimeOffset T0 = new(2026, 11, 22, 18, 0, 0, TimeSpan.Zero);

    const string Gemma = "mlx-community/gemma-4-31b-it-8bit";
    const string Qwen = "qwen/qwen3-8b";
    const string Llama = "meta-llama/llama-3.1-8b";

    readonly string _state = Directory.CreateTempSubdirectory("rein-cadence-").FullName;
    readonly FakeTimeProvider _time = new(T0);

    /// <summary>Holders alive unless marked dead here (pid → dead).</summary>
    readonly HashSet<int> _dead = [];

    public void Dispose() => Directory.Delete(_state, recursive: true);

    CadenceGuard Guard(CadencePolicy? policy = null, TimeProvider? time = null) =>
        new(
            _state,
            policy ?? CadencePolicy.Default,
            time ?? _time,
            (pid, _) => !_dead.Contains(pid)
        );

    static CadenceHolder Holder(int pid, string? token = null) =>
        new(token ?? $"run-{pid}", pid, 1000UL + (ulong)pid);

    void At(double seconds) => _time.SetUtcNow(T0.AddSeconds(seconds));

    [Fact]
    public void Same_model_within_the_interval_is_blocked_and_passes_after_it()
    {
        var guard = Guard();
        Assert.Null(guard.TryAcquire([Qwen], Holder(1)));
        At(10);
        guard.ReleaseToken("run-1");

        At(100);
        var block = guard.TryAcquire([Qwen], Holder(2));
        Assert.NotNull(block);
        Assert.Equal(CadenceRule.SameModel, block.Rule);
        Assert.Equal("run-1", block.Blocking.Token);
        // Measured from the release (the later of start and release).
        Assert.Equal(T0.AddSeconds(190), block.RetryAt);
        Assert.Equal(TimeSpan.FromSeconds(90), block.Remaining);
        Assert.Equal("cadence_same_model", block.ToRefusal().Code);

        At(189.9);
        Assert.NotNull(guard.TryAcquire([Qwen], Holder(2)));
        At(190);
        Assert.Null(guard.TryAcquire([Qwen], Holder(2)));
    }

    [Fact]
    public void A_load_still_running_counts_from_its_start_and_a_released_one_from_its_release()
    {
        var guard = Guard();
        guard.TryAcquire([Qwen], Holder(1));
        At(181);
        Assert.Null(guard.Check(Qwen)); // still running, started 181 s ago

        guard.ReleaseToken("run-1"); // released now: the interval starts again
        var block = guard.Check(Qwen);
        Assert.NotNull(block);
        Assert.Equal(T0.AddSeconds(181 + 180), block.RetryAt);
        Assert.Equal("released", block.BlockingState);
    }

    [Fact]
    public void Cross_model_interval_spaces_different_models_and_is_off_by_default()
    {
        Assert.Null(Guard().TryAcquire([Qwen], Holder(1)));
        At(1);
        Assert.Null(Guard().TryAcquire([Llama], Holder(2))); // default 0: off

        var spaced = Guard(
            CadencePolicy.Default with
            {
                CrossModelInterval = TimeSpan.FromSeconds(60),
            }
        );
        At(30);
        var block = spaced.TryAcquire(["other/model-1b"], Holder(3));
        Assert.NotNull(block);
        Assert.Equal(CadenceRule.CrossModel, block.Rule);
        Assert.Equal(Llama, block.Blocking.Model); // the latest other load binds
        Assert.Equal(TimeSpan.FromSeconds(31), block.Remaining);
        Assert.Equal("cadence_cross_model", block.ToRefusal().Code);
        At(61);
        Assert.Null(spaced.TryAcquire(["other/model-1b"], Holder(3)));
    }

    [Theory]
    [InlineData(Gemma, Qwen)] // the family model first, then another
    [InlineData(Qwen, Gemma)] // another first, then the family model
    public void Gemma_floor_applies_with_a_zero_base_in_both_directions(string first, string second)
    {
        var guard = Guard();
        Assert.Equal(TimeSpan.Zero, guard.Policy.CrossModelInterval);
        guard.TryAcquire([first], Holder(1));
        guard.ReleaseToken("run-1");

        At(30);
        var block = guard.TryAcquire([second], Holder(2));
        Assert.NotNull(block);
        Assert.Equal(CadenceRule.FamilyFloor, block.Rule);
        Assert.Equal("gemma-4", block.Family!.Name);
        Assert.Equal(TimeSpan.FromSeconds(60), block.Remaining);
        var refusal = block.ToRefusal();
        Assert.Equal("cadence_family_floor", refusal.Code);
        Assert.Equal(Gemma, refusal.Fact("family_members"));

        At(90);
        Assert.Null(guard.TryAcquire([second], Holder(2)));
    }

    [Fact]
    public void Same_model_rule_wins_when_the_cross_model_rule_would_block_too()
    {
        var plain = Guard();
        plain.Acquire(Qwen, Holder(1)).Dispose();
        At(5);
        plain.Acquire(Llama, Holder(2)).Dispose();

        At(10);
        var strict = Guard(
            CadencePolicy.Default with
            {
                CrossModelInterval = TimeSpan.FromSeconds(600),
            }
        );
        Assert.Equal(CadenceRule.CrossModel, strict.Check("other/model-1b")!.Rule);
        // For Qwen both rules block, and the cross-model block (after Llama, until 605 s) would last longer.
        var block = strict.TryAcquire([Qwen], Holder(3));
        Assert.Equal(CadenceRule.SameModel, block!.Rule);
        Assert.Equal(Qwen, block.Blocking.Model);
        Assert.Equal(T0.AddSeconds(180), block.RetryAt);
    }

    [Fact]
    public void A_stamp_in_the_future_blocks_until_it_has_passed_and_says_so()
    {
        Guard().TryAcquire([Qwen], Holder(1));
        // The clock moved back five minutes (a second clock: FakeTimeProvider only moves forward).
        var earlier = new FakeTimeProvider(T0.AddMinutes(-5));
        var guard = Guard(time: earlier);
        var block = guard.TryAcquire([Qwen], Holder(2));
        Assert.NotNull(block);
        Assert.Equal(CadenceRule.Clock, block.Rule);
        Assert.Equal(CadenceRule.SameModel, block.ClockRule);
        Assert.Equal(T0, block.RetryAt);
        Assert.Equal(TimeSpan.FromMinutes(5), block.Remaining);
        Assert.Equal("cadence_clock", block.ToRefusal().Code);
        // A rule that does not consult the record (cross model is off, no family) is not held up.
        Assert.Null(guard.Check(Llama));

        earlier.SetUtcNow(T0.AddSeconds(1));
        Assert.Equal(CadenceRule.SameModel, guard.Check(Qwen)!.Rule); // the ordinary rule again
    }

    [Fact]
    public void A_holder_that_died_counts_as_released_at_its_last_sign_of_life()
    {
        var guard = Guard();
        guard.TryAcquire([Qwen], Holder(7));
        At(20);
        guard.Touch("run-7"); // a heartbeat
        At(30);
        _dead.Add(7);

        At(100);
        var block = guard.TryAcquire([Qwen], Holder(8));
        Assert.NotNull(block);
        Assert.Equal("vanished", block.BlockingState);
        Assert.Equal(T0.AddSeconds(20), block.Blocking.ReleasedAt);
        Assert.Equal(T0.AddSeconds(200), block.RetryAt);
        Assert.Equal("vanished", guard.Status().Loads.Single().Release); // and it is on record
    }

    [Fact]
    public void Forget_unmarks_a_load_that_never_happened()
    {
        var guard = Guard();
        Assert.Null(guard.TryAcquire([Qwen], Holder(1)));
        Assert.NotNull(guard.Check(Qwen));
        guard.Forget("run-1");
        Assert.Null(guard.TryAcquire([Qwen], Holder(2)));
    }

    [Fact]
    public void A_run_of_several_models_marks_them_all_in_one_step()
    {
        var guard = Guard();
        Assert.Null(guard.TryAcquire([Qwen, Llama], Holder(1)));
        Assert.Equal(CadenceRule.SameModel, guard.Check(Qwen)!.Rule);
        Assert.Equal(CadenceRule.SameModel, guard.Check(Llama)!.Rule);
        Assert.Equal(2, guard.Status().Loads.Count);
        // Blocked as a whole: nothing of the second run is marked.
        Assert.NotNull(guard.TryAcquire(["other/new-1b", Qwen], Holder(2)));
        Assert.Null(guard.Check("other/new-1b"));
    }

    [Fact]
    public void Acquire_throws_violations_that_carry_the_blocking_load_and_the_time_left()
    {
        var guard = Guard();
        using (guard.Acquire(Gemma, Holder(1))) { } // released when disposed
        At(10);
        var same = Assert.Throws<CadenceViolation>(() => guard.Acquire(Gemma, Holder(2)));
        Assert.IsNotType<CrossModelCadenceViolation>(same);
        Assert.Equal(Gemma, same.BlockingLoad.Model);
        Assert.Equal(TimeSpan.FromSeconds(170), same.Remaining);

        var cross = Assert.Throws<CrossModelCadenceViolation>(() => guard.Acquire(Qwen, Holder(3)));
        Assert.Equal("gemma-4", cross.Family!.Name);
        Assert.Equal(TimeSpan.FromSeconds(80), cross.Remaining);
    }

    [Fact]
    public async Task AcquireAsync_waits_on_the_clock_until_the_block_clears()
    {
        var guard = Guard();
        guard.Acquire(Qwen, Holder(1)).Dispose();
        var cancel = TestContext.Current.CancellationToken;
        var waiting = guard.AcquireAsync([Qwen], TimeSpan.FromMinutes(5), Holder(2), cancel);
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(181));
        using var lease = await waiting.WaitAsync(TimeSpan.FromSeconds(10), cancel);
        Assert.Equal([Qwen], lease.Models);

        var tooShort = guard.AcquireAsync([Qwen], TimeSpan.FromSeconds(30), Holder(3), cancel);
        _time.Advance(TimeSpan.FromSeconds(31));
        await Assert.ThrowsAsync<CadenceViolation>(() =>
            tooShort.WaitAsync(TimeSpan.FromSeconds(10), cancel)
        );
    }

    [Fact]
    public void Status_shows_the_windows_each_load_imposes()
    {
        var guard = Guard();
        guard.Acquire(Gemma, Holder(1)).Dispose();
        At(30);
        var s = guard.Status();
        var same = Assert.Single(s.Windows, w => w.Rule == CadenceRule.SameModel);
        Assert.Equal(Gemma, same.Scope);
        Assert.Equal(T0.AddSeconds(180), same.Until);
        var others = Assert.Single(s.Windows, w => w.Scope == CadenceSnapshot.OtherModels);
        Assert.Equal(CadenceRule.FamilyFloor, others.Rule);
        Assert.Equal(T0.AddSeconds(90), others.Until);
    }

    [Fact]
    public void The_store_is_private_and_never_followed_through_a_link()
    {
        var guard = Guard();
        guard.TryAcquire([Qwen], Holder(1));
        var mode = File.GetUnixFileMode(guard.StorePath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);

        var target = Path.Combine(_state, "elsewhere");
        File.WriteAllText(target, "{}");
        File.Delete(guard.StorePath);
        File.CreateSymbolicLink(guard.StorePath, target);
        Assert.Throws<Rein.Config.StateDirectoryException>(() =>
            guard.TryAcquire([Llama], Holder(2))
        );
        Assert.Equal("{}", File.ReadAllText(target));
    }

    [Fact]
    public void Leftover_bytes_after_the_end_line_are_ignored_and_a_torn_store_is_moved_aside()
    {
        var guard = Guard();
        guard.TryAcquire([Qwen], Holder(1));
        var whole = File.ReadAllText(guard.StorePath);
        Assert.EndsWith("end 1\n", whole);

        // A crash between writing a shorter version and cutting the file: the old tail stays behind the end line.
        File.WriteAllText(guard.StorePath, whole + "leftover\tof an older\tversion\n");
        Assert.Equal(CadenceRule.SameModel, guard.Check(Qwen)!.Rule);

        // Cut short (no end line): not trusted; kept aside as evidence, and the store starts over.
        File.WriteAllText(guard.StorePath, whole[..^8]);
        Assert.Null(guard.TryAcquire([Llama], Holder(2)));
        Assert.NotNull(guard.MovedAside);
        Assert.Equal(whole[..^8], File.ReadAllText(guard.MovedAside));
        Assert.Equal(Llama, Assert.Single(guard.Status().Loads).Model);
    }
}
