using System.Globalization;
using Rein.Cleanup;
using Rein.Cli.Rendering;
using Rein.Config;
using Spectre.Console;

namespace Rein.Cli.Commands;

/// <summary>The human report of <c>rein cleanup</c>: what was (or would be) stopped and by which rule, what was
/// only listed, what was spared and why, leftover cgroups, and survivors with the runbook.</summary>
internal static class CleanupText
{
    public static void Write(IAnsiConsole console, CleanupPlan plan, CleanupResult? result)
    {
        var kill = plan.ToKill.ToList();
        var listed = plan.Leftovers.Where(l => !l.Kill).ToList();
        if (kill.Count == 0 && listed.Count == 0)
        {
            console.WriteLine(
                "no leftovers of guarded runs"
                    + (plan.Spared.Count > 0 ? $" ({plan.Spared.Count} spared, below)" : "")
            );
        }

        if (kill.Count > 0)
        {
            console.WriteLine(
                result is null
                    ? $"would stop {kill.Count} process(es) (dry run; rein cleanup --yes stops them):"
                    : $"stopped {kill.Count - result.Survivors.Count} of {kill.Count} process(es):"
            );
            Table(console, kill, result);
        }

        if (listed.Count > 0)
        {
            console.WriteLine(
                $"listed, not stopped: {listed.Count} process(es) carry a REIN_RUN_ID this journal does not know (another state directory or another Rein); select them with --cwd DIR or --match TOKEN:"
            );
            Table(console, listed, null);
        }

        foreach (var s in plan.Spared)
        {
            console.WriteLine(
                $"spared: pid {s.Process.Pid} ({s.Why}), selected by {s.Rule}: {JournalRendering.Truncate(Command(s.Details, s.Process), 60)}"
            );
        }

        foreach (var c in result?.Cgroups ?? plan.Cgroups)
        {
            var verb = c.Action switch
            {
                "removed" => "removed",
                "would_remove" => "would remove",
                _ => "kept",
            };
            console.WriteLine(
                $"cgroup {verb}: {CommandText.Escape(c.Path)}"
                    + (c.KnownRun ? "" : " (a run this journal does not know)")
            );
        }

        if (result is { Survivors.Count: > 0 })
        {
            console.WriteLine(
                $"rein: {result.Survivors.Count} process(es) survived SIGKILL: {string.Join(", ", result.Survivors.Select(p => $"{p.Pid} ({p.State})"))}"
            );
            if (result.Unkillable.Count > 0)
            {
                console.WriteLine(RunSummary.UnkillableRunbook);
            }
        }
    }

    static void Table(IAnsiConsole console, List<Leftover> rows, CleanupResult? result)
    {
        var survivors = result?.Survivors.Select(p => p.Pid).ToHashSet() ?? [];
        var t = new TextTable(
            ["pid", "rule", "age", "state"],
            ["command", "run"],
            detailLine: d => d[1].Length == 0 ? d[0] : $"{d[0]}  (run {d[1]})"
        );
        foreach (var l in rows)
        {
            t.AddRow(
                [
                    l.Process.Pid.ToString(CultureInfo.InvariantCulture),
                    l.Rule,
                    l.Details.Age is { } age ? DurationParser.Format(age) : "-",
                    survivors.Contains(l.Process.Pid)
                        ? new TextCell("survived", "red")
                        : l.Process.State.ToString(),
                ],
                JournalRendering.Truncate(Command(l.Details, l.Process), 160),
                l.RunId ?? ""
            );
        }

        t.Write(console);
    }

    static string Command(ProcessDetails d, Processes.ProcessInfo p) =>
        d.Argv.Count > 0 ? CommandText.Join(d.Argv) : CommandText.Escape(p.Command);
}
