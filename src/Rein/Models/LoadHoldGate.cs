using Rein.Running.Gates;

namespace Rein.Models;

/// <summary>The load hold as an admission gate, before every other model gate: while a person's hold stands, a
/// model load is refused (<c>load_hold</c>) with the reason, who set it and when it lifts. Not waitable: a hold is
/// hours and ends with `rein gate release` as often as by time. A hold file that cannot be used is said through
/// <paramref name="warn"/> and holds nothing.</summary>
public sealed class LoadHoldGate(
    LoadHoldStore store,
    IReadOnlyList<string> models,
    Action<string> warn
) : IAdmissionGate
{
    bool _warned;

    public string Name => "hold";

    public GateResult TryPass(AdmissionContext context)
    {
        var now = context.Time.GetUtcNow();
        var (hold, problem) = store.Read(now);
        if (problem is not null && !_warned)
        {
            _warned = true;
            warn(problem);
        }

        return hold is null ? GateResult.Pass : GateResult.Refuse(ToRefusal(hold, models, now));
    }

    public static Refusal ToRefusal(
        LoadHold hold,
        IReadOnlyList<string> models,
        DateTimeOffset now
    ) =>
        new()
        {
            Code = RefusalCodes.LoadHold,
            Gate = "hold",
            Subject = models.Count == 0 ? null : string.Join(",", models),
            Holders = [new RefusalHolder { Since = hold.SetAt, Command = hold.User }],
            RetryAt = hold.Until,
            Waitable = false,
            Numbers = new Dictionary<string, double>
            {
                ["remaining_s"] = Math.Max(0, (hold.Until - now).TotalSeconds),
            },
            Facts = new Dictionary<string, string>
            {
                ["reason"] = hold.Reason,
                ["set_by"] = hold.User,
            },
        };
}
