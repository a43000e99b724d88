using Rein.Diagnostics;
using Spectre.Console;

namespace Rein.Cli.Rendering;

/// <summary>The human doctor report: worst first, each finding with its "do this" line.</summary>
internal static class DoctorRendering
{
    public static void Write(IAnsiConsole console, IReadOnlyList<Finding> findings, TimeSpan took)
    {
        int Count(Severity s) => findings.Count(f => f.Severity == s);
        console.MarkupLine(
            $"rein doctor: [red]{Count(Severity.Critical)} critical[/], [yellow]{Count(Severity.Warn)} warning(s)[/], "
                + $"{Count(Severity.Info)} note(s), [green]{Count(Severity.Ok)} ok[/] ({took.TotalMilliseconds:0} ms)"
        );
        foreach (var group in findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key))
        {
            console.WriteLine();
            var (title, colour) = group.Key switch
            {
                Severity.Critical => ("CRITICAL", "red"),
                Severity.Warn => ("WARNING", "yellow"),
                Severity.Info => ("NOTE", "blue"),
                _ => ("OK", "green"),
            };
            console.MarkupLine($"[bold {colour}]{title}[/]");
            var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
            foreach (var f in group)
            {
                // Summaries quote process command lines, which may hold control characters.
                var text = Markup.Escape(CommandText.Escape(f.Summary));
                if (f.Advice is { } advice)
                {
                    text += $"\n[dim]→ {Markup.Escape(CommandText.Escape(advice))}[/]";
                }

                grid.AddRow(new Markup(Markup.Escape(f.Check)), new Markup(text));
            }

            console.Write(grid);
        }
    }
}
