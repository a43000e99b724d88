using System.CommandLine;
using System.Text.Json;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Documents;
using Rein.Forensics.Breadcrumbs;
using Rein.Journal;
using Rein.Processes;
using Rein.Running;
using Spectre.Console;

namespace Rein.Cli.Commands;

/// <summary><c>rein ps</c>: guarded runs alive now, with their tree's memory and a stuck flag.</summary>
internal static class PsCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.ps/1)",
        };
        var cmd = new Command(
            "ps",
            "List guarded runs that are alive now: pid, command, age, tree memory, and whether any of their processes is stuck in uninterruptible wait"
        )
        {
            json,
        };
        cmd.SetAction(parse =>
        {
            using var store = JournalAccess.Open("ps");
            if (store is null)
            {
                return ExitCodes.Findings;
            }

            JournalAccess.Reconcile(store, JournalAccess.Boot);
            var table = ProcessTables.Current;
            var now = DateTimeOffset.UtcNow;
            var live = LiveRun.ConfirmStuck(
                [
                    .. store
                        .OpenRuns()
                        .Select(r => LiveRun.Measure(r, table, JournalAccess.Boot.PidNamespace)),
                ],
                table
            );
            var supervisions = Rein.Supervision.SupervisionStatusFile.ReadAlive(
                JournalAccess.StateDir,
                table
            );
            var inferences = InferenceWatch.Find(
                store,
                table,
                now,
                CliConfig.LoadForReading().Duration(Settings.HangAfter),
                DiedWindow
            );
            if (parse.GetValue(json))
            {
                WriteJson(live, supervisions, inferences, now);
            }
            else
            {
                WriteTable(Consoles.Stdout(), live, now);
                SuperviseRendering.WriteSupervisions(Consoles.Stdout(), supervisions, now);
                BreadcrumbRendering.WriteInferences(Consoles.Stdout(), inferences);
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>How far back a death mid-inference is still news for <c>rein ps</c> (the journal keeps it longer).</summary>
    static readonly TimeSpan DiedWindow = TimeSpan.FromDays(1);

    static void WriteJson(
        List<LiveRun> runs,
        List<SupervisionStatusDocument> supervisions,
        List<OpenInference> inferences,
        DateTimeOffset now
    ) =>
        Console.WriteLine(
            System.Text.Json.JsonSerializer.Serialize(
                new PsDocument([
                    .. runs.Select(r => new PsRunDocument(JournalRunDocument.From(r.Record))
                    {
                        AgeMs = (long)(now - r.Record.StartedAt).TotalMilliseconds,
                        TreeRssBytes = r.TreeRssBytes,
                        TreeProcesses = r.Processes,
                        StuckPids = r.StuckPids,
                        StoppedPids = r.StoppedPids,
                        OtherPidNamespace = r.Elsewhere,
                        SecondsToLimitNow = r.SecondsToLimitNow,
                    }),
                ])
                {
                    Supervisions = supervisions,
                    Inferences = [.. inferences.Select(InferenceDocument.From)],
                },
                ReinJsonContext.Readable.PsDocument
            )
        );

    static string Labels(RunRecord r) =>
        string.Join(
            ' ',
            new[]
            {
                r.LockLabel is null ? null : "lock:" + r.LockLabel,
                r.ModelLabel is null ? null : "model:" + r.ModelLabel,
            }.Where(l => l is not null)
        );

    internal static void WriteTable(IAnsiConsole console, List<LiveRun> runs, DateTimeOffset now)
    {
        if (runs.Count == 0)
        {
            console.WriteLine("no guarded runs alive");
            return;
        }

        var t = new TextTable(
            ["run", "pid", "age", "tree rss", "procs", "state"],
            ["command", "labels", "cwd"],
            detailLine: d =>
                d[2].Length == 0
                    ? d[0]
                    : $"{d[0]}  (in {d[2]}{(d[1].Length > 0 ? ", " + d[1] : "")})"
        );
        foreach (var r in runs)
        {
            t.AddRow(
                [
                    r.Record.Id,
                    r.Record.ChildPid?.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        ?? "-",
                    DurationParser.Format(now - r.Record.StartedAt),
                    SizeParser.Format(r.TreeRssBytes),
                    r.Processes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    r.State == "ok" ? r.State : new TextCell(r.State, "red"),
                ],
                JournalRendering.Truncate(r.Record.CommandLine, 160),
                CommandText.Escape(Labels(r.Record)),
                JournalRendering.Truncate(CommandText.Escape(r.Record.WorkingDirectory), 40)
            );
        }

        t.Write(console);
        foreach (var r in runs.Where(r => r.Condition is not null))
        {
            console.MarkupLine(Markup.Escape($"{r.Record.Id}: {r.Condition}"));
        }

        foreach (var r in runs.Where(r => r.Growth is not null))
        {
            console.MarkupLine(Markup.Escape($"{r.Record.Id}: {r.Growth}"));
        }
    }
}

/// <summary>A running run with what its tree looks like now.</summary>
internal sealed record LiveRun(
    RunRecord Record,
    long TreeRssBytes,
    int Processes,
    IReadOnlyList<int> StuckPids
)
{
    /// <summary>Processes of the tree stopped by a signal (SIGSTOP, Ctrl-Z): the run will not progress until continued.</summary>
    public IReadOnlyList<int> StoppedPids { get; init; } = [];

    /// <summary>Processes of the tree in uninterruptible wait when measured: candidates, not yet called stuck.</summary>
    public IReadOnlyList<ProcessInfo> InWait { get; init; } = [];

    /// <summary>One word for the table: ok, stuck or stopped (<see cref="Condition"/> says more).</summary>
    /// <summary>Its guard runs in another pid namespace: nothing of it can be measured from here.</summary>
    public bool Elsewhere { get; init; }

    public string State =>
        Elsewhere ? "elsewhere"
        : StuckPids.Count > 0 ? "stuck"
        : StoppedPids.Count > 0 ? "stopped"
        : "ok";

    /// <summary>What is wrong and what to do, when something is; null when the run is ok.</summary>
    public string? Condition =>
        Elsewhere
            ? "its guard runs in another pid namespace (a container sharing this state directory): its pids are that namespace's, its tree is not measured here"
        : StuckPids.Count > 0
            ? $"pid {string.Join(", ", StuckPids)} stuck in uninterruptible wait: cannot be killed, reboot needed"
        : StoppedPids.Count > 0
            ? $"pid {string.Join(", ", StoppedPids)} stopped by a signal: continue it with kill -CONT"
        : null;

    /// <summary>With a growth warning on record: the seconds left before its limit at the recorded rate, from the
    /// tree's memory measured now (not the memory at the warning: the run may have grown, or freed, since); null
    /// without a warning, or when the tree is not measured here.</summary>
    public long? SecondsToLimitNow =>
        Record.Growth is { BytesPerSecond: > 0 } g && !Elsewhere
            ? (long)
                Math.Ceiling(Math.Max(0, g.LimitBytes - TreeRssBytes) / (double)g.BytesPerSecond)
            : null;

    /// <summary>The growth warning in words, with the time to the limit from the tree's memory now; as recorded
    /// at the warning when the tree is not measured here. Null without a warning.</summary>
    public string? Growth =>
        Record.Growth is not { } g ? null
        : SecondsToLimitNow is { } left
            ? GrowthText.Rate(
                g.ToWarning() with
                {
                    RssBytes = TreeRssBytes,
                    TimeToLimit = TimeSpan.FromSeconds(left),
                }
            )
        : GrowthText.Rate(g.ToWarning()) + " (at the warning)";

    /// <param name="pidNamespace">The reader's pid namespace (null: unknown, the run's pids are taken as ours).</param>
    public static LiveRun Measure(RunRecord r, IProcessTable table, long? pidNamespace)
    {
        if (r.PidNamespace is { } theirs && pidNamespace is { } mine && theirs != mine)
        {
            return new LiveRun(r, 0, 0, []) { Elsewhere = true };
        }

        if (r.ChildPid is not { } child)
        {
            return new LiveRun(r, 0, 0, []);
        }

        // The command's parent is the run's shim (it holds the command's zombie until the run ends).
        var tree = new RunTree(
            table,
            table.Read(child)?.ParentPid ?? 0,
            child,
            ownSession: r.ProcessGroup is > 0,
            r.Id,
            r.ChildStartTime ?? 0
        );
        var members = tree.Collect(scanMarker: true).Where(p => !p.IsZombie).ToList();
        return new LiveRun(r, members.Sum(p => p.MemoryBytes), members.Count, [])
        {
            StoppedPids = [.. members.Where(p => p.IsStopped).Select(p => p.Pid)],
            InWait = [.. members.Where(p => p.IsUninterruptible)],
        };
    }

    /// <summary>Fills <see cref="StuckPids"/> with the processes that stay in uninterruptible wait (one sampling
    /// window for all runs together; none when nothing is in that state).</summary>
    public static List<LiveRun> ConfirmStuck(List<LiveRun> runs, IProcessTable table)
    {
        var stuck = new StuckDetector(table)
            .FindStuck(runs.SelectMany(r => r.InWait))
            .Select(p => p.Pid)
            .ToHashSet();
        return
        [
            .. runs.Select(r =>
                r with
                {
                    StuckPids = [.. r.InWait.Select(p => p.Pid).Where(stuck.Contains)],
                }
            ),
        ];
    }
}
