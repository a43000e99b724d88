using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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

    static void WriteJson(EffectiveConfig config, CadencePolicy policy, CadenceSnapshot s)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, JsonOutput.Options()))
        {
            w.WriteStartObject();
            w.WriteString("schema", "rein.cadence.status/1");
            w.WriteString("now", s.Now);
            w.WriteStartArray("settings");
            foreach (var d in Shown)
            {
                w.WriteStartObject();
                w.WriteString("key", d.Key);
                w.WriteString("value", config[d].Raw);
                w.WriteString("source", config[d].Source.Kind.ToString().ToLowerInvariant());
                w.WriteString("where", config[d].Source.Where);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("families");
            foreach (var f in policy.Families)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WriteStartArray("vendors");
                foreach (var v in f.Vendors)
                {
                    w.WriteStringValue(v);
                }

                w.WriteEndArray();
                w.WriteString("pattern", f.Pattern);
                w.WriteNumber("floor_s", f.Floor.TotalSeconds);
                w.WriteString("source", f.Source);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("blocks");
            foreach (var b in s.Windows)
            {
                w.WriteStartObject();
                w.WriteString("scope", b.Scope);
                w.WriteString("rule", CadenceBlock.RuleName(b.Rule));
                w.WriteString("family", b.Family?.Name);
                w.WriteString("after_model", b.After.Model);
                w.WriteString("after_token", b.After.Token);
                w.WriteString("until", b.Until);
                w.WriteNumber("remaining_s", Math.Ceiling((b.Until - s.Now).TotalSeconds));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("loads");
            foreach (var l in s.Loads)
            {
                w.WriteStartObject();
                w.WriteString("model", l.Model);
                w.WriteString("token", l.Token);
                w.WriteNumber("pid", l.Pid);
                w.WriteString("command", l.Command);
                w.WriteString("started_at", l.StartedAt);
                w.WriteString("seen_at", l.SeenAt);
                if (l.ReleasedAt is { } r)
                {
                    w.WriteString("released_at", r);
                }
                else
                {
                    w.WriteNull("released_at");
                }

                w.WriteString("state", l.Running ? "running" : l.Release ?? "released");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }
}
