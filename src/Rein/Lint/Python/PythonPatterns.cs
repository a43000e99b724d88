using System.Text.RegularExpressions;

namespace Rein.Lint.Python;

/// <summary>The patterns the Python rules match on code whose strings and comments are already emptied.</summary>
internal static partial class PythonRules
{
    [GeneratedRegex(@"^while\s+(.*?)\s*:(?!=)\s*(.*)$")]
    private static partial Regex While();

    [GeneratedRegex(
        @"\b(monotonic|perf_counter|deadline|timeout|time\.time|time_left|remaining|expires?|max_(?:attempts|retries|tries|iterations|iters))\b",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex Deadline();

    [GeneratedRegex(@"(?<![=!<>])(<=?|>=?)(?!=)")]
    private static partial Regex Comparison();

    [GeneratedRegex(@"\b([A-Za-z_][\w.]*)\s*\+=\s*1\b")]
    private static partial Regex Increment();

    [GeneratedRegex(@"\bif\s+not\s+[\w.\[\]""']+\s*:\s*(break|return)\b")]
    private static partial Regex EofGuard();

    [GeneratedRegex(@"\b(break|return|raise)\b|sys\.exit\(")]
    private static partial Regex Exit();

    [GeneratedRegex(
        @"\b(subprocess\.Popen|Popen|create_subprocess_exec|create_subprocess_shell|create_task|ensure_future)\("
    )]
    private static partial Regex Spawn();

    [GeneratedRegex(@"\.(wait|communicate)\(|\bawait\s+asyncio\.(wait|wait_for)\(")]
    private static partial Regex Waited();

    [GeneratedRegex(
        @"\b(Semaphore|BoundedSemaphore|CapacityLimiter|semaphore|limiter)\b|\basync\s+with\s+[\w.]*(sem|limit)",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex Limiter();

    [GeneratedRegex(@"\bgather\(\s*\*\s*([\[(]|[A-Za-z_]\w*)")]
    private static partial Regex Gather();

    [GeneratedRegex(@"\b(Pool|ProcessPoolExecutor|ThreadPoolExecutor|ThreadPool)\(")]
    private static partial Regex PoolCall();

    [GeneratedRegex(@"^(async\s+)?def\s+(\w+)")]
    private static partial Regex Def();

    [GeneratedRegex(@"^(async\s+)?(for|while)\b")]
    private static partial Regex LoopHeader();

    [GeneratedRegex(@"\sfor\s.+?\sin\s+(.*)$")]
    private static partial Regex ComprehensionIterable();

    [GeneratedRegex(@"^([(\[{]|range\(\s*\d+\s*\))")]
    private static partial Regex LiteralIterable();
}
