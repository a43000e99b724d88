using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Rein.Lint.Compose;

/// <summary>Loads a compose file with YamlDotNet's representation model (a node tree, no reflection: safe under
/// NativeAOT) into <see cref="ComposeNode"/>s, applying YAML merge keys (<c>&lt;&lt;: *common</c>) and keeping
/// lines and tags. Comments are not part of the tree: a commented-out limit is no limit.</summary>
public static class ComposeYaml
{
    const int MaxDepth = 64;

    public static ComposeMap Load(string path, string display)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new LintInputException($"{display}: no such compose file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LintInputException($"cannot read {display}: {e.Message}");
        }

        return Parse(text, display);
    }

    public static ComposeMap Parse(string text, string display)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            throw new LintInputException(
                $"{display}:{e.Start.Line}: not valid YAML: {message.Split('\n')[0]}"
            );
        }

        if (stream.Documents.Count == 0)
        {
            return new ComposeMap(display, 1, null, []);
        }

        return Convert(stream.Documents[0].RootNode, display, 0) as ComposeMap
            ?? throw new LintInputException(
                $"{display}: a compose file is a mapping (services: ...), not a list or a value"
            );
    }

    static ComposeNode Convert(YamlNode node, string file, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new LintInputException($"{file}:{node.Start.Line}: nested too deeply");
        }

        var tag = node.Tag.IsEmpty ? null : node.Tag.Value;
        var line = (int)node.Start.Line;
        switch (node)
        {
            case YamlScalarNode s:
                var isNull =
                    s.Style == ScalarStyle.Plain
                    && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");
                return new ComposeScalar(file, line, tag, isNull ? null : s.Value);
            case YamlSequenceNode q:
                return new ComposeSequence(
                    file,
                    line,
                    tag,
                    [.. q.Children.Select(c => Convert(c, file, depth + 1))]
                );
            case YamlMappingNode m:
                return ConvertMap(m, file, line, tag, depth);
            default:
                return new ComposeScalar(file, line, tag, null);
        }
    }

    static ComposeMap ConvertMap(YamlMappingNode m, string file, int line, string? tag, int depth)
    {
        var entries = new List<ComposeEntry>();
        var merged = new List<ComposeMap>();
        foreach (var (k, v) in m.Children)
        {
            if (k is not YamlScalarNode { Value: { } key })
            {
                continue;
            }

            var value = Convert(v, file, depth + 1);
            if (key == "<<")
            {
                // A YAML merge key: the keys of the merged mapping(s) that this mapping does not set itself.
                merged.AddRange(
                    value switch
                    {
                        ComposeMap single => [single],
                        ComposeSequence many => many.Items.OfType<ComposeMap>(),
                        _ => [],
                    }
                );
                continue;
            }

            entries.RemoveAll(e => e.Key == key);
            entries.Add(new ComposeEntry(key, (int)k.Start.Line, value));
        }

        foreach (var source in merged)
        {
            foreach (var e in source.Entries)
            {
                if (entries.All(x => x.Key != e.Key))
                {
                    entries.Add(e);
                }
            }
        }

        return new ComposeMap(file, line, tag, entries);
    }
}
