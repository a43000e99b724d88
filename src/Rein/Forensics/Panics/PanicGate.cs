using Rein.Running.Gates;

namespace Rein.Forensics.Panics;

/// <summary>
/// The panic gate as an admission gate (first among the model gates): refuses a <c>--model</c> run while the
/// staircase says cooldown (<c>panic_cooldown</c>) or lockout (<c>panic_lockout</c>), naming the panics and when it
/// lifts. Neither is waitable: a cooldown is hours, and a lockout wants a person. Fail-open: when the gate itself
/// cannot work (the journal cannot be opened, a report folder cannot be read) it says so through
/// <paramref name="warn"/> and lets the run proceed on what it could read — a broken gate must not stop every
/// model run on the machine.
/// </summary>
public sealed class PanicGate(
    Func<DateTimeOffset, PanicGateReport> check,
    IReadOnlyList<string> models,
    Action<string> warn
) : IAdmissionGate
{
    public string Name => "panic";

    /// <summary>Admission re-asks every gate after waiting on a later one (each second of a cadence wait): the
    /// ledger is read at most this often meanwhile (a new panic cannot happen while this machine is up to ask).</summary>
    public static readonly TimeSpan Reuse = TimeSpan.FromSeconds(30);

    bool _warned;
    (DateTimeOffset At, PanicGateReport Report)? _last;

    public GateResult TryPass(AdmissionContext context)
    {
        var now = context.Time.GetUtcNow();
        PanicGateReport report;
        try
        {
            // A kept report is used again only while its verdict stands (a cooldown may have run out meanwhile).
            report =
                _last is { } last
                && now >= last.At
                && now - last.At < Reuse
                && !(last.Report.Verdict.Until is { } until && until <= now)
                    ? last.Report
                    : check(now);
        }
        catch (Exception e)
            when (e
                    is Journal.JournalException
                        or Microsoft.Data.Sqlite.SqliteException
                        or IOException
                        or UnauthorizedAccessException
                        or Config.StateDirectoryException
            )
        {
            Warn(
                $"the panic gate failed ({e.Message}); letting the run proceed unchecked (fail-open)"
            );
            return GateResult.Pass;
        }

        if (_last is not { } kept || !ReferenceEquals(kept.Report, report))
        {
            _last = (now, report);
        }

        if (report.Problems.Count > 0)
        {
            Warn(
                $"the panic gate could not read everything ({string.Join("; ", report.Problems)}); deciding on what it could read (fail-open)"
            );
        }

        return report.Verdict.State == PanicGateState.Clear
            ? GateResult.Pass
            : GateResult.Refuse(ToRefusal(report.Verdict, models, now));
    }

    void Warn(string message)
    {
        // Admission re-asks its gates after a wait: say it once.
        if (!_warned)
        {
            _warned = true;
            warn(message);
        }
    }

    /// <summary>The refusal: the panics as holders (when, kind, class: signature), the rule and the lift in facts.</summary>
    public static Refusal ToRefusal(
        PanicGateVerdict v,
        IReadOnlyList<string> models,
        DateTimeOffset now
    )
    {
        var facts = new Dictionary<string, string> { ["rule"] = v.Rule ?? "" };
        if (v.Until is { } until)
        {
            facts["lifts_at"] = until.ToString("O");
        }

        return new Refusal
        {
            Code =
                v.State == PanicGateState.Lockout
                    ? RefusalCodes.PanicLockout
                    : RefusalCodes.PanicCooldown,
            Gate = "panic",
            Subject = models.Count == 0 ? null : string.Join(",", models),
            Holders =
            [
                .. v
                    .Panics.OrderByDescending(p => p.Time)
                    .Select(p => new RefusalHolder
                    {
                        Since = p.Time,
                        Condition = p.Kind,
                        Command = $"{p.SignatureClass}: {p.Signature}",
                    }),
            ],
            RetryAt = v.Until,
            Waitable = false,
            Numbers = new Dictionary<string, double>
            {
                ["panics"] = v.Panics.Count,
                ["remaining_s"] = v.Until is { } u ? Math.Max(0, (u - now).TotalSeconds) : 0,
            },
            Facts = facts,
        };
    }
}
