using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Tests.Running;

/// <summary>The one wait loop over admission gates: order, waiting on the refusing gate, holds kept or let go.</summary>
public sealed class AdmissionLoopTests
{
    sealed class Hold(List<string> log, string name) : IAdmissionHold
    {
        public void Cancel() => log.Add($"cancel {name}");

        public void RunEnded(RunVerdict verdict) => log.Add($"ended {name}");

        public void Abandon() => log.Add($"abandon {name}");
    }

    /// <summary>Refuses <paramref name="refusals"/> times, then passes holding something.</summary>
    sealed class Gate(List<string> log, string name, int refusals, bool waitable = true)
        : IAdmissionGate
    {
        int _asked;

        public GateResult TryPass(AdmissionContext context)
        {
            log.Add($"ask {name}");
            return _asked++ < refusals
                ? GateResult.Refuse(
                    new Refusal
                    {
                        Code = "test_" + name,
                        Gate = name,
                        Waitable = waitable,
                    }
                )
                : new GateResult(null, new Hold(log, name));
        }

        public void BeginWaiting(AdmissionContext context) => log.Add($"begin {name}");

        public void WaitForChange(
            AdmissionContext context,
            TimeSpan max,
            CancellationToken cancel
        ) => log.Add($"wait {name}");

        public void EndWaiting() => log.Add($"end {name}");
    }

    static AdmissionContext Context() =>
        new(new RunSpec { Command = ["true"] }, TimeProvider.System);

    [Fact]
    public void A_refusing_gate_is_waited_on_and_asked_again_while_earlier_gates_keep_their_holds()
    {
        var log = new List<string>();
        var seen = new List<Refusal>();
        var result = Admission.Admit(
            Context(),
            [new Gate(log, "a", 0), new Gate(log, "b", 2)],
            TimeSpan.FromSeconds(30),
            seen.Add,
            CancellationToken.None
        );
        Assert.True(result.Admitted);
        Assert.Equal(2, result.Holds.Count);
        Assert.Equal(
            // a held something, so it is not asked again after b waited; b stops waiting as soon as it passes.
            [
                "ask a",
                "ask b",
                "begin b",
                "wait b",
                "ask b",
                "wait b",
                "ask b",
                "end b",
                "end a",
                "end b",
            ],
            log
        );
        Assert.Equal("test_b", Assert.Single(seen).Code); // progress at most once a second
    }

    [Fact]
    public void Without_wait_the_first_refusal_is_the_answer_and_earlier_holds_are_let_go()
    {
        var log = new List<string>();
        var result = Admission.Admit(
            Context(),
            [new Gate(log, "a", 0), new Gate(log, "b", 1), new Gate(log, "c", 0)],
            null,
            null,
            CancellationToken.None
        );
        Assert.False(result.Admitted);
        Assert.Equal("test_b", result.Refusal!.Code);
        Assert.Empty(result.Holds);
        Assert.Equal(["ask a", "ask b", "cancel a", "end a", "end b", "end c"], log);
    }

    [Fact]
    public void A_refusal_that_cannot_clear_is_not_waited_on()
    {
        var log = new List<string>();
        var result = Admission.Admit(
            Context(),
            [new Gate(log, "breaker", 1, waitable: false)],
            Timeout.InfiniteTimeSpan,
            null,
            CancellationToken.None
        );
        Assert.False(result.Admitted);
        Assert.DoesNotContain("wait breaker", log);
    }

    /// <summary>Refuses from the <paramref name="refuseFrom"/>th question on, holding nothing (a breaker).</summary>
    sealed class Flip(List<string> log, string name, int refuseFrom) : IAdmissionGate
    {
        int _asked;

        public GateResult TryPass(AdmissionContext context)
        {
            log.Add($"ask {name}");
            return ++_asked >= refuseFrom
                ? GateResult.Refuse(
                    new Refusal
                    {
                        Code = "test_" + name,
                        Gate = name,
                        Waitable = false,
                    }
                )
                : GateResult.Pass;
        }
    }

    [Fact]
    public void After_a_wait_the_earlier_gates_that_hold_nothing_are_asked_again()
    {
        // The breaker passed, the lock had to wait; meanwhile the lock's previous holder tripped the breaker.
        var log = new List<string>();
        var result = Admission.Admit(
            Context(),
            [new Flip(log, "breaker", 2), new Gate(log, "lock", 1)],
            TimeSpan.FromSeconds(30),
            null,
            CancellationToken.None
        );
        Assert.False(result.Admitted);
        Assert.Equal("test_breaker", result.Refusal!.Code);
        Assert.Contains("cancel lock", log);
    }

    sealed class Throwing : IAdmissionGate
    {
        public GateResult TryPass(AdmissionContext context) =>
            throw new IOException("state directory gone");
    }

    [Fact]
    public void An_exception_in_a_later_gate_lets_go_of_what_earlier_gates_took()
    {
        var log = new List<string>();
        Assert.Throws<IOException>(() =>
            Admission.Admit(
                Context(),
                [new Gate(log, "lock", 0), new Throwing()],
                null,
                null,
                CancellationToken.None
            )
        );
        Assert.Contains("cancel lock", log);
    }

    [Fact]
    public void Cancelling_while_waiting_ends_admission_as_interrupted_and_never_admits()
    {
        var log = new List<string>();
        using var cancel = new CancellationTokenSource();
        var gate = new Gate(log, "lock", 1); // would pass on the second question
        var result = Admission.Admit(
            Context(),
            [gate],
            Timeout.InfiniteTimeSpan,
            _ => cancel.Cancel(), // the user presses Ctrl-C at the first progress line
            cancel.Token
        );
        Assert.False(result.Admitted);
        Assert.Equal("interrupted", result.Refusal!.Code);
        Assert.Equal(["ask lock", "begin lock", "wait lock", "end lock"], log);
    }
}
