namespace Rein.Diagnostics;

/// <summary>One doctor check. Implementations read through <see cref="DoctorContext"/> only, so tests can point
/// them at fixtures, and they never throw for bad input: an unreadable or unparsable source is a finding.</summary>
public interface IDoctorCheck
{
    /// <summary>The name used by <c>--check</c> and in the JSON (<c>stuck</c>, <c>memory</c>, ...).</summary>
    string Name { get; }

    IReadOnlyList<Finding> Run(DoctorContext ctx);
}
