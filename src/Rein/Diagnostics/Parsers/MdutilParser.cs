namespace Rein.Diagnostics.Parsers;

/// <summary>Pure parser for <c>mdutil -s</c> / <c>-as</c>: each volume and whether Spotlight indexes it.</summary>
public static class MdutilParser
{
    public static List<(string Volume, bool? Enabled)> Parse(string text)
    {
        var result = new List<(string, bool?)>();
        string? volume = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.EndsWith(':') && !line.StartsWith('\t') && !line.StartsWith(' '))
            {
                volume = line[..^1];
            }
            else if (
                volume is not null
                && line.Trim() is var t
                && t.StartsWith("Indexing", StringComparison.Ordinal)
            )
            {
                result.RemoveAll(v => v.Item1 == volume);
                result.Add(
                    (
                        volume,
                        t.Contains("enabled", StringComparison.Ordinal) ? true
                        : t.Contains("disabled", StringComparison.Ordinal) ? false
                        : null
                    )
                );
            }
        }

        return result;
    }
}
