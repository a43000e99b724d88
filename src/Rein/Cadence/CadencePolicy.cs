using Rein.Config;

namespace Rein.Cadence;

/// <summary>How model loads are spaced: the same model, any two models, and family floors. Immutable data;
/// <see cref="FromConfig"/> reads it with rein's precedence (flag &gt; env &gt; rein.toml &gt; built-in).</summary>
public sealed record CadencePolicy
{
    /// <summary>Minimum time between two loads of the same model (default 180 s).</summary>
    public TimeSpan SameModelInterval { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Minimum time between loads of different models (default 0: off; family floors still apply).</summary>
    public TimeSpan CrossModelInterval { get; init; } = TimeSpan.Zero;

    public IReadOnlyList<ModelFamily> Families { get; init; } = BuiltInFamilies;

    /// <summary>Where <see cref="SameModelInterval"/> was set (<c>default</c>, <c>env REIN_SAME_MODEL_INTERVAL</c>, a
    /// file), named in refusals so nobody hunts for a setting they never made.</summary>
    public string SameModelSource { get; init; } = "default";

    public string CrossModelSource { get; init; } = "default";

    /// <summary>The built-in families (gemma-4, floor 90 s).</summary>
    public static IReadOnlyList<ModelFamily> BuiltInFamilies => BuiltInPolicies.Families;

    public static CadencePolicy Default { get; } = new();

    /// <summary>The policy the configuration describes; intervals clamp negatives to 0 (see <see cref="SettingKind.Interval"/>).</summary>
    /// <exception cref="ConfigException">A <c>[[cadence.family]]</c> entry is invalid.</exception>
    public static CadencePolicy FromConfig(EffectiveConfig config) =>
        new()
        {
            SameModelInterval = config.Duration(Settings.SameModelInterval),
            CrossModelInterval = config.Duration(Settings.CrossModelInterval),
            SameModelSource = config[Settings.SameModelInterval].Source.ToString(),
            CrossModelSource = config[Settings.CrossModelInterval].Source.ToString(),
            Families = BuiltInPolicies.Merge(
                BuiltInPolicies.Families,
                "cadence.family",
                config,
                ModelFamily.From,
                f => f.Name
            ),
        };

    /// <summary>The families <paramref name="modelId"/> belongs to.</summary>
    public IEnumerable<ModelFamily> FamiliesOf(string modelId) =>
        Families.Where(f => f.Matches(modelId));

    /// <summary>The highest floor among the families <paramref name="modelId"/> belongs to, and that family.</summary>
    public (TimeSpan Floor, ModelFamily? Family) FloorOf(string modelId)
    {
        (TimeSpan Floor, ModelFamily? Family) best = (TimeSpan.Zero, null);
        foreach (var f in Families)
        {
            if (f.Floor > best.Floor && f.Matches(modelId))
            {
                best = (f.Floor, f);
            }
        }

        return best;
    }

    /// <summary>The spacing required between loads of two different models, and the family that sets it when a
    /// floor is above the cross-model interval (a floor applies when either model belongs to the family).</summary>
    public (TimeSpan Required, ModelFamily? Family) CrossSpacing(
        string loading,
        string earlier,
        Func<string, (TimeSpan Floor, ModelFamily? Family)>? floorOf = null
    )
    {
        floorOf ??= FloorOf;
        var required = CrossModelInterval;
        ModelFamily? decidedBy = null;
        foreach (var (floor, family) in new[] { floorOf(loading), floorOf(earlier) })
        {
            if (floor > required)
            {
                required = floor;
                decidedBy = family;
            }
        }

        return (required, decidedBy);
    }

    /// <summary>How long a load record can still matter: past this, no rule consults it.</summary>
    public TimeSpan LongestSpacing =>
        new[] { SameModelInterval, CrossModelInterval }.Concat(Families.Select(f => f.Floor)).Max();
}
