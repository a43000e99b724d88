namespace Rein.Lint.Make;

internal enum OperatorKind
{
    None,
    Assignment,
    RuleColon,
}

/// <summary>The first assignment operator or rule colon of a line, outside variable references.</summary>
internal readonly record struct Operator(OperatorKind Kind, int Position, string Text, int NameEnd);

/// <summary>The lexical rules of GNU Make that the reader and the expansion scanner share.</summary>
internal static class MakeSyntax
{
    static readonly string[] ColonOperators = [":::=", "::=", ":="];

    /// <summary>An odd number of trailing backslashes continues the line (<c>\\</c> is an escaped backslash).</summary>
    public static bool EndsWithContinuation(string line)
    {
        var n = 0;
        for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
        {
            n++;
        }

        return n % 2 == 1;
    }

    public static string FirstWord(string text)
    {
        var end = 0;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '(')
        {
            end++;
        }

        return text[..end];
    }

    /// <summary>The index just past the reference that starts with the <c>$</c> at <paramref name="dollar"/>:
    /// <c>$(...)</c> and <c>${...}</c> end at the matching close of the same kind (make counts only that kind, and
    /// knows nothing of quotes), <c>$$</c> and <c>$X</c> are two characters.</summary>
    public static int SkipReference(string text, int dollar)
    {
        if (dollar + 1 >= text.Length)
        {
            return text.Length;
        }

        var open = text[dollar + 1];
        if (open is not ('(' or '{'))
        {
            return dollar + 2;
        }

        var close = open == '(' ? ')' : '}';
        var depth = 0;
        for (var i = dollar + 1; i < text.Length; i++)
        {
            if (text[i] == open)
            {
                depth++;
            }
            else if (text[i] == close && --depth == 0)
            {
                return i + 1;
            }
        }

        return text.Length;
    }

    /// <summary>Where a comment starts: a <c>#</c> outside references, not after a backslash; -1 when none.</summary>
    public static int CommentStart(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when i + 1 < text.Length && text[i + 1] == '#':
                    i++;
                    break;
                case '$':
                    i = SkipReference(text, i) - 1;
                    break;
                case '#':
                    return i;
            }
        }

        return -1;
    }

    /// <summary>The first <paramref name="c"/> outside references, or -1.</summary>
    public static int IndexOutsideReferences(string text, char c)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$')
            {
                i = SkipReference(text, i) - 1;
            }
            else if (text[i] == c)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Finds what makes a line an assignment or a rule: the first <c>=</c> or <c>:</c> outside references
    /// decides, as in make (<c>a=b:c</c> assigns, <c>a: b=c</c> is a target-specific variable).</summary>
    public static Operator FindOperator(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '$')
            {
                i = SkipReference(text, i) - 1;
                continue;
            }

            if (c == '=')
            {
                if (i > 0 && text[i - 1] is '?' or '+' or '!')
                {
                    return new Operator(
                        OperatorKind.Assignment,
                        i - 1,
                        text[(i - 1)..(i + 1)],
                        i - 1
                    );
                }

                return new Operator(OperatorKind.Assignment, i, "=", i);
            }

            if (c == ':')
            {
                foreach (var op in ColonOperators)
                {
                    if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0)
                    {
                        return new Operator(OperatorKind.Assignment, i, op, i);
                    }
                }

                var isDouble = i + 1 < text.Length && text[i + 1] == ':';
                return new Operator(OperatorKind.RuleColon, i, isDouble ? "::" : ":", i);
            }
        }

        return new Operator(OperatorKind.None, -1, "", -1);
    }
}
