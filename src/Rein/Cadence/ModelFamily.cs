using System.Text.RegularExpressions;
using Rein.Config;

namespace Rein.Cadence;

/// <summary>A family of models that share a failure mode, with a floor for the cross-model interval that applies
/// even when the configured interval is 0. A model belongs to it when its vendor is one of <see cref="Vendors"/>
/// (any vendor when the list is empty) and its name matches <see cref="Pattern"/>, both case-insensitively.</summary>
public sealed class ModelFamily
{
    public required string Name { get; init; }

    public IReadOnlyList<string> Vendors { get; init; } = [];

    /// <summary>A regular expression over the name part of the id (after the vendor's slash).</summary>
    public required string Pattern { get; init; }

    public required TimeSpan Floor { get; init; }

    /// <summary>Where it was defined: <c>built-in</c>, or the rein.toml that added or replaced it.</summary>
    public string Source { get; init; } = "built-in";

    Regex? _regex;

    /// <summary>The pattern, compiled ahead of time for built-in families (no parse at start-up).</summary>
    internal Regex? Compiled
    {
        init => _regex = value;
    }

    Regex Regex => _regex ??= Compile(Pattern);

    /// <summary>Case-insensitive as hub ids are; bounded, so a pathological pattern from a rein.toml cannot hang a run.</summary>
    static Regex Compile(string pattern) =>
        new(
            pattern,
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
            TimeSpan.FromMilliseconds(100)
        );

    public bool Matches(string modelId)
    {
        var (vendor, name) = ModelId.Split(modelId);
        if (Vendors.Count > 0 && !Vendors.Contains(vendor, ModelId.Comparer))
        {
            return false;
        }

        try
        {
            return Regex.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Reads one <c>[[cadence.family]]</c> entry: <c>name</c>, <c>pattern</c>, <c>floor</c> (a duration)
    /// and <c>vendors</c> (optional). A bad pattern or floor fails loudly, naming the file.</summary>
    public static ModelFamily From(ConfigTable t)
    {
        t.RequireOnly("name", "vendors", "pattern", "floor");
        var name = t.Text("name") is { Length: > 0 } n ? n : throw t.Invalid("name", "is missing");
        var pattern = t.Text("pattern") ?? throw t.Invalid("pattern", "is missing");
        Regex regex;
        try
        {
            regex = Compile(pattern);
        }
        catch (ArgumentException e)
        {
            throw t.Invalid("pattern", $"is not a regular expression: {e.Message}");
        }

        var floorText =
            t.Text("floor") ?? throw t.Invalid("floor", "is missing (e.g. floor = \"90s\")");
        if (!DurationParser.TryParse(floorText, out var floor, out var error))
        {
            throw t.Invalid("floor", error);
        }

        return new ModelFamily
        {
            Name = name,
            Vendors = t.Texts("vendors"),
            Pattern = pattern,
            Floor = floor,
            Source = t.Source.Kind == ConfigSourceKind.Default ? "built-in" : t.Source.Where,
            Compiled = regex,
        };
    }
}
