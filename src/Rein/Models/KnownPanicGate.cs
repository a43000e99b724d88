using Rein.Running.Gates;

namespace Rein.Models;

/// <summary>
/// The known-panic registry as an admission gate. With <c>block</c>, a run that loads a listed model is refused
/// (<c>known_panic</c>, not waitable: waiting does not make the model safer). Otherwise it passes and hands each
/// listed model's entry to <paramref name="advise"/> once per process (a run that waits re-asks its gates).
/// </summary>
public sealed class KnownPanicGate(
    KnownPanicRegistry registry,
    IReadOnlyList<string> models,
    bool block,
    Action<KnownPanic>? advise = null
) : IAdmissionGate
{
    public GateResult TryPass(AdmissionContext context)
    {
        foreach (var model in models)
        {
            if (registry.Lookup(model) is not { } entry)
            {
                continue;
            }

            if (block)
            {
                return GateResult.Refuse(Refusal(model, entry));
            }

            if (advise is not null)
            {
                WarnOnce.Say("known-panic:" + entry.Id, () => advise(entry));
            }
        }

        return GateResult.Pass;
    }

    public static Refusal Refusal(string model, KnownPanic entry)
    {
        var facts = new Dictionary<string, string>
        {
            ["what"] = entry.What,
            ["source"] = entry.Source,
        };
        if (entry.Signature is { } signature)
        {
            facts["signature"] = signature;
        }

        if (entry.Evidence is { } evidence)
        {
            facts["evidence"] = evidence;
        }

        for (var i = 0; i < entry.Alternatives.Count; i++)
        {
            facts[$"alternative_{i + 1}"] = entry.Alternatives[i];
        }

        return new Refusal
        {
            Code = RefusalCodes.KnownPanic,
            Gate = "models",
            Subject = model,
            Waitable = false,
            Facts = facts,
        };
    }
}
