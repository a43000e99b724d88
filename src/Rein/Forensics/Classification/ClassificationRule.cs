using System.Text.RegularExpressions;

namespace Rein.Forensics.Classification;

/// <summary>One rule: where it looks (<see cref="Scope"/>), what it looks for (a substring, or a regex run with a
/// time limit), and the class, hint and advice it gives a failure it matches. Built-in rules are data
/// (BuiltInRules.toml); users add theirs in rein.toml (<c>[[classify.rule]]</c>).</summary>
public sealed record ClassificationRule
{
    /// <summary>How long one regex may take on one line: a user's pattern must never stall the end of a run (the
    /// classifier also bounds all text rules together: <see cref="FailureClassifier.TextBudget"/>). Not tighter: a
    /// first match builds the non-backtracking engine's states, and on a loaded machine 25 ms skipped a built-in
    /// rule (a captured panic got the generic class in CI).</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(200);

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

    /// <summary>The regex's text; null when the rule has a substring.</summary>
    public string? Regex
    {
        get => _regex;
        init
        {
            _regex = value;
            _pattern = value is null ? null : new Lazy<Regex>(() => Compile(value));
        }
    }

    /// <summary>A second regex whose last matching line is added to the evidence (the "Extension modules:" line
    /// of a faulthandler report, say).</summary>
    public string? Detail
    {
        get => _detail;
        init
        {
            _detail = value;
            _detailPattern = value is null ? null : new Lazy<Regex>(() => Compile(value));
        }
    }

    // Compiled on first use: building a non-backtracking matcher costs milliseconds per pattern, and most
    // failures are decided by a few rules (the exit's facts; no stderr tail kept).
    readonly string? _regex;
    readonly string? _detail;
    readonly Lazy<Regex>? _pattern;
    readonly Lazy<Regex>? _detailPattern;

    /// <summary>The compiled <see cref="Detail"/>, or null.</summary>
    public Regex? DetailPattern => _detailPattern?.Value;

    /// <summary>Whether the line matches; for a pattern with a <c>pid</c> group, also the pid it names.</summary>
    public bool Matches(string line, out int? pid) => Matches(line, out pid, out _);

    /// <summary>As <see cref="Matches(string, out int?)"/>, with where the match lies in the line (the evidence is
    /// cut around it).</summary>
    public bool Matches(string line, out int? pid, out (int Index, int Length) span)
    {
        pid = null;
        span = default;
        if (Substring is not null)
        {
            var at = line.IndexOf(Substring, StringComparison.Ordinal);
            span = (Math.Max(at, 0), Substring.Length);
            return at >= 0;
        }

        try
        {
            var m = _pattern!.Value.Match(line);
            if (!m.Success)
            {
                return false;
            }

            span = (m.Index, m.Length);

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

    /// <summary>Throws <see cref="ArgumentException"/> for an invalid pattern (a cheap parse: the matcher itself is
    /// built on first use).</summary>
    public static void Validate(string pattern) =>
        _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);

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
