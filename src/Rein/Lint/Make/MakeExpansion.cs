namespace Rein.Lint.Make;

/// <summary>A <c>$(shell ...)</c> found in a text: where it starts and its command as written.</summary>
internal readonly record struct ShellCall(int Offset, string Command);

/// <summary>What expanding a text does, as far as the linter cares: the shell calls it makes and the variables
/// it expands (each may hold more shell calls). Function calls are followed into their arguments.</summary>
internal sealed class MakeExpansion
{
    static readonly HashSet<string> Functions =
    [
        "subst",
        "patsubst",
        "strip",
        "findstring",
        "filter",
        "filter-out",
        "sort",
        "word",
        "words",
        "wordlist",
        "firstword",
        "lastword",
        "dir",
        "notdir",
        "suffix",
        "basename",
        "addsuffix",
        "addprefix",
        "join",
        "wildcard",
        "realpath",
        "abspath",
        "error",
        "warning",
        "info",
        "shell",
        "origin",
        "flavor",
        "foreach",
        "if",
        "or",
        "and",
        "call",
        "eval",
        "file",
        "value",
        "let",
        "intcmp",
        "guile",
    ];

    /// <summary>Functions whose argument names a variable without expanding it.</summary>
    static readonly HashSet<string> NameOnly = ["value", "origin", "flavor"];

    public List<ShellCall> Shells { get; } = [];

    /// <summary>Variables expanded, with the offset of their reference.</summary>
    public List<(string Name, int Offset)> Variables { get; } = [];

    public static MakeExpansion Of(string text)
    {
        var e = new MakeExpansion();
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return e;
        }

        e.Walk(text, 0, text.Length, insideShell: false);
        return e;
    }

    void Walk(string text, int start, int end, bool insideShell)
    {
        for (var i = start; i < end; i++)
        {
            if (text[i] != '$' || i + 1 >= end)
            {
                continue;
            }

            var next = text[i + 1];
            if (next == '$')
            {
                i++;
                continue;
            }

            if (next is not ('(' or '{'))
            {
                Variables.Add((next.ToString(), i));
                i++;
                continue;
            }

            var close = Math.Min(MakeSyntax.SkipReference(text, i), end);
            var innerStart = i + 2;
            var innerEnd =
                close > innerStart && text[close - 1] == (next == '(' ? ')' : '}')
                    ? close - 1
                    : close;
            Reference(text, i, innerStart, innerEnd, insideShell);
            i = close - 1;
        }
    }

    void Reference(string text, int dollar, int start, int end, bool insideShell)
    {
        var nameEnd = start;
        while (nameEnd < end && !char.IsWhiteSpace(text[nameEnd]) && text[nameEnd] != ',')
        {
            nameEnd++;
        }

        var word = text[start..nameEnd];
        if (nameEnd < end && char.IsWhiteSpace(text[nameEnd]) && Functions.Contains(word))
        {
            var args = nameEnd + 1;
            if (word == "shell" && !insideShell)
            {
                Shells.Add(new ShellCall(dollar, text[args..end]));
            }

            if (word == "call")
            {
                var comma = text.IndexOf(',', args, end - args);
                var called = text[args..(comma < 0 ? end : comma)].Trim();
                if (!called.Contains('$', StringComparison.Ordinal))
                {
                    Variables.Add((called, dollar));
                }
            }

            if (NameOnly.Contains(word))
            {
                // $(value X) reads X without expanding it; only references inside the name are expanded.
                WalkNameOnly(text, args, end, insideShell);
                return;
            }

            Walk(text, args, end, insideShell || word == "shell");
            return;
        }

        // A variable reference, perhaps a substitution reference $(VAR:a=b) or a computed name $($(X)_FLAGS).
        var colon = start;
        while (colon < end && text[colon] != ':')
        {
            colon = text[colon] == '$' ? MakeSyntax.SkipReference(text, colon) : colon + 1;
        }

        var name = text[start..Math.Min(colon, end)];
        if (name.Contains('$', StringComparison.Ordinal))
        {
            Walk(text, start, Math.Min(colon, end), insideShell);
        }
        else
        {
            Variables.Add((name.Trim(), dollar));
        }

        if (colon < end)
        {
            Walk(text, colon + 1, end, insideShell);
        }
    }

    void WalkNameOnly(string text, int start, int end, bool insideShell)
    {
        for (var i = start; i < end; i++)
        {
            if (text[i] == '$')
            {
                var close = Math.Min(MakeSyntax.SkipReference(text, i), end);
                Walk(text, i, close, insideShell);
                i = close - 1;
            }
        }
    }
}
