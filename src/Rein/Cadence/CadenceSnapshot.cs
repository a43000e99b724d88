namespace Rein.Cadence;

/// <summary>A window during which loads are blocked: which models (<see cref="Scope"/>: one id, or every model
/// but <see cref="After"/>'s, or a family's), by which rule, because of which load, until when.</summary>
public sealed record CadenceWindow(
    string Scope,
    CadenceRule Rule,
    CadenceLoad After,
    DateTimeOffset Until,
    ModelFamily? Family
);

/// <summary>The recorded loads (newest first) and the windows they impose now.</summary>
public sealed record CadenceSnapshot(
    DateTimeOffset Now,
    IReadOnlyList<CadenceLoad> Loads,
    IReadOnlyList<CadenceWindow> Windows
)
{
    /// <summary>Scope words for windows that are not one model's.</summary>
    public const string OtherModels = "other models";

    internal static CadenceSnapshot Of(
        CadencePolicy policy,
        IReadOnlyList<CadenceLoad> loads,
        DateTimeOffset now
    )
    {
        var windows = new List<CadenceWindow>();
        // Only each model's latest load matters to the rules.
        foreach (
            var last in loads
                .GroupBy(l => l.Model, ModelId.Comparer)
                .Select(g => g.MaxBy(l => l.Reference)!)
                .OrderByDescending(l => l.Reference)
        )
        {
            var from = last.Reference;
            if (from > now)
            {
                windows.Add(new CadenceWindow("all models", CadenceRule.Clock, last, from, null));
                continue;
            }

            if (from + policy.SameModelInterval > now)
            {
                windows.Add(
                    new CadenceWindow(
                        last.Model,
                        CadenceRule.SameModel,
                        last,
                        from + policy.SameModelInterval,
                        null
                    )
                );
            }

            // Other models: the cross-model interval, raised by the floors of the families this load belongs to.
            var (others, family) = policy.CrossSpacing(last.Model, last.Model);
            if (from + others > now)
            {
                windows.Add(
                    new CadenceWindow(
                        OtherModels,
                        family is null ? CadenceRule.CrossModel : CadenceRule.FamilyFloor,
                        last,
                        from + others,
                        family
                    )
                );
            }

            // Members of a family with a higher floor wait longer, whatever this load was.
            foreach (var f in policy.Families.Where(f => f.Floor > others && from + f.Floor > now))
            {
                windows.Add(
                    new CadenceWindow(
                        $"{f.Name} models",
                        CadenceRule.FamilyFloor,
                        last,
                        from + f.Floor,
                        f
                    )
                );
            }
        }

        return new CadenceSnapshot(now, [.. loads.OrderByDescending(l => l.StartedAt)], windows);
    }
}
