using System.Text.Json.Nodes;

namespace Rein.Diagnostics.Checks;

/// <summary>Zombies (state Z), grouped by the parent that does not reap them.</summary>
public sealed class ZombiesCheck : IDoctorCheck
{
    public string Name => "zombies";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        var zombies = ctx.Processes.Where(p => p.IsZombie).ToList();
        if (zombies.Count == 0)
        {
            return [Finding.Ok(Name, "no zombie processes")];
        }

        var byPid = ctx.Processes.ToDictionary(p => p.Pid);
        var findings = new List<Finding>();
        foreach (var group in zombies.GroupBy(z => z.ParentPid).OrderByDescending(g => g.Count()))
        {
            var parent = byPid.GetValueOrDefault(group.Key);
            var parentName = parent is null ? "?" : ctx.Table.CommandLine(parent.Pid);
            var severity = group.Count() >= 20 ? Severity.Warn : Severity.Info;
            findings.Add(
                new Finding(
                    Name,
                    severity,
                    $"{group.Count()} zombie(s) of parent {group.Key} ({Shorten(parentName)}): it does not reap its children",
                    group.Key == 1
                        ? "pid 1 is not reaping orphans (common in containers without an init): run the workload under an init such as tini, or restart the container"
                        : $"zombies hold no memory but each holds a pid; fix or restart the parent (pid {group.Key})",
                    Details.Of(
                        ("parent_pid", group.Key),
                        ("parent_command", parentName),
                        (
                            "zombies",
                            Details.Array(
                                group
                                    .Take(50)
                                    .Select(z =>
                                        (JsonNode)Details.Of(("pid", z.Pid), ("command", z.Command))
                                    )
                            )
                        )
                    )
                )
            );
        }

        return findings;
    }

    static string Shorten(string s) => s.Length > 60 ? s[..59] + "…" : s;
}
