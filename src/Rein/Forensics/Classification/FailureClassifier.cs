using Rein.Running;

namespace Rein.Forensics.Classification;

/// <summary>
/// Turns a failed run's evidence into a <see cref="RunFailure"/>: the certain rules first (in rule order: the
/// user's, then the built-in ones), then all others in rule order; the first rule that matches wins, on the last
/// line it matches (the most recent). Nothing matched: <c>unknown</c>. A successful run is never classified.
/// </summary>
public static class FailureClassifier
{
    const int EvidenceLength = 200;
    const int DetailLength = 120;

    /// <summary>Whether a verdict is a failure the classifier explains: the command failed, was stopped by a limit
    /// or a cap, died of a signal, or left an unkillable process. Not: success, a refusal, a start failure (its
    /// message says it all), rein's own failure, or a run the user interrupted.</summary>
    public static bool Failed(RunVerdict v) =>
        v.Unkillable.Count > 0
        || v.Outcome switch
        {
            RunOutcome.Exited => v.ExitCode is not null and not 0,
            RunOutcome.Signaled
            or RunOutcome.TimedOut
            or RunOutcome.IdleTimeout
            or RunOutcome.MemoryExceeded
            or RunOutcome.MaxProcsExceeded => true,
            _ => false,
        };

    public static RunFailure Unknown { get; } =
        new(
            "unknown",
            "investigate",
            "no known failure signature: keep the stderr tail with --classify (or add a [[classify.rule]] in rein.toml)",
            "an unknown failure",
            null,
            null,
            "none"
        );

    public static RunFailure Classify(ClassificationRules rules, FailureEvidence evidence)
    {
        var all = rules.All;
        return First(all.Where(r => r.Certain), evidence)
            ?? First(all.Where(r => !r.Certain), evidence)
            ?? Unknown;
    }

    static RunFailure? First(IEnumerable<ClassificationRule> rules, FailureEvidence evidence)
    {
        string[]? outputLines = null;
        foreach (var rule in rules)
        {
            var lines = rule.Scope switch
            {
                RuleScope.Exit => evidence.ExitFacts,
                RuleScope.Kernel => evidence.KernelLog,
                _ => outputLines ??= Lines(evidence.Output),
            };
            if (LastMatch(rule, lines, evidence.Pids) is { } line)
            {
                var text = Trimmed(line, EvidenceLength);
                if (rule.DetailPattern is { } detail && LastDetail(detail, lines) is { } extra)
                {
                    text += " | " + Trimmed(extra, DetailLength);
                }

                return new RunFailure(
                    rule.Class,
                    rule.Hint,
                    rule.Advice,
                    rule.Title,
                    text,
                    rule.Id,
                    rule.Scope.ToString().ToLowerInvariant()
                );
            }
        }

        return null;
    }

    static string[] Lines(string? text) =>
        text is null ? [] : text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    static string? LastMatch(
        ClassificationRule rule,
        IReadOnlyList<string> lines,
        IReadOnlySet<int>? pids
    )
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (
                rule.Matches(lines[i], out var pid)
                && (pid is null || pids is null || pids.Contains(pid.Value))
            )
            {
                return lines[i];
            }
        }

        return null;
    }

    static string? LastDetail(
        System.Text.RegularExpressions.Regex detail,
        IReadOnlyList<string> lines
    )
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            try
            {
                if (detail.IsMatch(lines[i]))
                {
                    return lines[i];
                }
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>One line for a record: control characters (colour codes, a carriage return's progress bar) become
    /// spaces, whitespace is trimmed, and a long line is cut to <paramref name="max"/> characters.</summary>
    internal static string Trimmed(string line, int max)
    {
        var clean = string.Create(
            line.Length,
            line,
            (span, s) =>
            {
                for (var i = 0; i < s.Length; i++)
                {
                    span[i] = char.IsControl(s[i]) ? ' ' : s[i];
                }
            }
        );
        clean = clean.Trim();
        return clean.Length <= max ? clean : clean[..(max - 1)] + "…";
    }
}
