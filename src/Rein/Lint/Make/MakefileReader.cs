namespace Rein.Lint.Make;

/// <summary>
/// Reads a makefile into statements the way GNU Make splits it: backslash-newline joins physical lines (outside
/// recipes into one space), <c>#</c> starts a comment except inside a variable reference or function call, after
/// a backslash, in a recipe line or in a <c>define</c> body; a line that starts with the recipe prefix (a tab, or
/// <c>.RECIPEPREFIX</c>) after a rule is a recipe line; <c>define ... endef</c> (nested too) is one assignment;
/// <c>override</c>, <c>export</c>, <c>private</c> prefix assignments; <c>t: NAME := v</c> is a target-specific
/// variable. It does not evaluate conditionals: both branches are read, as either may be taken.
/// </summary>
public sealed partial class MakefileReader
{
    static readonly string[] Conditionals = ["ifeq", "ifneq", "ifdef", "ifndef"];

    static bool IsDirective(string word) =>
        word
            is "ifeq"
                or "ifneq"
                or "ifdef"
                or "ifndef"
                or "else"
                or "include"
                or "-include"
                or "sinclude"
                or "vpath";

    readonly string _file;
    readonly string[] _lines;
    readonly List<MakeStatement> _result = [];
    int _next;
    char _recipePrefix = '\t';
    IReadOnlyList<string>? _ruleTargets;

    MakefileReader(string text, string file)
    {
        _file = file;
        _lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
    }

    /// <summary>The statements of one makefile's text (includes are not followed here: see <see cref="MakeProgram"/>).</summary>
    public static IReadOnlyList<MakeStatement> Read(string text, string file)
    {
        var reader = new MakefileReader(text, file);
        reader.ReadAll();
        return reader._result;
    }

    void ReadAll()
    {
        while (_next < _lines.Length)
        {
            var raw = _lines[_next];
            if (_ruleTargets is not null && raw.Length > 0 && raw[0] == _recipePrefix)
            {
                var recipe = JoinRecipe();
                _result.Add(new MakeRecipeLine(_file, recipe.Line, recipe, _ruleTargets));
                continue;
            }

            var logical = JoinLogical();
            var comment = MakeSyntax.CommentStart(logical.Text);
            var line = (comment < 0 ? logical : logical.Slice(0, comment)).Trim();
            if (line.Text.Length > 0)
            {
                Statement(line, startsWithTab: raw.Length > 0 && raw[0] == '\t');
            }
        }
    }

    /// <summary>A recipe line and its continuations (the backslash-newline stays the shell's business; one recipe
    /// prefix is removed from each continuation line, as make does).</summary>
    MakeText JoinRecipe()
    {
        var first = _lines[_next];
        if (!MakeSyntax.EndsWithContinuation(first))
        {
            _next++;
            return MakeText.OneLine(_file, first[1..], _next);
        }

        var pieces = new List<(string, int)>();
        while (_next < _lines.Length)
        {
            var line = _lines[_next];
            var text = line.Length > 0 && line[0] == _recipePrefix ? line[1..] : line;
            _next++;
            if (MakeSyntax.EndsWithContinuation(line))
            {
                pieces.Add((text[..^1], _next));
                continue;
            }

            pieces.Add((text, _next));
            break;
        }

        return MakeText.Join(_file, pieces, " ");
    }

    /// <summary>A logical line: backslash-newline and the whitespace around it become one space.</summary>
    MakeText JoinLogical()
    {
        var first = _lines[_next];
        if (!MakeSyntax.EndsWithContinuation(first))
        {
            // Most lines stand alone: no joining, no copies.
            _next++;
            return MakeText.OneLine(_file, first, _next);
        }

        var pieces = new List<(string, int)>();
        while (_next < _lines.Length)
        {
            var line = _lines[_next];
            _next++;
            var text = pieces.Count == 0 ? line : line.TrimStart();
            if (MakeSyntax.EndsWithContinuation(line))
            {
                pieces.Add((text[..^1].TrimEnd(), _next));
                continue;
            }

            pieces.Add((text, _next));
            break;
        }

        return MakeText.Join(_file, pieces, " ");
    }

    void Statement(MakeText line, bool startsWithTab)
    {
        var word = MakeSyntax.FirstWord(line.Text);
        var rest = IsDirective(word) ? line.Slice(word.Length).Trim() : line;
        if (Conditionals.Contains(word))
        {
            _result.Add(new MakeParseTimeText(_file, line.Line, rest, $"the condition of {word}"));
            return;
        }

        if (word == "else")
        {
            if (rest.Text.Length > 0)
            {
                Statement(rest, startsWithTab);
            }

            return;
        }

        if (word is "endif" or "endef")
        {
            return;
        }

        // Anything else ends the rule context: a following recipe-prefixed line is no recipe of the old rule.
        _ruleTargets = null;
        if (word is "include" or "-include" or "sinclude")
        {
            _result.Add(new MakeInclude(_file, line.Line, rest, word != "include"));
            return;
        }

        if (word == "vpath")
        {
            _result.Add(new MakeParseTimeText(_file, line.Line, rest, "a vpath directive"));
            return;
        }

        if (word == "undefine")
        {
            return;
        }

        var (body, isOverride, isExport, isPrivate, isUnexport) = Prefixes(line);
        if (MakeSyntax.FirstWord(body.Text) == "define")
        {
            Define(body.Slice(6).Trim(), line.Line, isOverride, isExport, isPrivate);
            return;
        }

        var op = MakeSyntax.FindOperator(body.Text);
        if ((isExport || isUnexport) && op.Kind == OperatorKind.None)
        {
            var names = body.Text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            _result.Add(new MakeExport(_file, line.Line, names, isExport));
            return;
        }

        switch (op.Kind)
        {
            case OperatorKind.Assignment:
                Assignment(body, op, isOverride, isExport, isPrivate, null);
                return;
            case OperatorKind.RuleColon:
                Rule(body, op);
                return;
            default:
                // A line that is only expansions ($(eval ...), $(info ...), $(shell ...)) runs while reading.
                // A tab-started line that is neither an assignment nor a directive is an error to make: skipped.
                if (!startsWithTab && body.Text.Contains('$', StringComparison.Ordinal))
                {
                    _result.Add(
                        new MakeParseTimeText(_file, line.Line, body, "a top-level expansion")
                    );
                }

                return;
        }
    }

    void Assignment(
        MakeText body,
        Operator op,
        bool isOverride,
        bool isExport,
        bool isPrivate,
        IReadOnlyList<string>? forTargets
    )
    {
        var name = body.Text[..op.NameEnd].Trim();
        if (name.Length == 0)
        {
            return;
        }

        var value = body.Slice(op.Position + op.Text.Length).Trim();
        _result.Add(
            new MakeAssignment(
                _file,
                body.Line,
                name,
                op.Text,
                value,
                isOverride,
                isExport,
                isPrivate,
                forTargets
            )
        );
        if (name == ".RECIPEPREFIX" && forTargets is null)
        {
            _recipePrefix = value.Text.Length > 0 ? value.Text[0] : '\t';
        }
    }

    void Rule(MakeText body, Operator op)
    {
        var targetText = body.Slice(0, op.Position);
        var after = op.Position + (op.Text == "::" ? 2 : 1);
        var rest = body.Slice(after);
        var targets = targetText.Text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

        var (tsv, isOverride, isExport, isPrivate, _) = Prefixes(rest.Trim());
        var inner = MakeSyntax.FindOperator(tsv.Text);
        if (inner.Kind == OperatorKind.Assignment)
        {
            Assignment(tsv, inner, isOverride, isExport, isPrivate, targets);
            _result.Add(new MakeRule(_file, body.Line, targets, targetText, tsv.Slice(0, 0)));
            return;
        }

        var semicolon = MakeSyntax.IndexOutsideReferences(rest.Text, ';');
        var prerequisites = semicolon < 0 ? rest : rest.Slice(0, semicolon);
        _result.Add(new MakeRule(_file, body.Line, targets, targetText, prerequisites.Trim()));
        _ruleTargets = targets;
        if (semicolon >= 0)
        {
            _result.Add(
                new MakeRecipeLine(_file, body.Line, rest.Slice(semicolon + 1).Trim(), targets)
            );
        }

        if (targets.Contains(".EXPORT_ALL_VARIABLES"))
        {
            _result.Add(new MakeExport(_file, body.Line, [], true));
        }
    }
}
