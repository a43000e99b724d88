using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Rein.Lint.Compose;

/// <summary>Loads a compose file with YamlDotNet's representation model (a node tree, no reflection: safe under
/// NativeAOT) into <see cref="ComposeNode"/>s, applying YAML merge keys (<c>&lt;&lt;: *common</c>) and keeping
/// lines and tags. Comments are not part of the tree: a commented-out limit is no limit.</summary>
public static class ComposeYaml
{
    const int MaxDepth = 64;

    /// <summary>Nodes materialised through aliases (a node converted again because an alias points at it), per
    /// file: twelve lines of nested aliases name 10^10 nodes, and expanding them would eat the machine.</summary>
    public const int AliasBudget = 100_000;

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

        return new Converter(display).Convert(stream.Documents[0].RootNode, 0, false) as ComposeMap
            ?? throw new LintInputException(
                $"{display}: a compose file is a mapping (services: ...), not a list or a value"
            );
    }

    /// <summary>One file's conversion: which YAML nodes were seen, how many were copied through aliases.</summary>
    sealed class Converter(string file)
    {
        readonly HashSet<YamlNode> _seen = new(ReferenceEqualityComparer.Instance);
        int _expanded;

        public ComposeNode Convert(YamlNode node, int depth, bool viaAlias)
        {
            if (depth > MaxDepth)
            {
                throw new LintInputException($"{file}:{node.Start.Line}: nested too deeply");
            }

            // A node seen before is reached again through an alias: it and all below it are copies.
            viaAlias |= !_seen.Add(node);
            if (viaAlias && ++_expanded > AliasBudget)
            {
                throw new LintInputException(
                    $"{file}:{node.Start.Line}: alias expansion too large (more than {AliasBudget} nodes through aliases)"
                );
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
                        [.. q.Children.Select(c => Convert(c, depth + 1, viaAlias))]
                    );
                case YamlMappingNode m:
                    return ConvertMap(m, line, tag, depth, viaAlias);
                default:
                    return new ComposeScalar(file, line, tag, null);
            }
        }

        ComposeMap ConvertMap(YamlMappingNode m, int line, string? tag, int depth, bool viaAlias)
        {
            var entries = new List<ComposeEntry>();
            var merged = new List<ComposeMap>();
            foreach (var (k, v) in m.Children)
            {
                if (k is not YamlScalarNode { Value: { } key })
                {
                    continue;
                }

                var value = Convert(v, depth + 1, viaAlias);
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
}
