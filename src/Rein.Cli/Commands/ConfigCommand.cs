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
        var table = new Table()
            .Border(TableBorder.Simple)
            .AddColumns("setting", "value", "from", "env", "meaning");
        foreach (var s in config.All)
        {
            table.AddRow(
                Markup.Escape(s.Definition.Key),
                Markup.Escape(s.Raw),
                Markup.Escape(s.Source.ToString()),
                Markup.Escape(s.Definition.EnvironmentVariable),
                Markup.Escape(s.Definition.Description)
            );
        }

        console.Write(table);
        console.WriteLine($"repo file: {config.RepoFile ?? "(none found)"}");
        console.WriteLine($"user file: {config.UserFile ?? "(none)"}");
    }
}
