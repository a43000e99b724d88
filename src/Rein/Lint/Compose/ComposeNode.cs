namespace Rein.Lint.Compose;

/// <summary>A YAML node of a compose file with where it came from (file and 1-based line) and its tag
/// (<c>!reset</c>, <c>!override</c>), which the overlay merge obeys.</summary>
public abstract class ComposeNode(string file, int line, string? tag)
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public string? Tag { get; } = tag;

    public abstract ComposeNode WithoutTag();
}

/// <summary>A mapping in file order; each entry remembers the line of its key.</summary>
public sealed class ComposeMap(
    string file,
    int line,
    string? tag,
    IReadOnlyList<ComposeEntry> entries
) : ComposeNode(file, line, tag)
{
    public IReadOnlyList<ComposeEntry> Entries { get; } = entries;

    public ComposeNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key)?.Value;

    public ComposeEntry? Entry(string key) => Entries.FirstOrDefault(e => e.Key == key);

    /// <summary>The node at a path of keys (<c>deploy.resources.limits.memory</c>), or null.</summary>
    public ComposeNode? At(params string[] path)
    {
        ComposeNode? node = this;
        foreach (var key in path)
        {
            node = node is ComposeMap map ? map[key] : null;
        }

        return node;
    }

    public override ComposeNode WithoutTag() => new ComposeMap(File, Line, null, Entries);
}

public sealed record ComposeEntry(string Key, int KeyLine, ComposeNode Value);

public sealed class ComposeSequence(
    string file,
    int line,
    string? tag,
    IReadOnlyList<ComposeNode> items
) : ComposeNode(file, line, tag)
{
    public IReadOnlyList<ComposeNode> Items { get; } = items;

    public override ComposeNode WithoutTag() => new ComposeSequence(File, Line, null, Items);
}

/// <summary>A scalar; <see cref="Value"/> is null for YAML's null (<c>null</c>, <c>~</c>, nothing).</summary>
public sealed class ComposeScalar(string file, int line, string? tag, string? value)
    : ComposeNode(file, line, tag)
{
    public string? Value { get; } = value;

    public override ComposeNode WithoutTag() => new ComposeScalar(File, Line, null, Value);
}
