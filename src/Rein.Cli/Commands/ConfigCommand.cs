using System.CommandLine;
using System.Text.Json;
using Rein.Config;
using Spectre.Console;

namespace Rein.Cli.Commands;

/// <summary><c>rein config</c>: the effective settings and where each came from.</summary>
internal static class ConfigCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.config/1)",
        };
        var cmd = new Command(
            "config",
            "Show the effective settings and where each came from (flag > REIN_* env > repo rein.toml > user rein.toml > default)"
        )
        {
            json,
        };
        cmd.SetAction(parse =>
        {
            var config = CliConfig.LoadForReading();
            if (parse.GetValue(json))
            {
                WriteJson(config);
            }
            else
            {
                WriteTable(config);
            }

            return 0;
        });
        return cmd;
    }

    static void WriteJson(EffectiveConfig config)
    {
        using var stdout = Console.OpenStandardOutput();
        using var w = new Utf8JsonWriter(stdout, JsonOutput.Options(true));
        w.WriteStartObject();
        w.WriteString("schema", "rein.config/1");
        w.WriteString("repo_file", config.RepoFile);
        w.WriteString("user_file", config.UserFile);
        w.WriteStartArray("settings");
        foreach (var s in config.All)
        {
            w.WriteStartObject();
            w.WriteString("key", s.Definition.Key);
            w.WriteString("value", s.Raw);
            w.WriteString("source", s.Source.Kind.ToString().ToLowerInvariant());
            w.WriteString("where", s.Source.Where);
            w.WriteString("env", s.Definition.EnvironmentVariable);
            w.WriteString("description", s.Definition.Description);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stdout.WriteByte((byte)'\n');
    }

    static void WriteTable(EffectiveConfig config)
    {
        var console = Rendering.Consoles.Stdout();
        // A setting per line with its meaning beside it when the terminal is wide enough, else under it: never a
        // meaning squeezed into a column a word wide (185 lines at 80 columns).
        var table = new Rendering.TextTable(
            ["setting", "value", "from", "env"],
            ["meaning"],
            detailLine: d => d[0]
        );
        foreach (var s in config.All)
        {
            table.AddRow(
                [s.Definition.Key, s.Raw, s.Source.ToString(), s.Definition.EnvironmentVariable],
                s.Definition.Description
            );
        }

        table.Write(console);
        console.WriteLine($"repo file: {config.RepoFile ?? "(none found)"}");
        console.WriteLine($"user file: {config.UserFile ?? "(none)"}");
    }
}
