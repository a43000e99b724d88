using System.Text.Json.Nodes;
using Rein.Processes;

namespace Rein.Diagnostics.Checks;

/// <summary>Processes in uninterruptible wait (D on Linux, U on macOS). They cannot be killed — not even with
/// SIGKILL — until the kernel operation they wait on ends, which for a hung filesystem means never. A process
/// is counted when it is in that state in two samples; it is critical once seen stuck across doctor runs for
/// 30 s or more (first sightings are remembered in the state directory).</summary>
public sealed class StuckProcessesCheck : IDoctorCheck
{
    public string Name => "stuck";

    const string Runbook =
        "these cannot be killed; do not start more of the same work; save what you can and reboot. "
        + "On macOS run Disk Utility > First Aid on the data volume afterwards (if login fails: Recovery Mode, "
        + "hold the power button, Options > Disk Utility > First Aid)";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        var first = ctx.Processes.Where(p => p.IsUninterruptible).ToList();
        if (first.Count > 0)
        {
            Thread.Sleep(ctx.StuckResample);
        }

        // Still uninterruptible on a second look (and the same process: start time matches).
        var stuck = first
            .Where(p =>
                ctx.Table.Read(p.Pid) is { } again
                && again.IsUninterruptible
                && again.StartTime == p.StartTime
            )
            .ToList();
        var sightings = new StuckSightings(Path.Combine(ctx.StateDirectory, "doctor-stuck.tsv"));
        var firstSeen = sightings.Update(stuck, ctx.Now);
        if (stuck.Count == 0)
        {
            return [Finding.Ok(Name, "no process is stuck in uninterruptible wait")];
        }

        var items = stuck
            .Select(p =>
            {
                var seen = firstSeen.TryGetValue((p.Pid, p.StartTime), out var t)
                    ? ctx.Now - t
                    : TimeSpan.Zero;
                var run = ctx.Runs.FirstOrDefault(r => r.ChildPid == p.Pid || r.ReinPid == p.Pid);
                return (
                    Process: p,
                    StuckFor: seen,
                    Run: run,
                    Command: ctx.Table.CommandLine(p.Pid)
                );
            })
            .ToList();
        var longest = items.Max(i => i.StuckFor);
        var severity = longest >= TimeSpan.FromSeconds(30) ? Severity.Critical : Severity.Warn;
        var list = string.Join(
            ", ",
            items.Take(5).Select(i => $"{i.Process.Pid} ({i.Process.Command})")
        );
        var summary =
            severity == Severity.Critical
                ? $"{items.Count} process(es) stuck in uninterruptible wait for {Config.DurationParser.Format(longest)} or more: {list}"
                : $"{items.Count} process(es) in uninterruptible wait now: {list} (run rein doctor again: if they are still there, they are stuck)";
        var details = Details.Of(
            (
                "processes",
                Details.Array(
                    items.Select(i =>
                        (JsonNode)
                            Details.Of(
                                ("pid", i.Process.Pid),
                                ("state", i.Process.State.ToString()),
                                ("command", i.Command),
                                ("observed_stuck_seconds", (long)i.StuckFor.TotalSeconds),
                                ("rein_run", i.Run?.Id)
                            )
                    )
                )
            )
        );
        return [new Finding(Name, severity, summary, Runbook, details)];
    }
}

/// <summary>Remembers when each stuck process (pid + start time) was first seen, across doctor runs.</summary>
internal sealed class StuckSightings(string path)
{
    public Dictionary<(int, ulong), DateTimeOffset> Update(
        IReadOnlyList<ProcessInfo> stuck,
        DateTimeOffset now
    )
    {
        var known = new Dictionary<(int, ulong), DateTimeOffset>();
        try
        {
            if (Config.StateFile.ReadAllText(path) is { } text)
            {
                foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var p = line.Split('\t');
                    if (
                        p.Length == 3
                        && int.TryParse(p[0], out var pid)
                        && ulong.TryParse(p[1], out var st)
                        && long.TryParse(p[2], out var ms)
                    )
                    {
                        known[(pid, st)] = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                    }
                }
            }
        }
        catch (IOException) { }

        var current = stuck.ToDictionary(
            p => (p.Pid, p.StartTime),
            p => known.TryGetValue((p.Pid, p.StartTime), out var t) ? t : now
        );
        try
        {
            if (current.Count > 0 || File.Exists(path))
            {
                // In the state directory: private (0700, 0600) and never written through a link, like the rest.
                Config.StateDirectory.Ensure(Path.GetDirectoryName(path)!);
                Config.StateFile.WriteAtomically(
                    path,
                    string.Concat(
                        current.Select(kv =>
                            $"{kv.Key.Item1}\t{kv.Key.Item2}\t{kv.Value.ToUnixTimeMilliseconds()}\n"
                        )
                    )
                );
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }

        return current;
    }
}
