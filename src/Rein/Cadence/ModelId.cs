namespace Rein.Cadence;

/// <summary>Model ids as hubs write them (<c>mlx-community/gemma-4-31b-it-8bit</c>): compared case-insensitively,
/// as the hubs resolve them. A local path works too: its last two segments are the vendor and the name.</summary>
public static class ModelId
{
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    public static bool Same(string a, string b) => Comparer.Equals(a, b);

    /// <summary>The vendor (owner) and the name: <c>mlx-community</c> and <c>gemma-4-31b-it-8bit</c>. An id
    /// without a slash has no vendor.</summary>
    public static (string Vendor, string Name) Split(string id)
    {
        var trimmed = id.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        if (slash < 0)
        {
            return ("", trimmed);
        }

        var name = trimmed[(slash + 1)..];
        var before = trimmed[..slash];
        var vendor = before[(before.LastIndexOf('/') + 1)..];
        return (vendor, name);
    }

    /// <summary>Null when <paramref name="id"/> can be a model id; otherwise why not (for a one-line usage error).</summary>
    public static string? Problem(string? id) =>
        string.IsNullOrWhiteSpace(id) ? "needs a model id, e.g. mlx-community/gemma-4-31b-it-8bit"
        : id.Any(char.IsControl) ? "a model id cannot contain control characters"
        : id.Length > 512 ? "a model id of more than 512 characters is not an id"
        : null;
}
