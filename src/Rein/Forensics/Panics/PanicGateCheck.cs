using Rein.Journal;

namespace Rein.Forensics.Panics;

/// <summary>What the gate saw: its verdict, the ledger's recent panics, and what it could not read.</summary>
public sealed record PanicGateReport(
    PanicGateVerdict Verdict,
    IReadOnlyList<LedgerPanic> Recent,
    IReadOnlyList<string> Problems
);

/// <summary>One look at the gate: opens the journal, refreshes the ledger, evaluates the staircase.</summary>
public static class PanicGateCheck
{
    /// <exception cref="JournalException">The journal cannot be opened (callers fail open).</exception>
    public static PanicGateReport Run(
        string stateDirectory,
        PanicSources sources,
        string bootId,
        PanicGatePolicy policy,
        DateTimeOffset now
    )
    {
        using var store = JournalStore.Open(stateDirectory);
        return Run(store, sources, bootId, policy, now);
    }

    public static PanicGateReport Run(
        JournalStore store,
        PanicSources sources,
        string bootId,
        PanicGatePolicy policy,
        DateTimeOffset now
    )
    {
        var ledger = new PanicLedger(store, sources, bootId);
        var problems = ledger.Refresh(now);
        var recent = ledger.List(now - policy.LookBack);
        var verdict = PanicGateEvaluator.Evaluate(
            [.. recent.Select(p => p.Panic)],
            ledger.Acks(now - policy.LookBack),
            now,
            policy
        );
        return new PanicGateReport(verdict, recent, problems);
    }
}
