using System.CommandLine;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Forensics.Panics;
using Rein.Running;
using Spectre.Console;

namespace Rein.Cli.Commands;

/// <summary><c>rein panics [--since DUR] [--json]</c>: the panic ledger, with the runs and models alive at each.</summary>
internal static class PanicsCommand
{
    public static Command Build()
    {
        var since = new Option<string?>("--since")
        {
            Description = "How far back (default 7d)",
            HelpName = "DUR",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.panics/1)",
        };
        var cmd = new Command(
            "panics",
            "Kernel panics this machine reported (macOS panic reports; Linux pstore, kdump, apport and the previous "
                + "boot's kernel log) and suspected ones (a --model run alive when the machine went down), with the "
                + "guarded runs and models alive at the time. These feed the panic gate (see rein gate).\n\n"
                + "Examples:\n  rein panics\n  rein panics --since 30d --json"
        )
        {
            since,
            json,
        };
        cmd.SetAction(parse =>
        {
            var window = TimeSpan.FromDays(7);
            if (
                parse.GetValue(since) is { } s
                && !DurationParser.TryParse(s, out window, out var error)
            )
            {
                Console.Error.WriteLine($"rein panics: --since: {error}");
                return ExitCodes.BadUsage;
            }

            if (PanicGateAccess.OpenLedger("panics") is not { } opened)
            {
                return ExitCodes.Findings;
            }

            var (store, ledger) = opened;
            using var journal = store;
            var now = DateTimeOffset.UtcNow;
            var problems = ledger.Refresh(now);
            var panics = ledger.List(now - window);
            foreach (var p in problems)
            {
                Console.Error.WriteLine($"rein panics: WARNING: {p}");
            }

            if (parse.GetValue(json))
            {
                WriteJson(panics, now - window, problems);
            }
            else
            {
                Write(Consoles.Stdout(), panics, window);
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    internal static void Write(
        IAnsiConsole console,
        IReadOnlyList<LedgerPanic> panics,
        TimeSpan window
    )
    {
        if (panics.Count == 0)
        {
            console.Profile.Out.Writer.WriteLine(
                $"No kernel panics in the last {DurationParser.Format(window)}."
            );
            return;
        }

        var table = new TextTable(
            ["TIME", "KIND", "CLASS"],
            ["SIGNATURE", "ALIVE (models, runs)"],
            detailLine: d => $"{d[0]}; alive: {d[1]}"
        );
        foreach (var p in panics)
        {
            table.AddRow(
                [PanicGateAccess.Local(p.Panic.Time), p.Panic.Kind, p.Panic.SignatureClass],
                p.Panic.Signature,
                Alive(p)
            );
        }

        table.Write(console);
        console.Profile.Out.Writer.WriteLine(
            $"{panics.Count} panic(s) in the last {DurationParser.Format(window)}; `rein gate` shows what they block"
        );
    }

    static string Alive(LedgerPanic p)
    {
        if (p.RunsAlive.Count == 0)
        {
            return "no guarded run";
        }

        var models = p.ModelsAlive.Count == 0 ? "" : string.Join(",", p.ModelsAlive) + " ";
        var runs = string.Join(", ", p.RunsAlive.Select(r => r.Id));
        return $"{models}({runs})";
    }

    static void WriteJson(
        IReadOnlyList<LedgerPanic> panics,
        DateTimeOffset since,
        IReadOnlyList<string> problems
    ) =>
        Rendering.DocumentOutput.Print(
            Documents.PanicsDocument.From(panics, since, problems),
            Documents.ReinJsonContext.Readable.PanicsDocument
        );
}
