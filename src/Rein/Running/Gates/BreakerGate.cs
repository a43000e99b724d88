using Rein.Journal;

namespace Rein.Running.Gates;

/// <summary>The retry breaker as a gate: a command (argv + working directory) whose last run timed out, went idle or
/// left unkillable processes is refused for the cooldown. Not waitable: the point is that a person (or agent) looks
/// before it runs again.</summary>
public sealed class BreakerGate(BreakerStore store, TimeSpan cooldown) : IAdmissionGate
{
    public string Name => "breaker";

    public GateResult TryPass(AdmissionContext context)
    {
        var trip = RetryBreaker.Check(
            store.Read(context.Spec.Command, context.WorkingDirectory),
            cooldown,
            context.Time
        );
        if (trip is null)
        {
            return GateResult.Pass;
        }

        var last = trip.LastRun;
        return GateResult.Refuse(
            new Refusal
            {
                Code = RefusalCodes.RetryBreaker,
                Gate = "breaker",
                Subject = last.CommandLine,
                Waitable = false,
                RetryAt = trip.OpenUntil,
                Holders =
                [
                    new RefusalHolder
                    {
                        RunId = last.RunId,
                        Command = last.CommandLine,
                        Since = last.EndedAt,
                        Condition = last.Outcome is "timed_out" or "idle_timeout"
                            ? last.Outcome
                            : "unkillable",
                    },
                ],
                Facts = new Dictionary<string, string>
                {
                    ["unkillable"] = last.Unkillable ? "true" : "false",
                },
                Numbers = new Dictionary<string, double>
                {
                    ["cooldown_s"] = cooldown.TotalSeconds,
                    ["last_duration_ms"] = last.DurationMs,
                },
            }
        );
    }
}
