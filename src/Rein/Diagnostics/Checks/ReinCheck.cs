using Rein.Journal;
using Rein.Locking;

namespace Rein.Diagnostics.Checks;

/// <summary>Rein's own view: guarded runs alive now, unclean ends (guard killed, machine down), locks held.</summary>
public sealed class ReinCheck : IDoctorCheck
{
    public string Name => "rein";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        var findings = new List<Finding>();
        var alive = ctx.Runs.Where(r => r.State == RunState.Running).ToList();
        findings.Add(
            new Finding(
                Name,
                Severity.Info,
                alive.Count == 0
                    ? "no guarded runs alive"
                    : $"{alive.Count} guarded run(s) alive: {string.Join(", ", alive.Take(5).Select(r => $"`{Short(r.CommandLine)}` ({Config.DurationParser.Format(ctx.Now - r.StartedAt)})"))}",
                alive.Count == 0 ? null : "details: rein ps"
            )
        );

        var unclean = ctx
            .Runs.Where(r => r.State == RunState.Unclean && ctx.Now - r.StartedAt < ctx.Since)
            .ToList();
        if (unclean.Count > 0)
        {
            var crashed = unclean.Count(r => r.UncleanReason == UncleanReasons.MachineWentDown);
            findings.Add(
                new Finding(
                    Name,
                    crashed > 0 ? Severity.Warn : Severity.Info,
                    $"{unclean.Count} run(s) ended uncleanly in the last {Config.DurationParser.Format(ctx.Since)}"
                        + (crashed > 0 ? $", {crashed} of them when the machine went down" : ""),
                    "see what was running: rein journal --unclean (after a crash: rein journal --boot previous)"
                )
            );
        }

        var held = new LockDirectory(ctx.StateDirectory, ctx.Table)
            .List()
            .SelectMany(l => l.Slots.Where(s => s.Held).Select(s => (l.Name, s)))
            .ToList();
        if (held.Count > 0)
        {
            var stuck = held.Count(h => h.s.Stuck is not null || h.s.HolderCondition is not null);
            findings.Add(
                new Finding(
                    Name,
                    stuck > 0 ? Severity.Warn : Severity.Info,
                    $"{held.Count} lock slot(s) held: {string.Join(", ", held.Select(h => $"{h.Name} by pid {h.s.Holder?.Pid}" + (h.s.HolderCondition is { } c ? $" ({c})" : "")))}",
                    "details: rein locks"
                )
            );
        }

        return findings;
    }

    static string Short(string s) => s.Length > 40 ? s[..39] + "…" : s;
}
