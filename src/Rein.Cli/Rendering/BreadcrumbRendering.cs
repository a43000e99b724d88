using System.Globalization;
using Rein.Forensics.Breadcrumbs;
using Spectre.Console;

namespace Rein.Cli.Rendering;

/// <summary>Breadcrumbs for people: a run's last few (<c>rein journal show</c>) and the open inferences
/// <c>rein ps</c> reports. Lines fit 80 columns (long models and notes are cut).</summary>
internal static class BreadcrumbRendering
{
    /// <summary>How many of a run's breadcrumbs <c>rein journal show</c> prints (<c>--json</c> has all).</summary>
    public const int LastShown = 10;

    public static void WriteOfRun(
        IAnsiConsole console,
        int count,
        IReadOnlyList<Breadcrumb> last,
        IReadOnlyList<Breadcrumb> open,
        TimeZoneInfo zone
    )
    {
        if (count == 0)
        {
            return;
        }

        console.MarkupLine(
            Markup.Escape(
                count > last.Count
                    ? $"breadcrumbs: {count.ToString("N0", CultureInfo.InvariantCulture)} (the last {last.Count}; --json lists all)"
                    : $"breadcrumbs: {count.ToString(CultureInfo.InvariantCulture)}"
            )
        );
        foreach (var b in last)
        {
            var time = TimeZoneInfo
                .ConvertTime(b.At, zone)
                .ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
            var line = $"  {time} {Breadcrumb.KindName(b.Kind), -4} pid {b.Pid} {b.Model}";
            if (b.Note is { Length: > 0 } note)
            {
                line += "  " + note;
            }

            console.MarkupLine(
                Markup.Escape(CommandText.Escape(JournalRendering.Truncate(line, 80)))
            );
        }

        // A PRE not closed: the inference in progress, or — for a run that ended — the one it was in when it hung,
        // was killed or the machine went down.
        foreach (var b in open)
        {
            var time = TimeZoneInfo
                .ConvertTime(b.At, zone)
                .ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
            console.MarkupLine(
                Markup.Escape(
                    CommandText.Escape(
                        JournalRendering.Truncate(
                            $"no POST for the PRE at {time} (pid {b.Pid}, {b.Model})",
                            80
                        )
                    )
                )
            );
        }
    }

    /// <summary>One line per open inference: what, for how long, whose.</summary>
    public static void WriteInferences(IAnsiConsole console, IReadOnlyList<OpenInference> open)
    {
        foreach (var i in open)
        {
            var text = Markup.Escape(CommandText.Escape(i.Describe()));
            console.MarkupLine(
                i.State == InferenceState.Died ? $"[red]{text}[/]" : $"[yellow]{text}[/]"
            );
        }
    }
}
