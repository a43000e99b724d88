using System.Text;
using Spectre.Console;

namespace Rein.Cli.Rendering;

/// <summary>One cell: its text (plain, escaped here) and an optional Spectre style such as <c>red</c>.</summary>
internal readonly record struct TextCell(string Text, string? Style = null)
{
    public static implicit operator TextCell(string text) => new(text);
}

/// <summary>
/// A table that stays readable at any width, where Spectre's tables give up (one character per line, or a
/// column dropped). Key columns (ids, times, sizes) are never wrapped. Detail columns (command, cwd, labels)
/// follow them on the same line when they fit; otherwise each row's details go on an indented line of their own
/// under it (as <c>detailLine</c> words them), wrapped to the width. Only the flexible detail column (the
/// command) ever wraps.
/// </summary>
internal sealed class TextTable(
    string[] columns,
    string[] details,
    int flexible = 0,
    Func<string[], string>? detailLine = null
)
{
    const int Gap = 2;
    const int DetailIndent = 4;

    /// <summary>Below this, a command column is too narrow to read: details move to their own line.</summary>
    const int MinFlexibleWidth = 40;

    readonly List<(TextCell[] Cells, string[] Details)> _rows = [];

    public void AddRow(TextCell[] cells, params string[] detailCells)
    {
        if (cells.Length != columns.Length || detailCells.Length != details.Length)
        {
            throw new ArgumentException("row does not match the columns");
        }

        _rows.Add((cells, detailCells));
    }

    public void Write(IAnsiConsole console)
    {
        var width = console.Profile.Width;
        var keyWidths = Enumerable
            .Range(0, columns.Length)
            .Select(i => _rows.Select(r => Width(r.Cells[i].Text)).Append(Width(columns[i])).Max())
            .ToArray();
        var detailWidths = Enumerable
            .Range(0, details.Length)
            .Select(i => _rows.Select(r => Width(r.Details[i])).Append(Width(details[i])).Max())
            .ToArray();
        var keysWidth = keyWidths.Sum() + Gap * (columns.Length - 1);
        var othersWidth = detailWidths.Where((_, i) => i != flexible).Sum(w => w + Gap);
        var flexibleWidth = width - keysWidth - Gap - othersWidth;
        var inline =
            details.Length == 0
            || flexibleWidth >= Math.Min(detailWidths[flexible], MinFlexibleWidth);
        if (inline && details.Length > 0)
        {
            detailWidths[flexible] = Math.Min(detailWidths[flexible], flexibleWidth);
        }

        var used = inline
            ? keysWidth + othersWidth + (details.Length > 0 ? Gap + detailWidths[flexible] : 0)
            : keysWidth;
        var headers = columns.Select(c => new TextCell(c)).ToList();
        if (inline)
        {
            headers.AddRange(details.Select(d => new TextCell(d)));
        }

        var allWidths = inline ? [.. keyWidths, .. detailWidths] : keyWidths;
        console.MarkupLine(Line(headers, allWidths));
        console.MarkupLine(new string('─', Math.Min(used, width)));
        foreach (var (cells, detailCells) in _rows)
        {
            if (inline)
            {
                WriteInline(console, cells, detailCells, allWidths, keysWidth);
                continue;
            }

            console.MarkupLine(Line(cells, keyWidths));
            var detail =
                detailLine?.Invoke(detailCells)
                ?? string.Join("  ", detailCells.Where(d => d.Length > 0));
            if (detail.Length == 0)
            {
                continue;
            }

            foreach (var part in Wrap(detail, Math.Max(10, width - DetailIndent)))
            {
                console.MarkupLine(new string(' ', DetailIndent) + Markup.Escape(part));
            }
        }
    }

    /// <summary>One row on one line, its flexible detail wrapped onto continuation lines aligned under it.</summary>
    void WriteInline(
        IAnsiConsole console,
        TextCell[] cells,
        string[] detailCells,
        int[] widths,
        int keysWidth
    )
    {
        var wrapped =
            detailCells.Length == 0
                ? []
                : Wrap(detailCells[flexible], widths[columns.Length + flexible]);
        var first = cells.Concat(
            detailCells.Select(
                (d, i) => new TextCell(i == flexible ? wrapped.FirstOrDefault() ?? "" : d)
            )
        );
        console.MarkupLine(Line([.. first], widths));
        var indent = keysWidth + Gap + widths.Skip(columns.Length).Take(flexible).Sum(w => w + Gap);
        foreach (var more in wrapped.Skip(1))
        {
            console.MarkupLine(new string(' ', indent) + Markup.Escape(more));
        }
    }

    static string Line(IReadOnlyList<TextCell> cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            var text = Markup.Escape(cells[i].Text);
            sb.Append(cells[i].Style is { } style ? $"[{style}]{text}[/]" : text);
            if (i < cells.Count - 1)
            {
                sb.Append(' ', widths[i] - Width(cells[i].Text) + Gap);
            }
        }

        return sb.ToString().TrimEnd();
    }

    static int Width(string text) => text.GetCellWidth();

    /// <summary>Breaks at spaces where it can, inside a word where it must (a long path, a URL).</summary>
    internal static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var rest = text;
        while (Width(rest) > width)
        {
            var cut = 0;
            while (cut < rest.Length && Width(rest[..(cut + 1)]) <= width)
            {
                cut++;
            }

            var from = Math.Min(cut, rest.Length - 1); // a space just past the fit is the best break
            var space = rest.LastIndexOf(' ', from, from + 1);
            var end = space > 0 ? space : Math.Max(1, cut);
            lines.Add(rest[..end].TrimEnd());
            rest = rest[end..].TrimStart();
        }

        lines.Add(rest);
        return lines;
    }
}
