using System.Text.RegularExpressions;

namespace Rein.Lint.Python;

/// <summary>Block structure from indentation: a statement's body is the lines below it indented deeper; its
/// enclosing blocks are the nearest less-indented lines above it.</summary>
internal sealed class PythonScope(IReadOnlyList<PythonLine> lines)
{
    public IReadOnlyList<PythonLine> Lines { get; } = lines;

    /// <summary>The body of the block whose header is at <paramref name="header"/>, one logical line a line.</summary>
    public string BodyText(int header)
    {
        var indent = Lines[header].Indent;
        var body = new List<string>();
        for (var i = header + 1; i < Lines.Count && Lines[i].Indent > indent; i++)
        {
            body.Add(Lines[i].Code);
        }

        return string.Join('\n', body);
    }

    /// <summary>The headers enclosing line <paramref name="index"/>, innermost first.</summary>
    public IEnumerable<int> Enclosing(int index)
    {
        var limit = Lines[index].Indent;
        for (var j = index - 1; j >= 0 && limit > 0; j--)
        {
            if (Lines[j].Indent < limit)
            {
                limit = Lines[j].Indent;
                yield return j;
            }
        }
    }

    /// <summary>The innermost for/while loop around the line within its function, or -1.</summary>
    public int EnclosingLoop(int index)
    {
        foreach (var j in Enclosing(index))
        {
            if (PythonRules.IsDef(Lines[j].Code, out _))
            {
                return -1;
            }

            if (PythonRules.IsLoop(Lines[j].Code))
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>A limiter (semaphore) in the enclosing function, at module level, or in a function of this file
    /// that the line calls.</summary>
    public bool LimiterInScope(int index, Regex limiter)
    {
        var function = Enclosing(index)
            .FirstOrDefault(j => PythonRules.IsDef(Lines[j].Code, out _), -1);
        if (function >= 0 && limiter.IsMatch(BodyText(function)))
        {
            return true;
        }

        if (Lines.Where(l => l.Indent == 0).Any(l => limiter.IsMatch(l.Code)))
        {
            return true;
        }

        foreach (Match call in Regex.Matches(Lines[index].Code, @"\b([A-Za-z_]\w*)\("))
        {
            for (var j = 0; j < Lines.Count; j++)
            {
                if (
                    PythonRules.IsDef(Lines[j].Code, out var name)
                    && name == call.Groups[1].Value
                    && limiter.IsMatch(BodyText(j))
                )
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="name"/> was last assigned a comprehension above the line, in its function.</summary>
    public bool AssignedComprehension(int index, string name)
    {
        var assignment = new Regex($@"^{Regex.Escape(name)}\s*(?::[^=]*)?=\s*(.*)$");
        for (var j = index - 1; j >= 0; j--)
        {
            if (assignment.Match(Lines[j].Code) is { Success: true } m)
            {
                return PythonRules.OverUnboundedIterable(m.Groups[1].Value);
            }

            if (PythonRules.IsDef(Lines[j].Code, out _) && Lines[j].Indent < Lines[index].Indent)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>The index of the bracket closing the one at <paramref name="open"/> (strings are already empty).</summary>
    public static int MatchingClose(string code, int open)
    {
        var depth = 0;
        for (var i = open; i < code.Length; i++)
        {
            if (code[i] is '(' or '[' or '{')
            {
                depth++;
            }
            else if (code[i] is ')' or ']' or '}' && --depth == 0)
            {
                return i;
            }
        }

        return code.Length;
    }
}
