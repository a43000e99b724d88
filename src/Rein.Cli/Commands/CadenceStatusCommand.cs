using System.CommandLine;
using System.Globalization;
using Rein.Cadence;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Running;
using Spectre.Console;

namespace Rein.Cli.Commands;

/// <summary><c>rein cadence status</c>: recent loads, what they block now and for how long, and the effective
/// settings with where each came from.</summary>
internal static class CadenceStatusCommand
{
    static readonly SettingDefinition[] Shown =
    [
        Settings.CadenceEnabled,
        Settings.SameModelInterval,
        Settings.CrossModelInterval,
    ];

    public static Command Build()
    {
        var json = CadenceCommand.JsonOption("rein.cadence.status/1");
        var cmd = new Command(
            "status",
            "Recent model loads, the blocks they impose now (with the time left), the effective settings and families"
        )
        {
            json,
        };
        cmd.SetAction(parse =>
        {
            var config = CliConfig.LoadForReading();
            var policy = CadencePolicy.FromConfig(config);
            var snapshot = new CadenceGuard(JournalAccess.StateDir, policy).Status();
            if (parse.GetValue(json))
            {
                WriteJson(config, policy, snapshot);
            }
            else
            {
                Write(Consoles.Stdout(), config, policy, snapshot, TimeZoneInfo.Local);
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    internal static void Write(
        IAnsiConsole console,
        EffectiveConfig? config,
        CadencePolicy policy,
        CadenceSnapshot s,
        TimeZoneInfo zone
    )
    {
        if (config is not null)
        {
            foreach (var d in Shown)
            {
                console.WriteLine(Line($"{d.Key} = {config[d].Raw} ({config[d].Source})"));
            }
        }

        foreach (var f in policy.Families)
        {
            var vendors = f.Vendors.Count > 0 ? string.Join(", ", f.Vendors) : "any vendor";
            console.WriteLine(
                Line(
                    $"family {f.Name}: floor {DurationParser.Format(f.Floor)} ({f.Source}); {vendors}; name {f.Pattern}"
                )
            );
        }

        console.WriteLine();
        if (s.Windows.Count == 0)
        {
            console.WriteLine("nothing is blocked now");
        }
        else
        {
            var blocks = new TextTable(
                ["left", "until", "rule"],
                ["blocked", "after"],
                detailLine: d => $"{d[0]}, after {d[1]}"
            );
            foreach (var w in s.Windows)
            {
                blocks.AddRow(
                    [
                        DurationParser.Format(w.Until - s.Now),
                        JournalRendering.Time(w.Until, zone),
                        Rule(w),
                    ],
                    CommandText.Escape(w.Scope),
                    w.Rule == CadenceRule.SameModel
                        ? $"its load in run {w.After.Token}"
                        : $"{CommandText.Escape(w.After.Model)} (run {w.After.Token})"
                );
            }

            blocks.Write(console);
        }

        console.WriteLine();
        if (s.Loads.Count == 0)
        {
            console.WriteLine("no loads recorded");
            return;
        }

        var loads = new TextTable(["run", "started", "state"], ["model"]);
        foreach (var l in s.Loads)
        {
            loads.AddRow(
                [l.Token, JournalRendering.Time(l.StartedAt, zone), State(l, s.Now)],
                CommandText.Escape(l.Model)
            );
        }

        loads.Write(console);
    }

    static string Line(string text) => CommandText.Escape(text);

    static string Rule(CadenceWindow w) =>
        w.Rule switch
        {
            CadenceRule.SameModel => "same model",
            CadenceRule.CrossModel => "cross model",
            CadenceRule.FamilyFloor => $"{w.Family?.Name} floor",
            _ => "clock moved back",
        };

    static string State(CadenceLoad l, DateTimeOffset now) =>
        l.ReleasedAt is not { } released ? "running"
        : l.Release == "vanished" ? $"vanished {DurationParser.Format(now - released)} ago"
        : $"released {DurationParser.Format(now - released)} ago";

    static void WriteJson(EffectiveConfig config, CadencePolicy policy, CadenceSnapshot s) =>
        DocumentOutput.Print(
            Documents.CadenceStatusDocument.From(config, Shown, policy, s),
            Documents.ReinJsonContext.Readable.CadenceStatusDocument
        );
}
