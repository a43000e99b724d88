namespace Rein.Cadence;

/// <summary>
/// The cadence rules as a pure function of the policy, the recorded loads and the time. Spacing is measured from
/// the later of the other load's start and its release (a load still running counts from its start):
/// <list type="number">
/// <item>same model: at least the same-model interval since the last load of that id — checked first, and it wins
/// when other rules would block too;</item>
/// <item>cross model: at least the cross-model interval since any load of another id;</item>
/// <item>family floors: that interval is raised to a family's floor when either model belongs to the family;</item>
/// <item>a stamp in the future (the clock moved back) that a rule consults blocks until it has passed.</item>
/// </list>
/// </summary>
public static class CadenceRules
{
    public static CadenceBlock? Evaluate(
        CadencePolicy policy,
        IReadOnlyList<string> models,
        IReadOnlyList<CadenceLoad> loads,
        DateTimeOffset now
    )
    {
        // Records older than the longest spacing cannot block (future stamps stay: now - from is negative).
        var longest = policy.LongestSpacing;
        loads = [.. loads.Where(l => now - l.Reference < longest)];
        foreach (var model in models)
        {
            var last = loads.Where(l => ModelId.Same(l.Model, model)).MaxBy(l => l.Reference);
            if (
                last is not null
                && Spacing(
                    CadenceRule.SameModel,
                    model,
                    last,
                    policy.SameModelInterval,
                    now,
                    null,
                    policy.SameModelSource
                )
                    is { } same
            )
            {
                return same;
            }
        }

        // Family membership is a regular expression per family: once per distinct model, not once per record.
        var floors = new Dictionary<string, (TimeSpan, ModelFamily?)>(ModelId.Comparer);
        (TimeSpan, ModelFamily?) FloorOf(string id) =>
            floors.TryGetValue(id, out var known) ? known : floors[id] = policy.FloorOf(id);

        CadenceBlock? binding = null;
        foreach (var model in models)
        {
            foreach (var load in loads.Where(l => !ModelId.Same(l.Model, model)))
            {
                var (required, family) = policy.CrossSpacing(model, load.Model, FloorOf);
                var block = Spacing(
                    family is null ? CadenceRule.CrossModel : CadenceRule.FamilyFloor,
                    model,
                    load,
                    required,
                    now,
                    family,
                    family is null ? policy.CrossModelSource : family.Source
                );
                if (block is not null && Outranks(block, binding))
                {
                    binding = block;
                }
            }
        }

        return binding;
    }

    /// <summary>A clock problem is reported before any ordinary block; otherwise the block that lasts longest.</summary>
    static bool Outranks(CadenceBlock candidate, CadenceBlock? current)
    {
        if (current is null)
        {
            return true;
        }

        var candidateClock = candidate.Rule == CadenceRule.Clock;
        var currentClock = current.Rule == CadenceRule.Clock;
        return candidateClock != currentClock
            ? candidateClock
            : candidate.RetryAt > current.RetryAt;
    }

    static CadenceBlock? Spacing(
        CadenceRule rule,
        string model,
        CadenceLoad earlier,
        TimeSpan required,
        DateTimeOffset now,
        ModelFamily? family,
        string source
    )
    {
        if (required <= TimeSpan.Zero)
        {
            return null;
        }

        var from = earlier.Reference;
        if (from > now)
        {
            return new CadenceBlock
            {
                Rule = CadenceRule.Clock,
                ClockRule = rule,
                Model = model,
                Blocking = earlier,
                Interval = required,
                RetryAt = from,
                Now = now,
                Family = family,
                IntervalSource = source,
            };
        }

        return now - from < required
            ? new CadenceBlock
            {
                Rule = rule,
                Model = model,
                Blocking = earlier,
                Interval = required,
                RetryAt = from + required,
                Now = now,
                Family = family,
                IntervalSource = source,
            }
            : null;
    }
}
