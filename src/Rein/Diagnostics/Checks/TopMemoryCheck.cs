using System.Text.Json.Nodes;
using Rein.Config;
using Rein.Processes;

namespace Rein.Diagnostics.Checks;

/// <summary>The biggest memory users, one by one and grouped by program, so duplicate resident interpreters
/// ("5 × node = 4.1 GiB") stand out.</summary>
public sealed class TopMemoryCheck : IDoctorCheck
{
    public string Name => "top-memory";

    static readonly string[] Interpreters =
    [
        "python",
        "python3",
        "node",
        "ruby",
        "java",
        "uv",
        "uvx",
        "deno",
        "bun",
    ];

    // ProcessInfo.MemoryBytes is the resident set on Linux and the physical footprint on macOS (what Activity
    // Monitor shows); the words say which. The JSON keys stay rss_bytes for compatibility.
    static string Measure => OperatingSystem.IsMacOS() ? "footprint" : "RSS";

    static string Held => OperatingSystem.IsMacOS() ? "footprint" : "resident";

    public IReadOnlyList<Finding> Run(DoctorContext ctx) =>
        Evaluate(ctx.Processes, pid => ctx.Table.CommandLine(pid));

    /// <summary>Pure over a process list.</summary>
    public IReadOnlyList<Finding> Evaluate(
        IReadOnlyList<ProcessInfo> processes,
        Func<int, string> commandLine
    )
    {
        var live = processes.Where(p => !p.IsZombie && p.MemoryBytes > 0).ToList();
        var top = live.OrderByDescending(p => p.MemoryBytes).Take(10).ToList();
        var groups = live.GroupBy(p => Program(p.Command))
            .Select(g => (Name: g.Key, Count: g.Count(), Bytes: g.Sum(p => p.MemoryBytes)))
            .Where(g => g.Count > 1)
            .OrderByDescending(g => g.Bytes)
            .Take(10)
            .ToList();
        var findings = new List<Finding>
        {
            new(
                Name,
                Severity.Info,
                $"top by {Measure}: "
                    + string.Join(
                        ", ",
                        top.Take(5)
                            .Select(p =>
                                $"{p.Command} ({p.Pid}) {SizeParser.Format(p.MemoryBytes)}"
                            )
                    ),
                null,
                Details.Of(
                    (
                        "processes",
                        Details.Array(
                            top.Select(p =>
                                (JsonNode)
                                    Details.Of(
                                        ("pid", p.Pid),
                                        ("rss_bytes", p.MemoryBytes),
                                        ("command", commandLine(p.Pid))
                                    )
                            )
                        )
                    ),
                    (
                        "by_program",
                        Details.Array(
                            groups.Select(g =>
                                (JsonNode)
                                    Details.Of(
                                        ("program", g.Name),
                                        ("count", g.Count),
                                        ("rss_bytes", g.Bytes)
                                    )
                            )
                        )
                    )
                )
            ),
        };

        foreach (var g in groups.Where(g => g.Count >= 3 && Interpreters.Contains(g.Name)))
        {
            findings.Add(
                new Finding(
                    Name,
                    g.Bytes >= 1L << 30 ? Severity.Warn : Severity.Info,
                    $"{g.Count} × {g.Name} {Held} = {SizeParser.Format(g.Bytes)}",
                    $"duplicate interpreters of one tool add up; stop the idle ones, and run heavy ones under `rein run --lock NAME` so they cannot pile up"
                )
            );
        }

        return findings;
    }

    /// <summary>"python3.11" and "python3" group together; a path is reduced to its file name.</summary>
    internal static string Program(string command)
    {
        var name = Path.GetFileName(command.Split(' ')[0]);
        var digits = name.AsSpan().IndexOfAnyInRange('0', '9');
        var stem =
            digits > 0 && name.StartsWith("python", StringComparison.Ordinal) ? "python" : name;
        return stem.Length == 0 ? command : stem;
    }
}
