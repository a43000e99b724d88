namespace Rein.Lint.Compose;

/// <summary>
/// Merges compose files as <c>docker compose -f a.yml -f b.yml</c> does: mappings merge key by key, a later
/// scalar replaces an earlier one, sequences are appended (repeated equal scalars once), <c>!reset</c> removes
/// what the earlier files set and <c>!override</c> replaces it whole instead of merging. Also resolves
/// <c>extends</c> (same file or another one).
/// </summary>
public static class ComposeMerge
{
    const int MaxExtendsDepth = 16;

    public static ComposeNode? Merge(ComposeNode? earlier, ComposeNode later)
    {
        if (later.Tag == "!reset")
        {
            return null;
        }

        if (later.Tag == "!override" || earlier is null)
        {
            return Untagged(later);
        }

        switch (earlier, later)
        {
            case (ComposeMap a, ComposeMap b):
                var entries = a.Entries.ToList();
                foreach (var e in b.Entries)
                {
                    var index = entries.FindIndex(x => x.Key == e.Key);
                    var old = index < 0 ? null : entries[index];
                    var value = Merge(old?.Value, e.Value);
                    if (index >= 0)
                    {
                        entries.RemoveAt(index);
                    }

                    if (value is not null)
                    {
                        entries.Insert(
                            index < 0 ? entries.Count : index,
                            new ComposeEntry(e.Key, old?.KeyLine ?? e.KeyLine, value)
                        );
                    }
                }

                return new ComposeMap(a.File, a.Line, null, entries);
            case (ComposeSequence a, ComposeSequence b):
                var items = a.Items.ToList();
                foreach (var item in b.Items.Select(Untagged).OfType<ComposeNode>())
                {
                    if (
                        item is not ComposeScalar s
                        || !items.OfType<ComposeScalar>().Any(x => x.Value == s.Value)
                    )
                    {
                        items.Add(item);
                    }
                }

                return new ComposeSequence(a.File, a.Line, null, items);
            default:
                return Untagged(later);
        }
    }

    /// <summary>A node as it stands alone: tags dropped, <c>!reset</c> entries removed.</summary>
    static ComposeNode? Untagged(ComposeNode node) =>
        node switch
        {
            _ when node.Tag == "!reset" => null,
            ComposeMap m => new ComposeMap(
                m.File,
                m.Line,
                null,
                [
                    .. m
                        .Entries.Select(e => e with { Value = Untagged(e.Value)! })
                        .Where(e => e.Value is not null),
                ]
            ),
            ComposeSequence q => new ComposeSequence(
                q.File,
                q.Line,
                null,
                [.. q.Items.Select(Untagged).OfType<ComposeNode>()]
            ),
            _ => node.WithoutTag(),
        };

    /// <summary>The service with its <c>extends</c> chain applied (the base first, this service on top).</summary>
    public static ComposeMap ResolveExtends(
        ComposeMap service,
        ComposeMap services,
        string directory,
        int depth = 0
    )
    {
        if (service["extends"] is not { } extends || depth > MaxExtendsDepth)
        {
            return service;
        }

        var (baseName, baseFile) = extends switch
        {
            ComposeScalar s => (s.Value, null),
            ComposeMap m => (
                (m["service"] as ComposeScalar)?.Value,
                (m["file"] as ComposeScalar)?.Value
            ),
            _ => (null, null),
        };
        if (baseName is null)
        {
            return service;
        }

        var baseServices = services;
        var baseDirectory = directory;
        if (baseFile is not null)
        {
            var path = Path.Combine(directory, baseFile);
            var display = Path.Combine(Path.GetDirectoryName(extends.File) ?? "", baseFile);
            baseServices =
                ComposeYaml.Load(path, display)["services"] as ComposeMap
                ?? new ComposeMap(display, 1, null, []);
            baseDirectory = Path.GetDirectoryName(path) ?? directory;
        }

        if (baseServices[baseName] is not ComposeMap baseService)
        {
            throw new LintInputException(
                $"{extends.File}:{extends.Line}: extends names service '{baseName}', which {(baseFile ?? "this file")} does not define"
            );
        }

        var resolvedBase = ResolveExtends(baseService, baseServices, baseDirectory, depth + 1);
        var own = new ComposeMap(
            service.File,
            service.Line,
            null,
            [.. service.Entries.Where(e => e.Key != "extends")]
        );
        var merged = (ComposeMap)Merge(resolvedBase, own)!;
        // The service is where it is declared, not where its base is.
        return new ComposeMap(service.File, service.Line, null, merged.Entries);
    }
}
