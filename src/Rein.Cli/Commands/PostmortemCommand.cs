using System.CommandLine;
using System.Text.Json;
using Rein.Config;
using Rein.Forensics.Panics;
using Rein.Forensics.Postmortem;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein postmortem DIR [--since DUR] [--json]</c>: a bundle to read (index.md) or to send to whoever
/// investigates the panics: the ledger, the runs and breadcrumbs around each panic, capped copies of the reports.</summary>
internal static class PostmortemCommand
{
    public static Command Build()
    {
        var dir = new Argument<string>("DIR")
        {
            Description = "A new or empty folder to write the bundle into",
        };
        var since = new Option<string?>("--since")
        {
            Description = "Panics of how far back (default 72h, the panic gate's longest window)",
            HelpName = "DUR",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print what was written as one JSON document (schema rein.postmortem/1)",
        };
        var cmd = new Command(
            "postmortem",
            "Write a postmortem bundle of the recent kernel panics into DIR: index.md (a timeline per panic: the runs "
                + "alive in the half hour before it, their PRE/POST breadcrumbs, the machine going down), ledger.json, "
                + "runs.json (rein.journal/1), breadcrumbs.json, and reports/ with the first 256 KiB of each panic report.\n\n"
                + "Examples:\n  rein postmortem ~/panic-2026-11-24\n  rein postmortem --since 7d /tmp/pm --json"
        )
        {
            dir,
            since,
            json,
        };
        cmd.SetAction(parse =>
        {
            var window = TimeSpan.FromHours(72);
            if (
                parse.GetValue(since) is { } s
                && !DurationParser.TryParse(s, out window, out var error)
            )
            {
                Console.Error.WriteLine($"rein postmortem: --since: {error}");
                return ExitCodes.BadUsage;
            }

            var target = Path.GetFullPath(parse.GetValue(dir)!);
            if (PostmortemBundle.Problem(target) is { } problem)
            {
                Console.Error.WriteLine($"rein postmortem: {problem}");
                return ExitCodes.BadUsage;
            }

            if (PanicGateAccess.OpenLedger("postmortem") is not { } opened)
            {
                return ExitCodes.Findings;
            }

            var (store, ledger) = opened;
            using var journal = store;
            var now = DateTimeOffset.UtcNow;
            foreach (var p in ledger.Refresh(now))
            {
                Console.Error.WriteLine($"rein postmortem: WARNING: {p}");
            }

            PostmortemResult result;
            try
            {
                result = PostmortemBundle.Write(
                    target,
                    PostmortemGatherer.Gather(store, ledger, now - window, now)
                );
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rein postmortem: cannot write {target}: {e.Message}");
                return ExitCodes.Findings;
            }

            foreach (var p in result.Problems)
            {
                Console.Error.WriteLine($"rein postmortem: WARNING: {p}");
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(
                    JsonSerializer.Serialize(
                        result,
                        Rein.Documents.ReinJsonContext.Readable.PostmortemResult
                    )
                );
            }
            else
            {
                Console.WriteLine(
                    $"wrote {result.Directory}: {result.Panics} panic(s), {result.Runs} run(s), "
                        + $"{result.Breadcrumbs} breadcrumb(s) in the last {DurationParser.Format(window)}; "
                        + $"read {Path.Combine(result.Directory, "index.md")}"
                );
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }
}
