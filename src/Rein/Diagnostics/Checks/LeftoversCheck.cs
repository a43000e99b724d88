using System.Text.Json.Nodes;
using Rein.Cleanup;
using Rein.Journal;

namespace Rein.Diagnostics.Checks;

/// <summary>Processes Rein started that outlived their run (found as <c>rein cleanup</c> finds them: the journal's
/// process records, the REIN_RUN_ID marker, leftover cgroups), with the command that stops them. This is what
/// sees a tree orphaned when rein and its shim were killed together, which the run list calls "no runs alive".</summary>
public sealed class LeftoversCheck : IDoctorCheck
{
    public string Name => "leftovers";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        if (ctx.CurrentBootId is not { } boot)
        {
            return [Finding.Ok(Name, "no journal: leftovers not checked")];
        }

        CleanupPlan plan;
        using (var store = JournalStore.Open(ctx.StateDirectory))
        {
            plan = Cleaner.Plan(
                ctx.Table,
                store,
                boot,
                new CleanupRequest(),
                snapshot: ctx.Processes
            );
        }

        var kill = plan.ToKill.ToList();
        var foreign = plan.Leftovers.Count - kill.Count;
        var cgroups = plan.Cgroups.Count(c => c.Action == "would_remove");
        var details = new JsonObject
        {
            ["processes"] = kill.Count,
            ["pids"] = new JsonArray([.. kill.Select(l => (JsonNode)l.Process.Pid)]),
            ["runs"] = new JsonArray([
                .. kill.Select(l => l.RunId).Distinct().Select(r => (JsonNode?)r),
            ]),
            ["foreign"] = foreign,
            ["cgroups"] = cgroups,
        };
        if (kill.Count == 0 && cgroups == 0)
        {
            return
            [
                Finding.Ok(
                    Name,
                    foreign == 0
                        ? "no leftovers of guarded runs"
                        : $"no leftovers of this journal's runs; {foreign} process(es) carry another Rein's REIN_RUN_ID (rein cleanup lists them)",
                    details
                ),
            ];
        }

        var runs = kill.Select(l => l.RunId).Distinct().Count();
        var what =
            kill.Count > 0
                ? $"{kill.Count} process(es) of {runs} ended run(s) still alive (pid {string.Join(", ", kill.Take(8).Select(l => l.Process.Pid))}{(kill.Count > 8 ? ", …" : "")})"
                : $"{cgroups} leftover rein cgroup(s)";
        return
        [
            new Finding(
                Name,
                Severity.Warn,
                what,
                "see what would be stopped: rein cleanup; stop them: rein cleanup --yes",
                details
            ),
        ];
    }
}
