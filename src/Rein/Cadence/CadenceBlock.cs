using System.Globalization;
using Rein.Running.Gates;

namespace Rein.Cadence;

/// <summary>Which cadence rule blocks a load.</summary>
public enum CadenceRule
{
    /// <summary>The same model was loaded less than the same-model interval ago.</summary>
    SameModel,

    /// <summary>Another model was loaded less than the cross-model interval ago.</summary>
    CrossModel,

    /// <summary>A family's floor (above the cross-model interval) applies to this pair of models.</summary>
    FamilyFloor,

    /// <summary>A load the rules consult is stamped in the future: the clock moved back.</summary>
    Clock,
}

/// <summary>Why a model may not be loaded now: the rule, the earlier load in the way, the spacing required and when
/// it clears. Data; <see cref="ToRefusal"/> is the admission form, <see cref="CadenceViolation"/> the exception.</summary>
public sealed record CadenceBlock
{
    public required CadenceRule Rule { get; init; }

    /// <summary>The model being loaded.</summary>
    public required string Model { get; init; }

    /// <summary>The earlier load in the way.</summary>
    public required CadenceLoad Blocking { get; init; }

    /// <summary>The spacing the rule requires (for <see cref="CadenceRule.Clock"/>: the consulting rule's).</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>When it clears by itself (for <see cref="CadenceRule.Clock"/>: when the future stamp has passed;
    /// the consulting rule is asked again then).</summary>
    public required DateTimeOffset RetryAt { get; init; }

    /// <summary>When this was decided.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>The family whose floor decided (<see cref="CadenceRule.FamilyFloor"/>).</summary>
    public ModelFamily? Family { get; init; }

    /// <summary>For <see cref="CadenceRule.Clock"/>: the rule that consulted the future stamp.</summary>
    public CadenceRule? ClockRule { get; init; }

    /// <summary>Where the interval was set (a flag, a variable, a file, <c>default</c>, a family's source).</summary>
    public string? IntervalSource { get; init; }

    public TimeSpan Remaining => RetryAt > Now ? RetryAt - Now : TimeSpan.Zero;

    public string Code =>
        Rule switch
        {
            CadenceRule.SameModel => RefusalCodes.CadenceSameModel,
            CadenceRule.CrossModel => RefusalCodes.CadenceCrossModel,
            CadenceRule.FamilyFloor => RefusalCodes.CadenceFamilyFloor,
            _ => RefusalCodes.CadenceClock,
        };

    public static string RuleName(CadenceRule rule) =>
        rule switch
        {
            CadenceRule.SameModel => "same_model",
            CadenceRule.CrossModel => "cross_model",
            CadenceRule.FamilyFloor => "family_floor",
            _ => "clock",
        };

    /// <summary>The blocking load's state: <c>running</c>, <c>released</c> or <c>vanished</c>.</summary>
    public string BlockingState => Blocking.Running ? "running" : Blocking.Release ?? "released";

    public Refusal ToRefusal()
    {
        var facts = new Dictionary<string, string>
        {
            ["rule"] = RuleName(Rule),
            ["blocking_model"] = Blocking.Model,
            ["blocking_state"] = BlockingState,
            ["blocking_started_at"] = Stamp(Blocking.StartedAt),
        };
        if (Blocking.ReleasedAt is { } released)
        {
            facts["blocking_released_at"] = Stamp(released);
        }

        if (Family is { } family)
        {
            facts["family"] = family.Name;
            // Which of the two models puts the pair under the floor (either does).
            facts["family_members"] = string.Join(
                ",",
                new[] { Model, Blocking.Model }.Where(family.Matches).Distinct(ModelId.Comparer)
            );
        }

        if (ClockRule is { } consulted)
        {
            facts["clock_rule"] = RuleName(consulted);
        }

        if (IntervalSource is { } source)
        {
            facts["interval_source"] = source;
        }

        return new Refusal
        {
            Code = Code,
            Gate = "cadence",
            Subject = Model,
            RetryAt = RetryAt,
            Holders =
            [
                new RefusalHolder
                {
                    Pid = Blocking.Pid > 0 ? Blocking.Pid : null,
                    RunId = Blocking.Token,
                    Command = Blocking.Command,
                    Since = Blocking.Reference,
                    Condition = BlockingState,
                },
            ],
            Numbers = new Dictionary<string, double>
            {
                ["interval_s"] = Interval.TotalSeconds,
                ["remaining_s"] = Math.Ceiling(Remaining.TotalSeconds),
                ["since_s"] = (Now - Blocking.Reference).TotalSeconds,
            },
            Facts = facts,
        };
    }

    static string Stamp(DateTimeOffset t) => t.ToString("o", CultureInfo.InvariantCulture);
}
