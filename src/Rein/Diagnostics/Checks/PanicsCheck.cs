using System.Text.Json.Nodes;
using Rein.Diagnostics.Parsers;
using Rein.Journal;

namespace Rein.Diagnostics.Checks;

/// <summary>Kernel panics in the window: macOS <c>.panic</c> and panic <c>.ips</c> reports (with their signature,
/// e.g. <c>IOGPUMemory.cpp:550 completeMemory() prepare count underflow</c>) and which guarded runs were alive at the
/// time; Linux pstore and /var/crash records.</summary>
public sealed class PanicsCheck : IDoctorCheck
{
    public string Name => "panics";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        var since = ctx.Now - ctx.Since;
        if (ctx.IsMacOS || ctx.DiagnosticReportDirectories.Count > 0)
        {
            return MacPanics(ctx, since);
        }

        var (files, unreadable) = ReportFiles.Recent(
            ["/sys/fs/pstore", ctx.LinuxCrashDirectory],
            since,
            _ => true
        );
        var findings = new List<Finding>();
        if (unreadable.Count > 0)
        {
            findings.Add(new Finding(Name, Severity.Warn, ReportFiles.Unreadable(unreadable)));
        }

        findings.Add(
            files.Count == 0
                ? Finding.Ok(
                    Name,
                    $"no kernel crash records in /sys/fs/pstore or {ctx.LinuxCrashDirectory} in the last {Config.DurationParser.Format(ctx.Since)}"
                )
                : new Finding(
                    Name,
                    Severity.Warn,
                    $"{files.Count} kernel crash record(s) in the last {Config.DurationParser.Format(ctx.Since)}: {string.Join(", ", files.Take(3).Select(f => f.Name))}",
                    "read them (journalctl -k -b -1 shows the previous boot's kernel log); rein journal --boot previous shows what was running",
                    Details.Of(("files", Details.Array(files.Select(f => (JsonNode)f.FullName))))
                )
        );
        return findings;
    }

    IReadOnlyList<Finding> MacPanics(DoctorContext ctx, DateTimeOffset since)
    {
        var dirs = ctx.DiagnosticReportDirectories.SelectMany(d =>
            new[] { d, Path.Combine(d, "Retired") }
        );
        var (files, unreadable) = ReportFiles.Recent(
            dirs,
            since,
            n =>
                n.EndsWith(".panic", StringComparison.Ordinal)
                || n.EndsWith(".ips", StringComparison.Ordinal)
        );
        var findings = new List<Finding>();
        if (unreadable.Count > 0)
        {
            findings.Add(new Finding(Name, Severity.Warn, ReportFiles.Unreadable(unreadable)));
        }

        var panics = new List<(FileInfo File, PanicReport Report)>();
        foreach (var f in files)
        {
            var text = ReportFiles.ReadHead(f);
            if (
                text is null
                || (
                    f.Name.EndsWith(".ips", StringComparison.Ordinal)
                    && !text[..Math.Min(400, text.Length)]
                        .Contains("\"bug_type\":\"210\"", StringComparison.Ordinal)
                )
            )
            {
                continue;
            }

            var report = PanicReportParser.Parse(text, out var error);
            if (report is null)
            {
                findings.Add(
                    new Finding(Name, Severity.Warn, $"could not parse {f.FullName}: {error}")
                );
                continue;
            }

            panics.Add(
                (f, report with { Time = report.Time ?? new DateTimeOffset(f.LastWriteTimeUtc) })
            );
        }

        if (panics.Count == 0)
        {
            findings.Add(
                Finding.Ok(
                    Name,
                    $"no kernel panics in the last {Config.DurationParser.Format(ctx.Since)}"
                )
            );
            return findings;
        }

        foreach (var group in panics.GroupBy(p => p.Report.Signature))
        {
            var latest = group.Max(p => p.Report.Time!.Value);
            var alive = AliveAt(ctx.Runs, latest);
            var withRuns =
                alive.Count == 0
                    ? ""
                    : $"; guarded runs alive then: {string.Join(", ", alive.Select(r => $"{r.Id} `{r.CommandLine}`"))}";
            findings.Add(
                new Finding(
                    Name,
                    ctx.Now - latest < TimeSpan.FromDays(1) || group.Count() > 1
                        ? Severity.Critical
                        : Severity.Warn,
                    $"{group.Count()} kernel panic(s) \"{group.Key}\", latest {latest.ToLocalTime():yyyy-MM-dd HH:mm}{withRuns}",
                    Advice(group.Key),
                    Details.Of(
                        ("signature", group.Key),
                        ("count", group.Count()),
                        ("latest", latest.ToString("O")),
                        ("files", Details.Array(group.Select(p => (JsonNode)p.File.FullName))),
                        ("runs_alive", Details.Array(alive.Select(r => (JsonNode)r.Id)))
                    )
                )
            );
        }

        return findings;
    }

    /// <summary>Pure: runs that were alive at <paramref name="t"/> (unclean runs are taken as alive until the end of their boot).</summary>
    public static List<RunRecord> AliveAt(IReadOnlyList<RunRecord> runs, DateTimeOffset t) =>
        [.. runs.Where(r => r.StartedAt <= t && (r.EndedAt is null || r.EndedAt >= t))];

    static string Advice(string signature) =>
        signature.Contains("IOGPU", StringComparison.Ordinal)
            ? "GPU-memory panic (known with back-to-back MLX model loads): space model loads, load smaller models, and do not run two loads at once (rein run --lock gpu)"
            : "note what was running (rein journal --boot previous), check for OS updates, and report the panic signature to the vendor";
}
