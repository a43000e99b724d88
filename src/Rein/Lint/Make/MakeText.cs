namespace Rein.Lint.Make;

/// <summary>Text read from a makefile together with the line each character came from: a logical line joins
/// physical lines at a backslash-newline, and a finding should still point at the physical line of its
/// <c>$(shell</c>.</summary>
public sealed class MakeText
{
    readonly int[] _starts;
    readonly int[] _lines;
    readonly int _base;

    MakeText(string text, string file, int[] starts, int[] lines, int @base)
    {
        Text = text;
        File = file;
        _starts = starts;
        _lines = lines;
        _base = @base;
    }

    public string Text { get; }

    public string File { get; }

    /// <summary>The physical line of the first character.</summary>
    public int Line => LineAt(0);

    /// <summary>Builds a text from pieces, each the (already cleaned) content of one physical line.</summary>
    public static MakeText Join(
        string file,
        IReadOnlyList<(string Text, int Line)> pieces,
        string separator
    )
    {
        var starts = new int[pieces.Count];
        var lines = new int[pieces.Count];
        var b = new System.Text.StringBuilder();
        for (var i = 0; i < pieces.Count; i++)
        {
            if (i > 0)
            {
                b.Append(separator);
            }

            starts[i] = b.Length;
            lines[i] = pieces[i].Line;
            b.Append(pieces[i].Text);
        }

        return new MakeText(b.ToString(), file, starts, lines, 0);
    }

    static readonly int[] ZeroStart = [0];

    public static MakeText OneLine(string file, string text, int line) =>
        new(text, file, ZeroStart, [line], 0);

    /// <summary>The physical line of the character at <paramref name="offset"/> in <see cref="Text"/>.</summary>
    public int LineAt(int offset)
    {
        var absolute = _base + offset;
        var i = Array.BinarySearch(_starts, absolute);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return _lines[Math.Clamp(i, 0, _lines.Length - 1)];
    }

    public MakeText Slice(int start, int length) =>
        start == 0 && length == Text.Length
            ? this
            : new(Text.Substring(start, length), File, _starts, _lines, _base + start);

    public MakeText Slice(int start) => Slice(start, Text.Length - start);

    /// <summary>The same text without leading and trailing whitespace, positions kept.</summary>
    public MakeText Trim()
    {
        var start = 0;
        while (start < Text.Length && char.IsWhiteSpace(Text[start]))
        {
            start++;
        }

        var end = Text.Length;
        while (end > start && char.IsWhiteSpace(Text[end - 1]))
        {
            end--;
        }

        return Slice(start, end - start);
    }

    public override string ToString() => Text;
}
