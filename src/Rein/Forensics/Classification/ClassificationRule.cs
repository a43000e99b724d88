using System.Text.RegularExpressions;

namespace Rein.Forensics.Classification;

/// <summary>One rule: where it looks (<see cref="Scope"/>), what it looks for (a substring, or a regex run with a
/// time limit), and the class, hint and advice it gives a failure it matches. Built-in rules are data
/// (BuiltInRules.toml); users add theirs in rein.toml (<c>[[classify.rule]]</c>).</summary>
public sealed record ClassificationRule
{
    /// <summary>How long one regex may take on one line: a user's pattern must never stall the end of a run.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public required string Id { get; init; }

    public required string Class { get; init; }

    public required string Hint { get; init; }

    public required string Advice { get; init; }

    /// <summary>The class in words; the class id when the rule gives none.</summary>
    public required string Title { get; init; }

    public RuleScope Scope { get; init; } = RuleScope.Output;

    /// <summary>A certain rule is tried before every uncertain one: a fact (the memory cap was hit, a process is
    /// unkillable) outranks what the output suggests.</summary>
    public bool Certain { get; init; }

    /// <summary>Matched as is (ordinal, case-sensitive); null when the rule has a regex.</summary>
    public string? Substring { get; init; }

    public Regex? Pattern { get; init; }

    /// <summary>A second pattern whose last matching line is added to the evidence (the "Extension modules:" line
    /// of a faulthandler report, say).</summary>
    public Regex? Detail { get; init; }

    /// <summary>Whether the line matches; for a pattern with a <c>pid</c> group, also the pid it names.</summary>
    public bool Matches(string line, out int? pid)
    {
        pid = null;
        if (Substring is not null)
        {
            return line.Contains(Substring, StringComparison.Ordinal);
        }

        try
        {
            var m = Pattern!.Match(line);
            if (!m.Success)
            {
                return false;
            }

            if (m.Groups["pid"] is { Success: true } g && int.TryParse(g.ValueSpan, out var p))
            {
                pid = p;
            }

            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // a pathological line for this pattern: no match rather than a stalled rein
        }
    }

    /// <summary>Compiles a pattern without backtracking when it can (linear time), else with backtracking; either
    /// way under <see cref="MatchTimeout"/>. Throws <see cref="ArgumentException"/> for an invalid pattern.</summary>
    public static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(
                pattern,
                RegexOptions.NonBacktracking | RegexOptions.CultureInvariant,
                MatchTimeout
            );
        }
        catch (NotSupportedException)
        {
            // Backreferences, lookarounds and atomic groups need the backtracking engine.
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
    }
}
