using System.Text.Json.Serialization;

namespace Rein.Lint;

/// <summary>One finding of a linter: where (file and 1-based line), how bad, which rule, what happens and what to
/// do instead. <see cref="Details"/> carries the machine-readable facts behind the message.</summary>
public sealed record LintFinding(
    string File,
    int Line,
    LintSeverity Severity,
    string Rule,
    string Message,
    string? Fix = null
)
{
    public LintDetails Details { get; init; } = new();
}

/// <summary>The facts behind a finding; each linter fills the fields that apply and leaves the others null (they
/// are left out of the JSON).</summary>
public sealed record LintDetails
{
    /// <summary>make: the variable whose value holds the shell call (null for a prerequisite list or a directive).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Variable { get; init; }

    /// <summary>make: when the shell runs — <c>parse_time</c>, <c>every_recipe</c> (an exported recursive variable),
    /// <c>on_reference</c> (a deferred variable expanded in recipes).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? When { get; init; }

    /// <summary>make: the shell command as written (make's <c>$$</c> unescaped).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Command { get; init; }

    /// <summary>make: recipe lines that call <c>$(MAKE)</c> and so read this makefile again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RecursiveMakeCalls { get; init; }

    /// <summary>make: recipe lines that expand the variable.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? References { get; init; }

    /// <summary>make: the targets whose recipes expand it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Targets { get; init; }

    /// <summary>compose: the service.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Service { get; init; }

    /// <summary>compose: the memory limit in bytes, when there is one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? MemoryLimitBytes { get; init; }

    /// <summary>compose: the sum of tmpfs sizes in bytes (tmpfs is memory).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? TmpfsBytes { get; init; }

    /// <summary>compose: the machine's (or the Docker VM's) memory in bytes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? MachineMemoryBytes { get; init; }

    /// <summary>python: the construct found (<c>while True</c>, <c>asyncio.gather</c>, ...).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Construct { get; init; }
}

/// <summary>What one linter found in the files it read.</summary>
public sealed record LintReport(
    string Linter,
    IReadOnlyList<string> Files,
    IReadOnlyList<LintFinding> Findings
)
{
    /// <summary>Findings in file, line order (the order a compiler prints them).</summary>
    public IReadOnlyList<LintFinding> Sorted =>
        [
            .. Findings
                .OrderBy(f => f.File, StringComparer.Ordinal)
                .ThenBy(f => f.Line)
                .ThenByDescending(f => f.Severity),
        ];

    public int Count(LintSeverity severity) => Findings.Count(f => f.Severity == severity);

    /// <summary>True when a finding is at or above <paramref name="failOn"/>: the linter's exit status is then 1.</summary>
    public bool FailsAt(LintSeverity failOn) => Findings.Any(f => f.Severity >= failOn);
}

/// <summary>A file a linter cannot read or parse: one line for the user, exit 2.</summary>
public sealed class LintInputException(string message) : Exception(message);
