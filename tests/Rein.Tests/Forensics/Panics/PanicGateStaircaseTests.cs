using Microsoft.Extensions.Time.Testing;
using Rein.Forensics.Panics;
using Rein.Journal;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Tests.Forensics.Panics;

/// <summary>The staircase over every transition, on a fake clock: 1 panic → cooldown; 2 in 24h and 3 in 72h →
/// lockout; ack lifts it, expires, and a newer panic voids it; the 72h maximum; the 2-in-1h breaker.</summary>
public sealed class PanicGateStaircaseTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);

    readonly FakeTimeProvider _time = new(T0);
    readonly List<PanicRecord> _panics = [];
    readonly List<PanicAck> _acks = [];

    static TimeSpan H(double hours) => TimeSpan.FromHours(hours);

    void Panic(DateTimeOffset at) =>
        _panics.Add(
            new PanicRecord
            {
                Source = $"test-{_panics.Count}",
                Time = at,
                Kind = PanicKinds.Report,
                SignatureClass = SignatureClasses.PrepareCountUnderflow,
                Signature = "IOGPUMemory.cpp:550 completeMemory() prepare count underflow",
            }
        );

    void Ack() => _acks.Add(new PanicAck(_acks.Count + 1, _time.GetUtcNow(), "tester"));

    void At(TimeSpan sinceT0) => _time.SetUtcNow(T0 + sinceT0);

    PanicGateVerdict Verdict(PanicGatePolicy? policy = null) =>
        PanicGateEvaluator.Evaluate(
            _panics,
            _acks,
            _time.GetUtcNow(),
            policy ?? new PanicGatePolicy()
        );

    /// <summary>The same verdict as an admission gate sees it (through AdmissionContext's TimeProvider).</summary>
    GateResult Gate() =>
        new PanicGate(
            now => new PanicGateReport(
                PanicGateEvaluator.Evaluate(_panics, _acks, now, new PanicGatePolicy()),
                [],
                []
            ),
            ["org/model-a"],
            _ => { }
        ).TryPass(new AdmissionContext(new RunSpec { Command = ["true"] }, _time));

    [Fact]
    public void No_panic_is_clear()
    {
        Assert.Equal(PanicGateState.Clear, Verdict().State);
        Assert.True(Gate().Passed);
    }

    [Fact]
    public void One_panic_cools_down_for_two_hours_from_it()
    {
        Panic(T0);
        At(H(1));
        var v = Verdict();
        Assert.Equal(PanicGateState.Cooldown, v.State);
        Assert.Equal(PanicGateRules.OnePanic, v.Rule);
        Assert.Equal(T0 + H(2), v.Until);

        var refusal = Gate().Refusal!;
        Assert.Equal(RefusalCodes.PanicCooldown, refusal.Code);
        Assert.Equal(T0 + H(2), refusal.RetryAt);
        Assert.False(refusal.Waitable);
        Assert.Equal(T0, Assert.Single(refusal.Holders).Since);

        At(H(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(PanicGateState.Clear, Verdict().State);
    }

    [Fact]
    public void Two_panics_within_24h_lock_out_until_72h_after_the_first()
    {
        Panic(T0);
        Panic(T0 + H(5));
        At(H(8)); // both cooldowns over
        var v = Verdict();
        Assert.Equal(PanicGateState.Lockout, v.State);
        Assert.Equal(PanicGateRules.LockoutDay, v.Rule);
        Assert.Equal(T0 + H(72), v.Until);
        Assert.Equal(2, v.Panics.Count);

        var refusal = Gate().Refusal!;
        Assert.Equal(RefusalCodes.PanicLockout, refusal.Code);
        Assert.Equal(T0 + H(72), refusal.RetryAt);
        Assert.Equal(2, refusal.Holders.Count);

        At(H(48)); // the 24 h window has passed, the lockout has not
        Assert.Equal(PanicGateState.Lockout, Verdict().State);
    }

    [Fact]
    public void A_lockout_lifts_by_itself_72h_after_its_earliest_panic()
    {
        Panic(T0);
        Panic(T0 + H(5));
        At(H(72) - TimeSpan.FromSeconds(1));
        Assert.Equal(PanicGateState.Lockout, Verdict().State);
        At(H(72) + TimeSpan.FromSeconds(1));
        Assert.Equal(PanicGateState.Clear, Verdict().State);
        Assert.True(Gate().Passed);
    }

    [Fact]
    public void Three_panics_within_72h_lock_out_two_far_apart_do_not()
    {
        Panic(T0);
        Panic(T0 + H(30));
        At(H(33));
        Assert.Equal(PanicGateState.Clear, Verdict().State); // 30 h apart: neither 2-in-24h nor 3-in-72h

        Panic(T0 + H(60));
        At(H(63));
        var v = Verdict();
        Assert.Equal(PanicGateState.Lockout, v.State);
        Assert.Equal(PanicGateRules.LockoutWindow, v.Rule);
        Assert.Equal(T0 + H(72), v.Until);
        Assert.Equal(3, v.Panics.Count);

        At(H(72) + TimeSpan.FromSeconds(1));
        Assert.Equal(PanicGateState.Clear, Verdict().State);
    }

    [Fact]
    public void An_ack_lifts_the_lockout_for_24h_then_it_returns()
    {
        Panic(T0);
        Panic(T0 + H(1));
        At(H(4));
        Assert.Equal(PanicGateState.Lockout, Verdict().State);

        Ack();
        var v = Verdict();
        Assert.Equal(PanicGateState.Clear, v.State);
        Assert.Equal(T0 + H(4) + H(24), v.AckValidUntil);
        Assert.Equal(PanicGateRules.LockoutDay, v.AckedLockout!.Rule);
        Assert.True(Gate().Passed);

        At(H(28) - TimeSpan.FromSeconds(1));
        Assert.Equal(PanicGateState.Clear, Verdict().State);
        At(H(28) + TimeSpan.FromSeconds(1)); // the ack expired; the lockout (until T0+72h) is back
        var back = Verdict();
        Assert.Equal(PanicGateState.Lockout, back.State);
        Assert.Equal(T0 + H(72), back.Until);
    }

    [Fact]
    public void A_panic_newer_than_the_ack_voids_it()
    {
        Panic(T0);
        Panic(T0 + H(1));
        At(H(4));
        Ack();
        Assert.Equal(PanicGateState.Clear, Verdict().State);

        Panic(T0 + H(10));
        At(H(13)); // the new panic's cooldown is over, the ack is within its 24 h
        var v = Verdict();
        Assert.Equal(PanicGateState.Lockout, v.State);
        Assert.Null(v.Ack);
    }

    [Fact]
    public void An_ack_does_not_shorten_a_cooldown()
    {
        Panic(T0);
        Panic(T0 + H(1));
        At(H(1.5));
        Ack();
        var v = Verdict();
        Assert.Equal(PanicGateState.Cooldown, v.State);
        Assert.Equal(T0 + H(3), v.Until);
        Assert.NotNull(v.Ack);
    }

    [Fact]
    public void Two_panics_within_an_hour_trip_the_breaker_for_an_hour_from_the_second()
    {
        // The one-panic cooldown (2 h) and the lockout would hide the breaker with the default thresholds: set
        // them apart so the breaker's own window and cooldown show.
        var policy = new PanicGatePolicy
        {
            Cooldown = TimeSpan.FromMinutes(30),
            LockoutInDay = 0,
            LockoutInWindow = 0,
        };
        Panic(T0);
        Panic(T0 + TimeSpan.FromMinutes(20));
        At(TimeSpan.FromMinutes(51)); // the one-panic cooldown ended at 50m
        var v = Verdict(policy);
        Assert.Equal(PanicGateState.Cooldown, v.State);
        Assert.Equal(PanicGateRules.Breaker, v.Rule);
        Assert.Equal(T0 + TimeSpan.FromMinutes(80), v.Until);
        Assert.Equal(2, v.Panics.Count);

        At(TimeSpan.FromMinutes(81));
        Assert.Equal(PanicGateState.Clear, Verdict(policy).State);
    }

    [Fact]
    public void Two_panics_more_than_an_hour_apart_do_not_trip_the_breaker()
    {
        var policy = new PanicGatePolicy
        {
            Cooldown = TimeSpan.FromMinutes(30),
            LockoutInDay = 0,
            LockoutInWindow = 0,
        };
        Panic(T0);
        Panic(T0 + H(1.5));
        At(H(2.1));
        Assert.Equal(PanicGateState.Clear, Verdict(policy).State);
    }

    [Fact]
    public void A_gate_that_cannot_read_the_journal_warns_once_and_lets_the_run_proceed()
    {
        var warnings = new List<string>();
        var gate = new PanicGate(
            _ => throw new JournalException("cannot open the journal: disk I/O error"),
            ["org/model-a"],
            warnings.Add
        );
        var context = new AdmissionContext(new RunSpec { Command = ["true"] }, _time);
        Assert.True(gate.TryPass(context).Passed);
        Assert.True(gate.TryPass(context).Passed);
        var warning = Assert.Single(warnings);
        Assert.Contains("fail-open", warning);
        Assert.Contains("disk I/O error", warning);
    }

    [Fact]
    public void A_gate_that_cannot_read_a_folder_says_so_and_decides_on_what_it_read()
    {
        Panic(T0);
        At(H(1));
        var warnings = new List<string>();
        var gate = new PanicGate(
            now => new PanicGateReport(
                PanicGateEvaluator.Evaluate(_panics, _acks, now, new PanicGatePolicy()),
                [],
                ["cannot read /Library/Logs/DiagnosticReports"]
            ),
            ["org/model-a"],
            warnings.Add
        );
        var result = gate.TryPass(new AdmissionContext(new RunSpec { Command = ["true"] }, _time));
        Assert.Equal(RefusalCodes.PanicCooldown, result.Refusal!.Code);
        Assert.Contains("cannot read /Library/Logs/DiagnosticReports", Assert.Single(warnings));
    }

    [Fact]
    public void Admission_asking_again_within_30s_reuses_the_ledger_unless_the_verdict_ran_out()
    {
        Panic(T0);
        At(H(2) - TimeSpan.FromSeconds(10));
        var reads = 0;
        var gate = new PanicGate(
            now =>
            {
                reads++;
                return new PanicGateReport(
                    PanicGateEvaluator.Evaluate(_panics, _acks, now, new PanicGatePolicy()),
                    [],
                    []
                );
            },
            ["org/model-a"],
            _ => { }
        );
        var context = new AdmissionContext(new RunSpec { Command = ["true"] }, _time);
        Assert.False(gate.TryPass(context).Passed);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(gate.TryPass(context).Passed);
        Assert.Equal(1, reads);

        _time.Advance(TimeSpan.FromSeconds(6)); // the cooldown ended: read again, and pass
        Assert.True(gate.TryPass(context).Passed);
        Assert.Equal(2, reads);
    }
}
