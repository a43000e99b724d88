using System.Text.Json.Nodes;

namespace Rein.Diagnostics.Checks;

/// <summary>The journal database's own health: <c>PRAGMA quick_check</c>, run (and a damaged database moved aside)
/// before the report is built, so the other checks read a sound journal. Says what was done.</summary>
public sealed class JournalCheck : IDoctorCheck
{
    public string Name => "journal";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        if (ctx.JournalHealth is not { } health)
        {
            return [Finding.Ok(Name, "journal database not checked")];
        }

        var details = new JsonObject
        {
            ["quick_check"] = health.Problem ?? "ok",
            ["moved_to"] = health.MovedTo,
        };
        if (health.Sound)
        {
            return [Finding.Ok(Name, "journal database sound (quick_check ok)", details)];
        }

        return
        [
            health.MovedTo is { } aside
                ? new Finding(
                    Name,
                    Severity.Warn,
                    $"the journal database was damaged ({health.Problem}); moved it to {aside} and started a new one",
                    "runs still in the spool were imported again; older runs are only in the moved file",
                    details
                )
                : new Finding(
                    Name,
                    Severity.Warn,
                    $"the journal database is damaged ({health.Problem})",
                    "move it aside and start a new one: rein doctor",
                    details
                ),
        ];
    }
}
