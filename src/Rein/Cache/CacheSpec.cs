namespace Rein.Cache;

/// <summary>One model to look for: <c>hf:ORG/NAME[@REVISION]</c>, <c>whisper:NAME</c> or <c>spacy:NAME</c>.</summary>
public sealed record CacheSpec(string Text, string Kind, string Name, string? Revision)
{
    /// <summary>Parses a spec, or returns null with the reason (a bad spec is bad usage: exit 2).</summary>
    public static CacheSpec? Parse(string text, out string error)
    {
        error = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? "" : text[..colon];
        var rest = colon < 0 ? "" : text[(colon + 1)..];
        switch (kind)
        {
            case "hf":
                var at = rest.IndexOf('@', StringComparison.Ordinal);
                var repo = at < 0 ? rest : rest[..at];
                var revision = at < 0 ? null : rest[(at + 1)..];
                var parts = repo.Split('/');
                if (parts.Length != 2 || parts.Any(p => !IsName(p)) || revision is { Length: 0 })
                {
                    error = $"'{text}': expected hf:ORG/NAME or hf:ORG/NAME@REVISION";
                    return null;
                }

                if (revision is not null && !IsName(revision))
                {
                    error = $"'{text}': the revision must be a branch, tag or commit name";
                    return null;
                }

                return new CacheSpec(text, kind, repo, revision);
            case "whisper" or "spacy":
                if (!IsName(rest))
                {
                    error = $"'{text}': expected {kind}:NAME";
                    return null;
                }

                return new CacheSpec(text, kind, rest, null);
            default:
                error =
                    $"'{text}': unknown kind (use hf:ORG/NAME[@REV], whisper:NAME or spacy:NAME)";
                return null;
        }
    }

    /// <summary>A name that stays one path component: no separators, no "..", nothing empty.</summary>
    static bool IsName(string s) =>
        s.Length > 0
        && s != "."
        && s != ".."
        && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>What one probe found: cached or not, where it looked, what is there and what is missing.</summary>
public sealed record CacheResult(
    string Spec,
    string Kind,
    bool Cached,
    string Path,
    string? Found,
    string? Missing
);
