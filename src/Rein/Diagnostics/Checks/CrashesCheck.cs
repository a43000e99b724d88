using System.Text.Json.Nodes;
using Rein.Diagnostics.Parsers;

namespace Rein.Diagnostics.Checks;

/// <summary>Native crashes of user processes in the window: macOS <c>.ips</c> crash reports (process, exception,
/// parent and responsible process, the culprit library and what to do about it); Linux kernel-log segfault lines
/// and <c>coredumpctl</c>. A crash that recurs daily is a warning.</summary>
public sealed class CrashesCheck : IDoctorCheck
{
    public string Name => "crashes";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        var since = ctx.Now - ctx.Since;
        return ctx.IsMacOS || ctx.DiagnosticReportDirectories.Count > 0
            ? Mac(ctx, since)
            : Linux(ctx);
    }

    IReadOnlyList<Finding> Mac(DoctorContext ctx, DateTimeOffset since)
    {
        var dirs = ctx.DiagnosticReportDirectories.SelectMany(d =>
            new[] { d, Path.Combine(d, "Retired") }
        );
        var (files, unreadable) = ReportFiles.Recent(
            dirs,
            since,
            n => n.EndsWith(".ips", StringComparison.Ordinal)
        );
        var findings = new List<Finding>();
        if (unreadable.Count > 0)
        {
            findings.Add(new Finding(Name, Severity.Warn, ReportFiles.Unreadable(unreadable)));
        }

        var crashes = new List<CrashReport>();
        foreach (var f in files)
        {
            var text = ReportFiles.ReadHead(f);
            if (
                text is null
                || text[..Math.Min(400, text.Length)]
                    .Contains("\"bug_type\":\"210\"", StringComparison.Ordinal)
            )
            {
                continue; // panics are the panics check's
            }

            var crash = IpsCrashParser.Parse(text, out var error);
            if (crash is null)
            {
                findings.Add(
                    new Finding(Name, Severity.Info, $"could not parse {f.FullName}: {error}")
                );
                continue;
            }

            crashes.Add(crash with { Time = crash.Time ?? new DateTimeOffset(f.LastWriteTimeUtc) });
        }

        findings.AddRange(Summarise(crashes, ctx.Since));
        return findings;
    }

    /// <summary>Pure: one finding per (process, culprit), with a per-day count; recurring on 2+ days is a warning.</summary>
    public IReadOnlyList<Finding> Summarise(IReadOnlyList<CrashReport> crashes, TimeSpan window)
    {
        if (crashes.Count == 0)
        {
            return
            [
                Finding.Ok(
                    Name,
                    $"no native crash reports in the last {Config.DurationParser.Format(window)}"
                ),
            ];
        }

        var findings = new List<Finding>();
        foreach (
            var g in crashes
                .GroupBy(c => (c.Process, c.CulpritImage))
                .OrderByDescending(g => g.Count())
        )
        {
            var days = g.Select(c => c.Time?.UtcDateTime.Date).Distinct().Count();
            var first = g.First();
            var culprit = CulpritTable.Lookup(first);
            var where = first.CulpritImage is null
                ? ""
                : $" in {first.CulpritImage}" + (culprit is { } c ? $" ({c.Package})" : "");
            var who = string.Join(
                ", ",
                new[]
                {
                    first.ParentProcess is null ? null : "parent " + first.ParentProcess,
                    first.ResponsibleProcess is null
                        ? null
                        : "responsible " + first.ResponsibleProcess,
                }.Where(s => s is not null)
            );
            findings.Add(
                new Finding(
                    Name,
                    days >= 2 ? Severity.Warn : Severity.Info,
                    $"{g.Count()} crash(es) of {first.Process}: {first.ExceptionType}{(first.ExceptionSubtype is null ? "" : " / " + first.ExceptionSubtype)}{where}"
                        + (who.Length > 0 ? $" [{who}]" : "")
                        + (days >= 2 ? $", on {days} different days" : ""),
                    culprit?.Mitigation is { } m
                        ? $"{m}; run Python with PYTHONFAULTHANDLER=1 (rein run sets it) to get the Python stack"
                        : "set PYTHONFAULTHANDLER=1 (rein run sets it) so the next crash leaves a Python traceback; upgrade the library named above",
                    Details.Of(
                        ("process", first.Process),
                        ("exception_type", first.ExceptionType),
                        ("exception_subtype", first.ExceptionSubtype),
                        ("parent", first.ParentProcess),
                        ("responsible", first.ResponsibleProcess),
                        ("culprit_image", first.CulpritImage),
                        ("culprit_symbol", first.CulpritSymbol),
                        ("culprit_package", culprit?.Package),
                        ("count", g.Count()),
                        ("days", days)
                    )
                )
            );
        }

        return findings;
    }

    IReadOnlyList<Finding> Linux(DoctorContext ctx)
    {
        var findings = new List<Finding>();
        var dmesg = ctx.Tools.Run("dmesg", [], ctx.ToolTimeout);
        if (dmesg.Ok)
        {
            var segfaults = LinuxLogParsers.ParseSegfaults(dmesg.Stdout);
            var ooms = LinuxLogParsers.ParseOomKills(dmesg.Stdout);
            findings.Add(
                segfaults.Count == 0
                    ? Finding.Ok(Name, "no segfaults in the kernel log since boot")
                    : new Finding(
                        Name,
                        segfaults.Count >= 3 ? Severity.Warn : Severity.Info,
                        $"{segfaults.Count} segfault(s) since boot: "
                            + string.Join(
                                ", ",
                                segfaults
                                    .GroupBy(s => (s.Command, s.Library))
                                    .Select(g =>
                                        $"{g.Count()} × {g.Key.Command}"
                                        + (g.Key.Library is null ? "" : $" in {g.Key.Library}")
                                    )
                            ),
                        "set PYTHONFAULTHANDLER=1 (rein run sets it) and upgrade the library named",
                        Details.Of(
                            (
                                "segfaults",
                                Details.Array(
                                    segfaults
                                        .Take(50)
                                        .Select(s =>
                                            (JsonNode)
                                                Details.Of(
                                                    ("command", s.Command),
                                                    ("pid", s.Pid),
                                                    ("library", s.Library)
                                                )
                                        )
                                )
                            )
                        )
                    )
            );
            if (ooms.Count > 0)
            {
                findings.Add(
                    new Finding(
                        Name,
                        Severity.Warn,
                        $"the kernel OOM killer ended {ooms.Count} process(es) since boot: {string.Join(", ", ooms.Take(5).Select(o => $"{o.Command} ({o.Pid})"))}",
                        "give heavy commands a memory cap (rein run --memory SIZE) so one of them is stopped instead of whatever the kernel picks"
                    )
                );
            }
        }
        else
        {
            findings.Add(
                new Finding(
                    Name,
                    Severity.Info,
                    dmesg.TimedOut
                        ? "dmesg timed out"
                        : "cannot read the kernel log (needs root or kernel.dmesg_restrict=0): segfaults are not counted"
                )
            );
        }

        var cores = ctx.Tools.Run(
            "coredumpctl",
            ["list", "--no-pager", "--since", $"-{(int)ctx.Since.TotalHours}h"],
            ctx.ToolTimeout
        );
        if (cores.Ok)
        {
            var rows = LinuxLogParsers.ParseCoredumpctlList(cores.Stdout);
            if (rows.Count > 0)
            {
                findings.Add(
                    new Finding(
                        Name,
                        rows.Count >= 3 ? Severity.Warn : Severity.Info,
                        $"{rows.Count} core dump(s): {string.Join(", ", rows.GroupBy(r => r.Executable).Select(g => $"{g.Count()} × {g.Key}"))}",
                        "inspect with coredumpctl info PID; upgrade the crashing program's native dependencies"
                    )
                );
            }
        }

        return findings;
    }
}
