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

    /// <summary>The failure as said when the stderr tail was kept (<c>--classify</c>, <c>rein classify</c>): advice
    /// that says "run it with --classify" would send the user in a circle.</summary>
    public static RunFailure TailKept(RunFailure f)
    {
        if (f.Class == Unknown.Class && f.Rule is null)
        {
            return f with
            {
                Advice =
                    "no known failure signature in the output's tail: add a [[classify.rule]] in rein.toml for it (try it with rein classify)",
            };
        }

        var at = f.Advice.IndexOf(": run it with --classify", StringComparison.Ordinal);
        return at < 0
            ? f
            : f with
            {
                Advice =
                    f.Advice[..at]
                    + ": the output's tail shows no traceback either; see its last lines, or run it under a debugger",
            };
    }

    /// <summary>How long the text rules (output and kernel log) may take for one run, all rules and lines
    /// together: a user's slow pattern must not hold the end record back. Past it, only the exit's facts count. Wall
    /// time, and failures come when machines are busy: building the built-in matchers alone took over a second on a
    /// 2-core VM at load 13, so the budget leaves room for that.</summary>
    public static readonly TimeSpan TextBudget = TimeSpan.FromSeconds(3);

    /// <summary>Added to the evidence when <see cref="TextBudget"/> ran out before every text rule was tried.</summary>
    public const string CutShortNote =
        "text rules cut short (classification took over 3 s: a slow [[classify.rule]] regex?)";

    public static RunFailure Classify(ClassificationRules rules, FailureEvidence evidence) =>
        Classify(rules, evidence, TextBudget);

    /// <summary>As <see cref="Classify(ClassificationRules, FailureEvidence)"/>, with the text rules' budget given
    /// (tests).</summary>
    public static RunFailure Classify(
        ClassificationRules rules,
        FailureEvidence evidence,
        TimeSpan textBudget
    )
    {
        var all = rules.All;
        var budget = new Budget(textBudget);
        var found =
            First(all.Where(r => r.Certain), evidence, budget)
            ?? First(all.Where(r => !r.Certain), evidence, budget);
        if (!budget.CutShort)
        {
            return found ?? Unknown;
        }

        return found is null
            ? Unknown with
            {
                Evidence = CutShortNote,
            }
            : found with
            {
                Evidence = found.Evidence + " | " + CutShortNote,
            };
    }

    /// <summary>The text rules' time left; once spent, output and kernel rules are skipped (and that is said).</summary>
    sealed class Budget(TimeSpan limit)
    {
        readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        public bool CutShort { get; private set; }

        public bool Spent()
        {
            if (!CutShort && _clock.Elapsed > limit)
            {
                CutShort = true;
            }

            return CutShort;
        }
    }

    static RunFailure? First(
        IEnumerable<ClassificationRule> rules,
        FailureEvidence evidence,
        Budget budget
    )
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
            var text = rule.Scope != RuleScope.Exit;
            if (text && lines.Count > 0 && budget.Spent())
            {
                continue;
            }

            if (LastMatch(rule, lines, evidence.Pids, text ? budget : null) is var (line, span))
            {
                var evidenceText = Around(line, span, EvidenceLength);
                if (
                    rule.DetailPattern is { } detail
                    && LastDetail(detail, lines, budget) is { } extra
                )
                {
                    evidenceText += " | " + Trimmed(extra, DetailLength);
                }

                return new RunFailure(
                    rule.Class,
                    rule.Hint,
                    rule.Advice,
                    rule.Title,
                    evidenceText,
                    rule.Id,
                    rule.Scope.ToString().ToLowerInvariant()
                );
            }
        }

        return null;
    }

    static string[] Lines(string? text) =>
        text is null
            ? []
            :
            [
                .. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(AnsiText.Strip)
                    .Where(l => l.Length > 0),
            ];

    static (string Line, (int Index, int Length) Span)? LastMatch(
        ClassificationRule rule,
        IReadOnlyList<string> lines,
        IReadOnlySet<int>? pids,
        Budget? budget
    )
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (budget is not null && budget.Spent())
            {
                return null;
            }

            if (
                rule.Matches(lines[i], out var pid, out var span)
                && (pid is null || pids is null || pids.Contains(pid.Value))
            )
            {
                return (lines[i], span);
            }
        }

        return null;
    }

    static string? LastDetail(
        System.Text.RegularExpressions.Regex detail,
        IReadOnlyList<string> lines,
        Budget budget
    )
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (budget.Spent())
            {
                return null;
            }

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

    /// <summary>The evidence from a long line: cut around the match (up to <see cref="LeadIn"/> characters before
    /// it, then the match and what follows), so a match late in a long line is not cut away.</summary>
    internal static string Around(string line, (int Index, int Length) span, int max)
    {
        if (line.Length <= max || span.Index + span.Length <= max - 1)
        {
            return Trimmed(line, max);
        }

        var from = Math.Max(0, Math.Min(span.Index - LeadIn, line.Length - (max - 1)));
        return from == 0 ? Trimmed(line, max) : "…" + Trimmed(line[from..], max - 1);
    }

    const int LeadIn = 80;

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
