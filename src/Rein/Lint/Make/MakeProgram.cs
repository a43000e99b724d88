namespace Rein.Lint.Make;

/// <summary>A makefile and the files it includes, read into one list of statements in the order make reads
/// them (an included file's statements sit where its <c>include</c> line is).</summary>
public sealed class MakeProgram
{
    const int MaxIncludeDepth = 16;

    readonly List<MakeStatement> _statements = [];
    readonly List<string> _files = [];
    readonly HashSet<string> _visited = [];
    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    readonly string _directory;

    MakeProgram(string directory) => _directory = directory;

    public IReadOnlyList<MakeStatement> Statements => _statements;

    /// <summary>The files read, as shown in findings: the makefile as given, then its includes.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Reads <paramref name="path"/> and, when they exist, the files it includes (relative to its
    /// directory, where make usually runs). Include names are expanded with the values assigned before them;
    /// a name that still holds a reference, or a missing optional include, is skipped.</summary>
    public static MakeProgram Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new LintInputException(
                Directory.Exists(path)
                    ? $"{path} is a directory; give the makefile (e.g. {Path.Combine(path, "Makefile")})"
                    : $"{path}: no such makefile"
            );
        }

        var program = new MakeProgram(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        program.Visit(path, path, 0);
        return program;
    }

    void Visit(string path, string display, int depth)
    {
        if (!_visited.Add(Path.GetFullPath(path)) || depth > MaxIncludeDepth)
        {
            return;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LintInputException($"cannot read {display}: {e.Message}");
        }

        _files.Add(display);
        var displayDirectory = Path.GetDirectoryName(_files[0]) ?? "";
        foreach (var statement in MakefileReader.Read(text, display))
        {
            _statements.Add(statement);
            switch (statement)
            {
                case MakeAssignment { ForTargets: null } a:
                    Remember(a);
                    break;
                case MakeInclude include:
                    foreach (var name in IncludedNames(include))
                    {
                        Visit(
                            Path.Combine(_directory, name),
                            Path.Combine(displayDirectory, name),
                            depth + 1
                        );
                    }

                    break;
            }
        }
    }

    void Remember(MakeAssignment a)
    {
        var value = a.Value.Text;
        if (a.Operator == "+=" && _values.TryGetValue(a.Name, out var old))
        {
            _values[a.Name] = $"{old} {value}";
        }
        else if (a.Operator != "?=" || !_values.ContainsKey(a.Name))
        {
            _values[a.Name] = value;
        }
    }

    IEnumerable<string> IncludedNames(MakeInclude include)
    {
        var names = Substitute(include.Names.Text, 0)
            .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in names)
        {
            if (name.Contains('$', StringComparison.Ordinal) || Path.IsPathRooted(name))
            {
                continue;
            }

            if (name.IndexOfAny(['*', '?', '[']) < 0)
            {
                if (File.Exists(Path.Combine(_directory, name)))
                {
                    yield return name;
                }

                continue;
            }

            // A wildcard include (include mk/*.mk): the matches in name order, as make's glob sorts them.
            var folder = Path.GetDirectoryName(name) ?? "";
            var full = Path.Combine(_directory, folder);
            if (!Directory.Exists(full))
            {
                continue;
            }

            foreach (
                var match in Directory
                    .EnumerateFiles(full, Path.GetFileName(name))
                    .Order(StringComparer.Ordinal)
            )
            {
                yield return Path.Combine(folder, Path.GetFileName(match));
            }
        }
    }

    /// <summary>Expands plain <c>$(NAME)</c> references with the values known so far.</summary>
    string Substitute(string text, int depth)
    {
        var b = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 >= text.Length || text[i + 1] is not ('(' or '{'))
            {
                b.Append(text[i]);
                continue;
            }

            var close = MakeSyntax.SkipReference(text, i);
            var name = text[(i + 2)..Math.Max(i + 2, close - 1)];
            if (depth < 8 && _values.TryGetValue(name, out var value))
            {
                b.Append(Substitute(value, depth + 1));
            }
            else
            {
                b.Append(text, i, close - i);
            }

            i = close - 1;
        }

        return b.ToString();
    }
}
