using Rein.Cli.Commands;
using Rein.Config;
using Rein.Journal;
using Spectre.Console;

namespace Rein.Cli.Rendering;

/// <summary>Human views of journal records. Pure functions of their inputs (console, records, now, zone) so
/// golden tests can render them at a fixed width and time.</summary>
internal static class JournalRendering
{
    public static void WriteRuns(
        IAnsiConsole console,
        IReadOnlyList<RunRecord> runs,
        BootContext? boot,
        DateTimeOffset now,
        TimeZoneInfo? zone = null
    )
    {
        zone ??= TimeZoneInfo.Local;
        if (boot is not null)
        {
            var stillRunning = runs.Count(r => r.State != RunState.Ended);
            var seen = boot.LastSeen is { } s ? $", last journal activity {Time(s, zone)}" : "";
            console.MarkupLine(
                Markup.Escape(
                    $"previous boot {Short(boot.BootId)}{seen}: {stillRunning} run(s) were still running when it went down"
                )
            );
        }

        if (runs.Count == 0)
        {
            console.WriteLine(
                boot is null ? "no runs recorded yet" : "no runs recorded in that boot"
            );
            return;
        }

        // The models a run loads (rein run --model), when any run here has one: beside the command, or after it.
        var models = runs.Any(r => r.ModelLabel is not null);
        var table = new TextTable(
            ["run", "started", "took", "outcome", "exit"],
            models ? ["command", "model"] : ["command"],
            detailLine: models ? d => d[1].Length == 0 ? d[0] : $"{d[0]}  (model {d[1]})" : null
        );
        foreach (var r in runs)
        {
            var took =
                r.DurationMs is { } ms ? DurationParser.Format(TimeSpan.FromMilliseconds(ms))
                : r.State == RunState.Unclean && boot?.LastSeen is { } last
                    ? "≥" + DurationParser.Format(last - r.StartedAt)
                : r.State == RunState.Running ? DurationParser.Format(now - r.StartedAt) + "…"
                : "?";
            var outcome = r.State switch
            {
                RunState.Running => new TextCell("running", "blue"),
                RunState.Unclean => new TextCell("unclean", "red"),
                _ => r.Outcome is "exited" && r.ExitCode == 0
                    ? new TextCell("exited")
                    : new TextCell(OutcomeLabel(r.Outcome), "yellow"),
            };
            table.AddRow(
                [
                    r.Id,
                    Time(r.StartedAt, zone),
                    took,
                    outcome,
                    r.ReinExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        ?? "",
                ],
                [
                    Truncate(r.CommandLine, 160),
                    .. models ? [CommandText.Escape(r.ModelLabel ?? "")] : Array.Empty<string>(),
                ]
            );
        }

        table.Write(console);
        SuperviseRendering.WriteGroups(console, runs);
        foreach (var r in runs.Where(r => r.State == RunState.Unclean))
        {
            console.MarkupLine(Markup.Escape(CommandText.Escape($"{r.Id}: {r.UncleanReason}")));
        }
    }

    public static void WriteRun(
        IAnsiConsole console,
        RunRecord r,
        DateTimeOffset now,
        TimeZoneInfo? zone = null
    )
    {
        zone ??= TimeZoneInfo.Local;
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string k, string? v)
        {
            if (!string.IsNullOrEmpty(v))
            {
                grid.AddRow(Markup.Escape(k), Markup.Escape(CommandText.Escape(v)));
            }
        }

        Row("run", r.Id);
        Row("state", r.State.ToString().ToLowerInvariant());
        Row("command", r.CommandLine);
        Row("cwd", r.WorkingDirectory);
        Row("user", r.User);
        Row("rein", r.ReinVersion);
        Row("started", Time(r.StartedAt, zone));
        Row("ended", r.EndedAt is { } e ? Time(e, zone) : null);
        Row(
            "took",
            r.DurationMs is { } ms ? DurationParser.Format(TimeSpan.FromMilliseconds(ms))
                : r.State == RunState.Running ? DurationParser.Format(now - r.StartedAt) + " so far"
                : null
        );
        Row("outcome", r.Outcome);
        Row("note", r.Note);
        // Phrased as at the time of the refusal ("timed out 3m ago" then, not now).
        Row(
            "refused",
            r.Refusal is { } refusal
                ? $"{refusal.Code}: {RefusalText.Sentence(refusal, r.StartedAt, refusal.WaitedMs > 0)}"
                : null
        );
        Row("failure", r.Failure is { } f ? $"{f.Class} → {f.Hint}: {f.Advice}" : null);
        Row("evidence", r.Failure?.Evidence);
        Row("rule", r.Failure?.Rule is { } rule ? $"{rule} ({r.Failure.Source})" : null);
        // As at the warning: the rate, the memory then, and the time it left before the limit.
        Row(
            "growth",
            r.Growth is { } g
                ? $"{DurationParser.Format(TimeSpan.FromMilliseconds(g.AtMs))} in: {GrowthText.Rate(g.ToWarning())}"
                    + (g.Stopped ? "; stopped the run (--on-growth stop)" : "")
                : null
        );
        Row("exit code", r.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("signal", r.Signal?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row(
            "rein exit code",
            r.ReinExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Row("peak tree RSS", r.PeakRssBytes is { } rss ? SizeParser.Format(rss) : null);
        Row("pids killed", r.PidsKilled.Count > 0 ? string.Join(", ", r.PidsKilled) : null);
        Row("unkillable", r.UnkillableJson);
        Row(
            "rein pid",
            r.ReinPid > 0
                ? r.ReinPid.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : null
        );
        Row("child pid", r.ChildPid?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("boot", r.BootId);
        Row("lock", r.LockLabel);
        Row("model", r.ModelLabel);
        Row("unclean", r.UncleanReason);
        Row(
            "supervision",
            r.Supervision is { } s
                ? $"{s.SupervisionId}, attempt {s.Attempt}"
                    + (s.RestartReason is null ? "" : $", restarted after: {s.RestartReason}")
                : null
        );
        console.Write(grid);
    }

    /// <summary>Outcomes in words, short enough for an 80-column list (the JSON keeps the wire names).</summary>
    internal static string OutcomeLabel(string? outcome) =>
        outcome switch
        {
            null => "?",
            "memory_exceeded" => "memory cap",
            "max_procs_exceeded" => "process cap",
            _ => outcome.Replace('_', ' '),
        };

    internal static string Time(DateTimeOffset t, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm:ss");

    static string Short(string id) => id.Length > 8 ? id[..8] : id;

    internal static string Truncate(string s, int max) =>
        s.Length <= max ? s : s[..(max - 1)] + "…";
}
