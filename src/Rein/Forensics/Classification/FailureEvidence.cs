namespace Rein.Forensics.Classification;

/// <summary>What the classifier reads about one failed run.</summary>
/// <param name="ExitFacts">Lines about how it ended (<see cref="ExitFacts"/>).</param>
/// <param name="Output">The tail of its stderr, when rein relayed it; null otherwise.</param>
/// <param name="KernelLog">Kernel log lines of the run's time, when readable; empty otherwise.</param>
/// <param name="Pids">The run's processes: a kernel rule with a <c>pid</c> group counts only lines about one of
/// them. Null accepts any pid (<c>rein classify</c> on a saved log).</param>
public sealed record FailureEvidence(
    IReadOnlyList<string> ExitFacts,
    string? Output,
    IReadOnlyList<string> KernelLog,
    IReadOnlySet<int>? Pids
);
