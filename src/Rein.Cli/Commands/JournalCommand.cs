using System.CommandLine;
using System.Text.Json;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Documents;
using Rein.Journal;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein journal</c>: finished and unclean runs; <c>show</c> one; <c>prune</c> by retention.</summary>
internal static class JournalCommand
{
    public static Command Build()
    {
        var last = new Option<int>("--last")
        {
            Description = "How many runs to list, newest first",
            DefaultValueFactory = _ => 20,
            HelpName = "N",
        };
        var since = new Option<string?>("--since")
        {
            Description = "Only runs started within DUR (e.g. 2h, 1d)",
            HelpName = "DUR",
        };
        var boot = new Option<string?>("--boot")
        {
            Description =
                "Only runs of this boot: current, or previous (what was running when the machine last went down)",
            HelpName = "current|previous",
        };
        boot.AcceptOnlyFromAmong("current", "previous");
        var unclean = new Option<bool>("--unclean")
        {
            Description = "Only runs that never recorded an end (guard killed, machine crashed)",
        };
        var json = Json();

        var cmd = new Command(
            "journal",
            "List guarded runs from the journal, newest first: outcome, duration, and unclean ends.\n\n"
                + "Examples:\n  rein journal --last 50\n  rein journal --boot previous     # after a crash: what was running\n  rein journal show 20261122T1856"
        )
        {
            last,
            since,
            boot,
            unclean,
            json,
        };
        cmd.SetAction(parse =>
        {
            TimeSpan? window = null;
            if (parse.GetValue(since) is { } s)
            {
                if (!DurationParser.TryParse(s, out var d, out var error))
                {
                    Console.Error.WriteLine($"rein journal: --since: {error}");
                    return ExitCodes.BadUsage;
                }

                window = d;
            }

            if (parse.GetValue(last) is var n && n <= 0)
            {
                Console.Error.WriteLine("rein journal: --last must be 1 or more");
                return ExitCodes.BadUsage;
            }

            using var store = JournalAccess.Open("journal");
            if (store is null)
            {
                return ExitCodes.Findings;
            }

            var currentBoot = JournalAccess.Boot;
            JournalAccess.Reconcile(store, currentBoot);
            var filter = parse.GetValue(boot) switch
            {
                "current" => BootFilter.Current,
                "previous" => BootFilter.Previous,
                _ => (BootFilter?)null,
            };
            var query = new JournalQuery(
                n,
                window is { } w ? DateTimeOffset.UtcNow - w : null,
                filter,
                parse.GetValue(unclean)
            );
            var runs = store.Find(query, currentBoot.BootId);
            var bootContext =
                filter == BootFilter.Previous
                    ? PreviousBootContext(store, currentBoot.BootId)
                    : null;
            if (parse.GetValue(json))
            {
                WriteJson(runs, bootContext);
            }
            else
            {
                JournalRendering.WriteRuns(
                    Consoles.Stdout(),
                    runs,
                    bootContext,
                    DateTimeOffset.UtcNow
                );
            }

            return ExitCodes.Ok;
        });

        cmd.Subcommands.Add(BuildShow());
        cmd.Subcommands.Add(BuildPrune());
        return cmd;
    }

    static Option<bool> Json() =>
        new("--json") { Description = "Print one JSON document (schema rein.journal/1)" };

    static BootContext? PreviousBootContext(JournalStore store, string currentBootId) =>
        store.PreviousBoot(currentBootId) is { } id
            ? new BootContext(id, store.LastSeen(id))
            : null;

    static Command BuildShow()
    {
        var id = new Argument<string>("RUN_ID")
        {
            Description = "A run id, or a unique prefix of one",
        };
        var json = Json();
        var cmd = new Command("show", "Everything recorded for one run") { id, json };
        cmd.SetAction(parse =>
        {
            using var store = JournalAccess.Open("journal show");
            if (store is null)
            {
                return ExitCodes.Findings;
            }

            JournalAccess.Reconcile(store, JournalAccess.Boot);
            var wanted = parse.GetValue(id)!;
            var run = store.Get(wanted);
            if (run is null)
            {
                Console.Error.WriteLine(
                    $"rein journal show: no single run matches '{wanted}' (list them with `rein journal`)"
                );
                return ExitCodes.Findings;
            }

            if (parse.GetValue(json))
            {
                var crumbs = store.BreadcrumbsOfRun(run.Id);
                WriteJson(
                    JournalRunDocument.From(run) with
                    {
                        BreadcrumbCount = crumbs.Count,
                        Breadcrumbs = [.. crumbs.Select(BreadcrumbDocument.From)],
                    }
                );
            }
            else
            {
                JournalRendering.WriteRun(Consoles.Stdout(), run, DateTimeOffset.UtcNow);
                BreadcrumbRendering.WriteOfRun(
                    Consoles.Stdout(),
                    store.BreadcrumbCount(run.Id),
                    store.LastBreadcrumbsOfRun(run.Id, BreadcrumbRendering.LastShown),
                    Rein.Forensics.Breadcrumbs.BreadcrumbPairing.Unmatched(
                        store.BreadcrumbsOfRun(run.Id)
                    ),
                    TimeZoneInfo.Local
                );
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    static Command BuildPrune()
    {
        var json = Json();
        var cmd = new Command(
            "prune",
            "Delete runs beyond the retention (journal.keep_runs, default 10000; journal.keep_days, default 30). "
                + "Also happens by itself once a day during normal runs."
        )
        {
            json,
        };
        cmd.SetAction(parse =>
        {
            var config = CliConfig.Load(new Dictionary<string, (string, string)>());
            using var store = JournalAccess.Open("journal prune");
            if (store is null)
            {
                return ExitCodes.Findings;
            }

            var deleted = store.Prune(
                config.WholeNumber(Settings.JournalKeepRuns),
                config.WholeNumber(Settings.JournalKeepDays),
                DateTimeOffset.UtcNow
            );
            var left = store.Count();
            if (parse.GetValue(json))
            {
                Console.WriteLine(
                    System.Text.Json.JsonSerializer.Serialize(
                        new JournalPruneDocument(JournalPruneDocument.SchemaName, deleted, left),
                        ReinJsonContext.Compact.JournalPruneDocument
                    )
                );
            }
            else
            {
                Console.WriteLine($"pruned {deleted} run(s); {left} kept");
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    static void WriteJson(JournalRunDocument run) =>
        Console.WriteLine(
            System.Text.Json.JsonSerializer.Serialize(
                new JournalDocument(null, [run]),
                ReinJsonContext.Readable.JournalDocument
            )
        );

    static void WriteJson(IReadOnlyList<RunRecord> runs, BootContext? boot) =>
        Console.WriteLine(
            System.Text.Json.JsonSerializer.Serialize(
                new JournalDocument(
                    boot is null ? null : new BootDocument(boot.BootId, boot.LastSeen),
                    [.. runs.Select(JournalRunDocument.From)]
                ),
                ReinJsonContext.Readable.JournalDocument
            )
        );
}

internal sealed record BootContext(string BootId, DateTimeOffset? LastSeen);
