using Rein.Config;

namespace Rein.Models;

/// <summary>The known-panic registry: built-in entries, extended (or replaced, by id) in rein.toml with
/// <c>[[models.known_panic]]</c>. Ids match exactly, case-insensitively as hub ids do.</summary>
public sealed class KnownPanicRegistry(IReadOnlyList<KnownPanic> entries)
{
    public IReadOnlyList<KnownPanic> Entries => entries;

    public static KnownPanicRegistry BuiltIn { get; } = new(Load(null));

    /// <exception cref="ConfigException">An entry in a rein.toml is invalid.</exception>
    public static KnownPanicRegistry FromConfig(EffectiveConfig config) => new(Load(config));

    static IReadOnlyList<KnownPanic> Load(EffectiveConfig? config) =>
        Cadence.BuiltInPolicies.Merge(
            Cadence.BuiltInPolicies.KnownPanics,
            "models.known_panic",
            config,
            KnownPanic.From,
            k => k.Id
        );

    public KnownPanic? Lookup(string modelId) =>
        entries.FirstOrDefault(e => Cadence.ModelId.Same(e.Id, modelId));
}
