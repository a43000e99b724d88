using System.Text.RegularExpressions;

namespace Rein.Lint.Python;

/// <summary>The loop and fan-out audit over one file's logical lines. Heuristics over text, each finding saying
/// what it saw; see docs/manual/prevent.md for what they miss and where they guess.</summary>
internal static partial class PythonRules
{
    public static IEnumerable<LintFinding> Check(string file, IReadOnlyList<PythonLine> lines)
    {
        var scope = new PythonScope(lines);
        for (var i = 0; i < lines.Count; i++)
        {
            var code = lines[i].Code;
            if (
                While().Match(code) is { Success: true } w
                && UnboundedLoop(scope, i, w) is { } loop
            )
            {
                yield return Finding(
                    file,
                    lines[i].Line,
                    LintSeverity.Warning,
                    "python/unbounded-loop",
                    loop.Message,
                    loop.Fix,
                    loop.Construct
                );
            }

            foreach (Match m in Spawn().Matches(code))
            {
                if (SpawnInLoop(scope, i, m) is { } spawn)
                {
                    yield return Finding(
                        file,
                        lines[i].Line,
                        LintSeverity.Warning,
                        "python/spawn-in-loop",
                        spawn.Message,
                        spawn.Fix,
                        spawn.Construct
                    );
                }
            }

            foreach (Match m in Gather().Matches(code))
            {
                if (UnboundedGather(scope, i, m) is { } gather)
                {
                    yield return Finding(
                        file,
                        lines[i].Line,
                        LintSeverity.Warning,
                        "python/unbounded-gather",
                        gather.Message,
                        gather.Fix,
                        gather.Construct
                    );
                }
            }

            foreach (Match m in PoolCall().Matches(code))
            {
                if (PoolWithoutMax(code, m) is { } pool)
                {
                    var severity = m.Groups[1].Value.StartsWith("Thread", StringComparison.Ordinal)
                        ? LintSeverity.Info
                        : LintSeverity.Warning;
                    yield return Finding(
                        file,
                        lines[i].Line,
                        severity,
                        "python/pool-without-max",
                        pool.Message,
                        pool.Fix,
                        pool.Construct
                    );
                }
            }
        }
    }

    sealed record Result(string Construct, string Message, string Fix);

    static LintFinding Finding(
        string file,
        int line,
        LintSeverity severity,
        string rule,
        string message,
        string fix,
        string construct
    ) =>
        new(file, line, severity, rule, message, fix)
        {
            Details = new LintDetails { Construct = construct },
        };

    static Result? UnboundedLoop(PythonScope scope, int index, Match header)
    {
        var condition = header.Groups[1].Value.Trim();
        var isForever = condition is "True" or "1" or "(True)";
        if (!isForever && !condition.StartsWith("not ", StringComparison.Ordinal))
        {
            return null;
        }

        var body = header.Groups[2].Value + "\n" + scope.BodyText(index);
        if (
            Deadline().IsMatch(condition)
            || Deadline().IsMatch(body)
            || Comparison().IsMatch(condition)
            || EofGuard().IsMatch(body)
            || BoundedCounter(body)
        )
        {
            return null;
        }

        var construct = isForever ? "while True" : "while not";
        var exits = Exit().IsMatch(body) ? "" : "; nothing in it breaks out either";
        return new Result(
            construct,
            $"`while {condition}:` has no deadline: neither its condition nor its body checks time.monotonic(), a "
                + $"deadline or a timeout, and no counter bounds it{exits}",
            "bound it: deadline = time.monotonic() + LIMIT and `while time.monotonic() < deadline:` (or count the "
                + "attempts and stop); a loop meant to run forever belongs under a supervisor with a heartbeat"
        );
    }

    /// <summary>A counter incremented in the body and compared in it (<c>tries += 1</c> … <c>if tries >= 5</c>).</summary>
    static bool BoundedCounter(string body)
    {
        foreach (Match m in Increment().Matches(body))
        {
            var name = Regex.Escape(m.Groups[1].Value);
            if (Regex.IsMatch(body, $@"\b{name}\s*(>=|>|==)|(<=|<)\s*{name}\b"))
            {
                return true;
            }
        }

        return false;
    }

    static Result? SpawnInLoop(PythonScope scope, int index, Match call)
    {
        var code = scope.Lines[index].Code;
        var inComprehension =
            code.IndexOf(" for ", call.Index, StringComparison.Ordinal) > 0
            && code.Contains(" in ", StringComparison.Ordinal);
        var sameLineLoop =
            LoopHeader().IsMatch(code) && code.IndexOf(':', StringComparison.Ordinal) < call.Index;
        var loop = inComprehension || sameLineLoop ? index : scope.EnclosingLoop(index);
        if (loop < 0)
        {
            return null;
        }

        var body = loop == index ? code : scope.Lines[loop].Code + "\n" + scope.BodyText(loop);
        if ((!inComprehension && Waited().IsMatch(body)) || scope.LimiterInScope(index, Limiter()))
        {
            return null;
        }

        var what = call.Groups[1].Value;
        var where = inComprehension
            ? "in a comprehension"
            : $"inside the loop at line {scope.Lines[loop].Line}";
        return new Result(
            what,
            $"`{what}(...)` {where}, with no wait in the loop and no semaphore in scope: one "
                + $"{(what.Contains("task", StringComparison.Ordinal) || what == "ensure_future" ? "task" : "process")} per item, all at once",
            "wait for each one in the loop (communicate(), wait(), await), or cap how many run at once "
                + "(asyncio.Semaphore, a pool with max_workers)"
        );
    }

    static Result? UnboundedGather(PythonScope scope, int index, Match call)
    {
        var code = scope.Lines[index].Code;
        var start = call.Groups[1].Index;
        bool overComprehension;
        if (call.Groups[1].Value is "[" or "(")
        {
            var close = PythonScope.MatchingClose(code, start);
            overComprehension = OverUnboundedIterable(
                code[start..Math.Min(close + 1, code.Length)]
            );
        }
        else
        {
            overComprehension = scope.AssignedComprehension(index, call.Groups[1].Value);
        }

        if (!overComprehension || scope.LimiterInScope(index, Limiter()))
        {
            return null;
        }

        return new Result(
            "asyncio.gather",
            "`asyncio.gather(*...)` over a comprehension with no semaphore in scope: every item's coroutine runs at once",
            "bound the fan-out: sem = asyncio.Semaphore(N) and `async with sem:` around the work (or gather in batches)"
        );
    }

    /// <summary>A comprehension whose iterable is not a literal (<c>for u in urls</c>, not <c>for u in ("a", "b")</c>
    /// or <c>range(4)</c>): its size is only known at run time.</summary>
    internal static bool OverUnboundedIterable(string comprehension)
    {
        var m = ComprehensionIterable().Match(comprehension);
        return m.Success && !LiteralIterable().IsMatch(m.Groups[1].Value);
    }

    static Result? PoolWithoutMax(string code, Match call)
    {
        var open = call.Index + call.Length - 1;
        var close = PythonScope.MatchingClose(code, open);
        var args = code[(open + 1)..close].Trim();
        var firstIsPositional =
            args.Length > 0
            && !Regex.IsMatch(args, @"^[A-Za-z_]\w*\s*=(?!=)")
            && !args.StartsWith('*');
        if (
            firstIsPositional
            || args.Contains("max_workers", StringComparison.Ordinal)
            || args.Contains("processes", StringComparison.Ordinal)
            || args.StartsWith("**", StringComparison.Ordinal)
        )
        {
            return null;
        }

        var name = call.Groups[1].Value;
        var threads = name.StartsWith("Thread", StringComparison.Ordinal);
        return new Result(
            name,
            threads
                ? $"`{name}()` without max_workers: up to min(32, CPUs + 4) threads (ThreadPool: one per CPU) sharing this process's memory"
                : $"`{name}()` without {(name == "Pool" ? "processes" : "max_workers")}: one worker process per CPU, each with its own memory (and its own copy of any model it loads)",
            $"pass {(name is "Pool" or "ThreadPool" ? "processes" : "max_workers")}= sized to the memory each worker needs"
        );
    }

    internal static bool IsDef(string code, out string name)
    {
        var m = Def().Match(code);
        name = m.Success ? m.Groups[2].Value : "";
        return m.Success;
    }

    internal static bool IsLoop(string code) => LoopHeader().IsMatch(code);
}
