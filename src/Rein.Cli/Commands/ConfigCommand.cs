using System.CommandLine;
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

    static void WriteJson(EffectiveConfig config) =>
        Rendering.DocumentOutput.Print(
            Documents.ConfigDocument.From(config),
            Documents.ReinJsonContext.Readable.ConfigDocument
        );

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
