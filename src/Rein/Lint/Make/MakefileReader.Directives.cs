namespace Rein.Lint.Make;

/// <summary>The prefixes (<c>override</c>, <c>export</c>, <c>private</c>, <c>unexport</c>) and <c>define</c>
/// blocks of the makefile reader.</summary>
public sealed partial class MakefileReader
{
    static (MakeText Body, bool Override, bool Export, bool Private, bool Unexport) Prefixes(
        MakeText line
    )
    {
        bool o = false,
            e = false,
            p = false,
            u = false;
        var body = line;
        while (true)
        {
            var word = MakeSyntax.FirstWord(body.Text);
            if (word is not ("override" or "export" or "private" or "unexport"))
            {
                return (body, o, e, p, u);
            }

            var rest = body.Slice(word.Length).Trim();
            // `export := 1` assigns a variable named export: a prefix is a prefix only when something follows it
            // that is not an operator.
            var isPrefix =
                word is "override" or "export" or "private" or "unexport"
                && (
                    rest.Text.Length == 0
                        ? word is "export" or "unexport"
                        : MakeSyntax.FindOperator(rest.Text)
                            is not { Kind: OperatorKind.Assignment, Position: 0 }
                );
            if (!isPrefix)
            {
                return (body, o, e, p, u);
            }

            o |= word == "override";
            e |= word == "export";
            p |= word == "private";
            u |= word == "unexport";
            body = rest;
            if (rest.Text.Length == 0)
            {
                return (body, o, e, p, u);
            }
        }
    }

    /// <summary><c>define NAME [OP]</c> ... <c>endef</c>: the body, kept verbatim (comments included), is the value.</summary>
    void Define(MakeText header, int line, bool isOverride, bool isExport, bool isPrivate)
    {
        var headerText = header.Text;
        var op = "=";
        foreach (var candidate in new[] { ":::=", "::=", ":=", "?=", "+=", "!=", "=" })
        {
            if (headerText.EndsWith(candidate, StringComparison.Ordinal))
            {
                op = candidate;
                headerText = headerText[..^candidate.Length];
                break;
            }
        }

        var pieces = new List<(string, int)>();
        var depth = 1;
        while (_next < _lines.Length)
        {
            var raw = _lines[_next];
            _next++;
            var word = MakeSyntax.FirstWord(raw.Trim());
            if (
                word == "define"
                || (
                    word is "override" or "export" or "private"
                    && raw.Contains(" define", StringComparison.Ordinal)
                )
            )
            {
                depth++;
            }
            else if (word == "endef" && --depth == 0)
            {
                break;
            }

            pieces.Add((raw, _next));
        }

        var value =
            pieces.Count == 0
                ? MakeText.OneLine(_file, "", line)
                : MakeText.Join(_file, pieces, "\n");
        _result.Add(
            new MakeAssignment(
                _file,
                line,
                headerText.Trim(),
                op,
                value,
                isOverride,
                isExport,
                isPrivate,
                null
            )
        );
    }
}
