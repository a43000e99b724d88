using System.Globalization;
using System.Text;

namespace Rein;

/// <summary>
/// Commands and other text that came from a user or a process, made safe to show a person: a control character
/// (ESC, CR, LF, TAB, any other C0 or C1 code, DEL) never reaches a terminal raw, where it could recolour, hide or
/// rewrite what is shown, or split one record into several lines. Every human view uses this one helper.
/// </summary>
public static class CommandText
{
    /// <summary>An argv as one shell-style line: plain words bare, others single-quoted, and words holding control
    /// characters in bash's <c>$'…'</c> form with visible escapes, so the line can still be pasted into a shell.</summary>
    public static string Join(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));

    /// <summary>One argument in shell syntax (see <see cref="Join"/>).</summary>
    public static string Quote(string word)
    {
        if (
            word.Length > 0
            && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
        )
        {
            return word;
        }

        if (!word.Any(char.IsControl) && !Platform.Posix.OsString.HasEscapedBytes(word))
        {
            return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        }

        var sb = new StringBuilder("$'");
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (c is '\\' or '\'')
            {
                sb.Append('\\').Append(c);
            }
            else
            {
                AppendEscaped(sb, word, i);
            }
        }

        return sb.Append('\'').ToString();
    }

    /// <summary>Free text (a path, a process's command line, a message): control characters become visible escapes
    /// (<c>\e</c>, <c>\n</c>, <c>\x07</c>, <c>\u0085</c>); everything else is unchanged.</summary>
    public static string Escape(string text)
    {
        if (!text.Any(char.IsControl) && !Platform.Posix.OsString.HasEscapedBytes(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            AppendEscaped(sb, text, i);
        }

        return sb.ToString();
    }

    /// <summary>A raw byte the caller passed (not UTF-8: <see cref="Platform.Posix.OsString"/>) is shown as bash
    /// writes it, <c>\xe9</c>.</summary>
    static void AppendEscaped(StringBuilder sb, string text, int i)
    {
        var c = text[i];
        _ = c switch
        {
            _ when Platform.Posix.OsString.IsEscapedByte(text, i) => sb.Append(
                CultureInfo.InvariantCulture,
                $"\\x{c - 0xDC00:x2}"
            ),
            '\u001b' => sb.Append("\\e"),
            '\n' => sb.Append("\\n"),
            '\r' => sb.Append("\\r"),
            '\t' => sb.Append("\\t"),
            '\a' => sb.Append("\\a"),
            '\b' => sb.Append("\\b"),
            '\f' => sb.Append("\\f"),
            '\v' => sb.Append("\\v"),
            < '\u0080' when char.IsControl(c) => sb.Append(
                CultureInfo.InvariantCulture,
                $"\\x{(int)c:x2}"
            ),
            _ when char.IsControl(c) => sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            _ => sb.Append(c),
        };
    }
}
