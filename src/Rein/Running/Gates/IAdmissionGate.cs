namespace Rein.Running.Gates;

/// <summary>One admission check. <see cref="Admission"/> asks each gate in order, in one wait loop: a gate passes
/// (perhaps taking something the run holds until it ends, like a lock slot) or refuses with a
/// <see cref="Refusal"/>; a refusal that can clear is waited on (with <c>--wait</c>) by calling
/// <see cref="WaitForChange"/>, then the gate is asked again.</summary>
public interface IAdmissionGate
{
    /// <summary>The gate's name in refusals (<c>lock</c>, <c>breaker</c>, <c>memory</c>, …).</summary>
    string Name => GetType().Name;

    /// <summary>Asks once, without waiting.</summary>
    GateResult TryPass(AdmissionContext context);

    /// <summary>Admission is about to wait on this gate (once, before the first progress line): make the wait
    /// visible (a lock's waiter record). May throw like any state-directory access.</summary>
    void BeginWaiting(AdmissionContext context) { }

    /// <summary>Blocks until the gate may pass or <paramref name="max"/> has gone by (whichever first), or the
    /// token is cancelled. A gate with an event to wait for (a lock slot) waits for it; others sleep.</summary>
    void WaitForChange(AdmissionContext context, TimeSpan max, CancellationToken cancel) =>
        cancel.WaitHandle.WaitOne(max);

    /// <summary>Releases what the gate holds while admission is undecided (a waiter record), pass or not.</summary>
    void EndWaiting() { }
}

/// <summary>What a gate said: passed (with what it holds, if anything) or refused.</summary>
public sealed record GateResult(Refusal? Refusal, IAdmissionHold? Hold)
{
    public static readonly GateResult Pass = new(null, null);

    public static GateResult Refuse(Refusal refusal) => new(refusal, null);

    public bool Passed => Refusal is null;
}

/// <summary>Something a passed gate holds for the run (a lock slot, a cadence load record).</summary>
public interface IAdmissionHold
{
    /// <summary>Admission gave up after this gate passed (a later gate refused): let go at once.</summary>
    void Cancel();

    /// <summary>The run ended with this verdict (journal end and breaker already recorded).</summary>
    void RunEnded(RunVerdict verdict);

    /// <summary>Rein failed before it could say how the run ended; the keeper is still armed.</summary>
    void Abandon();
}

/// <summary>The run being admitted, as gates see it.</summary>
public sealed record AdmissionContext(RunSpec Spec, TimeProvider Time)
{
    public string WorkingDirectory { get; init; } =
        Spec.WorkingDirectory ?? Environment.CurrentDirectory;

    /// <summary>Time spent in admission so far (for progress lines and refusals).</summary>
    public TimeSpan Waited { get; set; }
}
