using System.Text.RegularExpressions;

namespace Rein.Lint.Compose;

/// <summary>Finds memory limits that are commented out (<c># mem_limit: 2g</c>, <c>#   memory: 2G</c>), to say
/// in the finding that they do not count. A commented line belongs to the service a comment just above it names
/// (<c>#   api:</c>), else to the service whose block it sits in.</summary>
internal static partial class CommentedLimits
{
    [GeneratedRegex(@"^\s*#.*\b(mem_limit|memory)\s*:\s*\S")]
    private static partial Regex Limit();

    [GeneratedRegex(@"^\s*#\s*([A-Za-z0-9._-]+)\s*:\s*$")]
    private static partial Regex NamedKey();

    const int LookBack = 8;

    public static IReadOnlyDictionary<string, (string File, int Line)> Find(
        IReadOnlyList<string> files,
        IReadOnlyList<ComposeMap> documents
    )
    {
        var found = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        for (var f = 0; f < files.Count; f++)
        {
            var services = (documents[f]["services"] as ComposeMap)?.Entries ?? [];
            // The services block ends where the next top-level key (volumes:, networks:) starts.
            var start = documents[f].Entry("services")?.KeyLine ?? int.MaxValue;
            var end = documents[f]
                .Entries.Select(e => e.KeyLine)
                .Where(l => l > start)
                .DefaultIfEmpty(int.MaxValue)
                .Min();
            var lines = File.ReadAllLines(files[f]);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!Limit().IsMatch(lines[i]))
                {
                    continue;
                }

                var owner =
                    NamedAbove(lines, i, services)
                    ?? (i + 1 > start && i + 1 < end ? Enclosing(i + 1, services) : null);
                if (owner is not null)
                {
                    found.TryAdd(owner, (files[f], i + 1));
                }
            }
        }

        return found;
    }

    static string? NamedAbove(string[] lines, int index, IReadOnlyList<ComposeEntry> services)
    {
        for (var i = index - 1; i >= 0 && i >= index - LookBack; i--)
        {
            if (
                NamedKey().Match(lines[i]) is { Success: true } m
                && services.Any(s => s.Key == m.Groups[1].Value)
            )
            {
                return m.Groups[1].Value;
            }
        }

        return null;
    }

    static string? Enclosing(int line, IReadOnlyList<ComposeEntry> services) =>
        services.LastOrDefault(s => s.KeyLine <= line)?.Key;
}
