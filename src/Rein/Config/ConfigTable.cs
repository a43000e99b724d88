using System.Globalization;
using Tomlyn.Model;

namespace Rein.Config;

/// <summary>One entry of a list of tables in a rein.toml (<c>[[cadence.family]]</c>): its fields as plain values
/// (string, long, double, bool, or a list of those) and the file it came from. Its owner validates it.</summary>
public sealed record ConfigTable(
    string Key,
    IReadOnlyDictionary<string, object> Fields,
    ConfigSource Source
)
{
    /// <summary>A text field, or null when absent. A non-text value fails loudly, naming the file.</summary>
    public string? Text(string name) =>
        Fields.TryGetValue(name, out var v)
            ? v as string
                ?? (
                    v is long or double
                        ? Convert.ToString(v, CultureInfo.InvariantCulture)
                        : throw Invalid(name, "must be a string")
                )
            : null;

    /// <summary>A list of strings (a single string counts as a list of one); empty when absent.</summary>
    public IReadOnlyList<string> Texts(string name) =>
        !Fields.TryGetValue(name, out var v) ? []
        : v is string one ? [one]
        : v is IReadOnlyList<object> many && many.All(x => x is string) ? [.. many.Cast<string>()]
        : throw Invalid(name, "must be a list of strings");

    /// <summary>Fails unless every field is one of <paramref name="known"/>: a typo must not pass silently.</summary>
    public void RequireOnly(params string[] known)
    {
        foreach (var name in Fields.Keys)
        {
            if (!known.Contains(name))
            {
                throw Invalid(name, $"is not a known field (known: {string.Join(", ", known)})");
            }
        }
    }

    public ConfigException Invalid(string field, string problem) =>
        new($"{Source.Where}: [[{Key}]] '{field}' {problem}");

    internal static IEnumerable<ConfigTable> From(
        string key,
        object value,
        string path,
        ConfigSource? source
    )
    {
        if (value is not TomlTableArray array)
        {
            throw new ConfigException(
                $"{path}: '{key}' must be a list of tables, written [[{key}]] with its fields below"
            );
        }

        foreach (var table in array)
        {
            var fields = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var (name, v) in table)
            {
                fields[name] = v switch
                {
                    string or long or double or bool => v,
                    TomlArray list => list.Select(x => x ?? "").ToList(),
                    _ => throw new ConfigException(
                        $"{path}: [[{key}]] '{name}' must be a string, a number or a list"
                    ),
                };
            }

            yield return new ConfigTable(
                key,
                fields,
                source ?? new ConfigSource(ConfigSourceKind.Default, path)
            );
        }
    }
}
