namespace Rein.Forensics.Classification;

/// <summary>Why a guarded run failed, as rein's classifier reads it: the <c>failure</c> object of <c>rein.run/1</c>
/// and of the journal (docs/schemas.md).</summary>
/// <param name="Class">A stable snake_case class (<c>cuda_oom</c>, <c>memory_cap</c>, <c>unknown</c>…).</param>
/// <param name="Hint">What to do next, for a program (<c>reduce_memory</c>, <c>reboot</c>, <c>wait_lockout</c>…).</param>
/// <param name="Advice">The same for a person, one line.</param>
/// <param name="Title">The class in words (<c>CUDA out of memory</c>).</param>
/// <param name="Evidence">The line that matched, trimmed to about 200 characters; null for <c>unknown</c>.</param>
/// <param name="Rule">The id of the rule that matched; null for <c>unknown</c>.</param>
/// <param name="Source">Where the evidence came from: <c>output</c> (the stderr tail), <c>kernel</c> (the kernel
/// log), <c>exit</c> (how the run ended), <c>none</c>.</param>
public sealed record RunFailure(
    string Class,
    string Hint,
    string Advice,
    string Title,
    string? Evidence,
    string? Rule,
    string Source
);
