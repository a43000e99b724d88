using System.Text;

namespace Rein.Lint.Python;

/// <summary>One logical line of Python: the physical line it starts on, its indentation, and its code with every
/// string literal emptied (<c>"..."</c> becomes <c>""</c>) and comments removed, so that words inside strings and
/// comments never match. Bracketed and backslash-continued lines are joined.</summary>
public sealed record PythonLine(int Line, int Indent, string Code);

/// <summary>
/// An indentation-aware tokenizer, not a Python parser: it knows strings (all prefixes, triple quotes across
/// lines, escapes), comments, brackets, backslash continuations and indentation (a tab to the next multiple of
/// 8, as CPython), which is what the loop and fan-out rules need. It does not build a syntax tree: docs/manual/prevent.md
/// says where that makes the rules guess.
/// </summary>
public static class PythonSource
{
    public static IReadOnlyList<PythonLine> Lines(string text)
    {
        var lines = new List<PythonLine>();
        var code = new StringBuilder();
        var line = 1;
        var start = 1;
        var indent = 0;
        var depth = 0;
        var atLineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (atLineStart)
            {
                var (width, next) = Indentation(text, i);
                i = next;
                if (i >= text.Length)
                {
                    break;
                }

                c = text[i];
                if (c is '\n' or '#' || (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
                {
                    // A blank or comment-only line does not start a logical line.
                    i = SkipToEndOfLine(text, i);
                    line++;
                    continue;
                }

                indent = width;
                start = line;
                atLineStart = false;
            }

            switch (c)
            {
                case '#':
                    i = SkipToEndOfLine(text, i) - 1;
                    break;
                case '"' or '\'':
                    i = SkipString(text, i, ref line) - 1;
                    code.Append(c).Append(c);
                    break;
                case '\\' when i + 1 < text.Length && text[i + 1] is '\n' or '\r':
                    i += text[i + 1] == '\r' ? 2 : 1;
                    line++;
                    code.Append(' ');
                    while (i + 1 < text.Length && text[i + 1] is ' ' or '\t')
                    {
                        i++;
                    }

                    break;
                case '(' or '[' or '{':
                    depth++;
                    code.Append(c);
                    break;
                case ')' or ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    code.Append(c);
                    break;
                case '\r':
                    break;
                case '\n':
                    line++;
                    if (depth > 0)
                    {
                        // Inside brackets the line goes on; the next line's indentation is not code.
                        code.Append(' ');
                        while (i + 1 < text.Length && text[i + 1] is ' ' or '\t')
                        {
                            i++;
                        }

                        break;
                    }

                    Emit(lines, code, start, indent);
                    atLineStart = true;
                    break;
                default:
                    code.Append(c);
                    break;
            }
        }

        Emit(lines, code, start, indent);
        return lines;
    }

    static void Emit(List<PythonLine> lines, StringBuilder code, int start, int indent)
    {
        var text = code.ToString().Trim();
        if (text.Length > 0)
        {
            lines.Add(new PythonLine(start, indent, text));
        }

        code.Clear();
    }

    static (int Width, int Next) Indentation(string text, int i)
    {
        var width = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\f')
        {
            width =
                text[i] == '\t' ? (width / 8 + 1) * 8
                : text[i] == ' ' ? width + 1
                : 0;
            i++;
        }

        return (width, i);
    }

    /// <summary>The index of the newline that ends the line (or the end of the text).</summary>
    static int SkipToEndOfLine(string text, int i)
    {
        var end = text.IndexOf('\n', i);
        return end < 0 ? text.Length : end;
    }

    /// <summary>The index just past the string literal whose opening quote is at <paramref name="i"/>; counts the
    /// newlines a triple-quoted string spans. A backslash always keeps the next character inside (raw strings
    /// too: <c>r"\""</c> is one string).</summary>
    static int SkipString(string text, int i, ref int line)
    {
        var quote = text[i];
        var triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
        var j = i + (triple ? 3 : 1);
        while (j < text.Length)
        {
            var c = text[j];
            if (c == '\\')
            {
                if (j + 1 < text.Length && text[j + 1] == '\n')
                {
                    line++;
                }

                j += 2;
                continue;
            }

            if (c == '\n')
            {
                if (!triple)
                {
                    // An unterminated single-quoted string ends at the line's end (a syntax error in Python).
                    return j;
                }

                line++;
            }
            else if (
                c == quote
                && (
                    !triple || (j + 2 < text.Length && text[j + 1] == quote && text[j + 2] == quote)
                )
            )
            {
                return j + (triple ? 3 : 1);
            }

            j++;
        }

        return text.Length;
    }
}
