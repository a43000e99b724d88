using System.Text;

namespace Rein.Forensics.Classification;

/// <summary>Terminal escape sequences removed from output lines before the rules see them: a program that colours
/// its errors on a terminal (Python 3.13's tracebacks: <c>ESC[1;35mMemoryError ESC[0m</c>) must match the same rules
/// as when it writes to a file, and the evidence must read as text.</summary>
public static class AnsiText
{
    const char Esc = '\x1b';

    /// <summary><paramref name="line"/> without CSI sequences (<c>ESC [ … final</c>, or the 8-bit CSI), OSC strings
    /// (<c>ESC ] … BEL</c> or <c>ESC ] … ESC \</c>, hyperlinks and titles) and other two-character escapes.</summary>
    public static string Strip(string line)
    {
        if (line.IndexOf(Esc) < 0 && line.IndexOf('\x9b') < 0)
        {
            return line;
        }

        var sb = new StringBuilder(line.Length);
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == '\x9b' || (c == Esc && i + 1 < line.Length && line[i + 1] == '['))
            {
                i += c == Esc ? 2 : 1;
                // Parameters and intermediates (0x20–0x3F), then one final byte (0x40–0x7E).
                while (i < line.Length && line[i] >= 0x20 && line[i] <= 0x3F)
                {
                    i++;
                }

                if (i < line.Length && line[i] >= 0x40 && line[i] <= 0x7E)
                {
                    i++;
                }
            }
            else if (c == Esc && i + 1 < line.Length && line[i + 1] == ']')
            {
                i += 2;
                while (
                    i < line.Length
                    && line[i] != '\a'
                    && !(line[i] == Esc && i + 1 < line.Length && line[i + 1] == '\\')
                )
                {
                    i++;
                }

                i += i < line.Length && line[i] == '\a' ? 1 : 2;
            }
            else if (c == Esc)
            {
                i += 2; // ESC ( B, ESC =, ESC 7 …: the escape and the character after it
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }

        return sb.ToString();
    }
}
