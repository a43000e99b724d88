using System.Text;

namespace Rein.Cli.Rendering;

/// <summary>A writer that drops the spaces at the end of every line. Spectre.Console pads table and grid cells to
/// the console width; a person copying the output, a golden file or <c>grep ' $'</c> should never see that
/// padding. Spaces are held back until something other than a line end follows them, so nothing is buffered past
/// a non-space character and the wrapped writer's own flushing is unchanged.</summary>
internal sealed class TrailingSpaceTrimmer(TextWriter inner) : TextWriter
{
    int _spaces;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        switch (value)
        {
            case ' ':
                _spaces++;
                return;
            case '\n':
                _spaces = 0;
                break;
            default:
                if (_spaces > 0)
                {
                    inner.Write(new string(' ', _spaces));
                    _spaces = 0;
                }

                break;
        }

        inner.Write(value);
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        for (var i = index; i < index + count; i++)
        {
            Write(buffer[i]);
        }
    }

    public override void Flush() => inner.Flush();
}
