using System.Globalization;
using System.Text;
using Rein.Journal;

namespace Rein.Forensics.Postmortem;

/// <summary>One line of the timeline: when, and what happened, in words.</summary>
public sealed record TimelineEvent(DateTimeOffset At, string Text);

/// <summary>
/// The postmortem's timeline, pure: for each panic, the runs alive in the half hour before it and the breadcrumbs of
/// that window, in time order, ending with the machine going down — so a person reads what was in flight
/// ("12:04:55 PRE model X (pid 4242, run 7f2…)") right before the panic.
/// </summary>
public static class Timeline
{
    /// <summary>How far before a panic the timeline looks: a model load and its first inferences fit in it.</summary>
    public static readonly TimeSpan Before = TimeSpan.FromMinutes(30);

    /// <summary>The runs and breadcrumbs around one panic (Before it, up to it).</summary>
    public static List<TimelineEvent> Around(PostmortemPanic panic, PostmortemInput input)
    {
        var from = panic.At - Before;
        var events = new List<TimelineEvent>();
        foreach (var run in input.Runs.Where(r => AliveBetween(r, from, panic.At)))
        {
            var model = run.ModelLabel is { } m ? $", model {m}" : "";
            events.Add(
                new TimelineEvent(
                    run.StartedAt,
                    $"run {Short(run.Id)} started `{run.CommandLine}`{model}"
                )
            );
            if (run.EndedAt is { } ended && ended <= panic.At)
            {
                events.Add(
                    new TimelineEvent(ended, $"run {Short(run.Id)} ended: {run.Outcome ?? "?"}")
                );
            }
        }

        foreach (var crumb in input.Crumbs.Where(c => c.At >= from && c.At <= panic.At))
        {
            var run = crumb.RunId is { } id ? $", run {Short(id)}" : "";
            var note = string.IsNullOrEmpty(crumb.Note) ? "" : $": {crumb.Note}";
            events.Add(
                new TimelineEvent(
                    crumb.At,
                    $"{crumb.Kind.ToUpperInvariant()} model {crumb.Model} (pid {crumb.Pid}{run}){note}"
                )
            );
        }

        events.Add(new TimelineEvent(panic.At, Down(panic)));
        return [.. events.OrderBy(e => e.At)];
    }

    /// <summary>The index.md of a bundle: one section per panic, newest first.</summary>
    public static string Render(PostmortemInput input, IReadOnlyDictionary<string, string> copied)
    {
        var text = new StringBuilder();
        text.Append("# Rein postmortem\n\n");
        text.Append(
            CultureInfo.InvariantCulture,
            $"Written {Stamp(input.Now)} UTC, covering {Stamp(input.Since)} to {Stamp(input.Now)} UTC. "
                + $"{input.Panics.Count} panic(s), {input.Runs.Count} run(s), {input.Crumbs.Count} breadcrumb(s).\n\n"
        );
        text.Append(
            "Files: `ledger.json` (the panics), `runs.json` (the runs around them, rein.journal/1), "
                + "`breadcrumbs.json`, `reports/` (copies of the panic reports, the first 256 KiB of each).\n"
        );
        if (input.Panics.Count == 0)
        {
            text.Append("\nNo panics in this window.\n");
            return text.ToString();
        }

        foreach (var panic in input.Panics.OrderByDescending(p => p.At))
        {
            text.Append(
                CultureInfo.InvariantCulture,
                $"\n## {Stamp(panic.At)} UTC — {panic.SignatureClass} ({panic.Kind})\n\n"
            );
            text.Append(CultureInfo.InvariantCulture, $"Signature: `{panic.Signature}`\n");
            if (panic.ReportPath is { } path)
            {
                text.Append(
                    copied.TryGetValue(path, out var copy)
                        ? $"Report: `{path}` (copy: `{copy}`)\n"
                        : $"Report: `{path}` (not copied)\n"
                );
            }

            text.Append('\n');
            var day = "";
            foreach (var e in Around(panic, input))
            {
                var utc = e.At.ToUniversalTime();
                var date = utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (date != day)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{date}\n\n");
                    day = date;
                }

                text.Append(
                    CultureInfo.InvariantCulture,
                    $"- {utc.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {e.Text}\n"
                );
            }
        }

        return text.ToString();
    }

    /// <summary>Runs that were alive at some point of [from, to]; an unclean run counts as alive to the end.</summary>
    public static bool AliveBetween(RunRecord run, DateTimeOffset from, DateTimeOffset to) =>
        run.StartedAt <= to && (run.EndedAt is not { } ended || ended >= from);

    static string Down(PostmortemPanic panic) =>
        panic.Kind == "suspected"
            ? $"machine down (suspected panic: {panic.Signature})"
            : $"machine down (panic: {panic.Signature})";

    static string Short(string id) => id.Length > 8 ? id[..8] : id;

    static string Stamp(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
