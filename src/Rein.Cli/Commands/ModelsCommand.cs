using System.CommandLine;
using System.Globalization;
using Rein.Cadence;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Models;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein models check|estimate</c>: the known-panic registry and the memory estimate behind
/// <c>rein run --model</c>'s fit check.</summary>
internal static class ModelsCommand
{
    public static Command Build()
    {
        var cmd = new Command(
            "models",
            "What rein knows about a model: a record of kernel panics (check) and the memory its weights need (estimate).\n\n"
                + "Examples:\n  rein models check mlx-community/gemma-4-31b-it-8bit\n  rein models estimate unsloth/gemma-4-e4b-it --json"
        );
        cmd.Subcommands.Add(Check());
        cmd.Subcommands.Add(Estimate());
        return cmd;
    }

    static Command Check()
    {
        var model = new Argument<string>("model") { Description = "The model id (as on the hub)" };
        var json = CadenceCommand.JsonOption("rein.models.check/1");
        var cmd = new Command(
            "check",
            "Is MODEL in the known-panic registry (built-in, plus [[models.known_panic]] in rein.toml)? Exit 0 = not "
                + "listed, 1 = listed (with what happened, the signature, the evidence and safer alternatives)."
        )
        {
            model,
            json,
        };
        cmd.SetAction(parse =>
        {
            var id = parse.GetValue(model)!;
            if (ModelId.Problem(id) is { } bad)
            {
                Console.Error.WriteLine($"rein models check: {bad}");
                return ExitCodes.BadUsage;
            }

            var config = CliConfig.Load(new Dictionary<string, (string, string)>());
            var entry = KnownPanicRegistry.FromConfig(config).Lookup(id);
            if (parse.GetValue(json))
            {
                WriteCheckJson(id, entry);
            }
            else if (entry is null)
            {
                Console.WriteLine($"{CommandText.Escape(id)}: not in the known-panic registry");
            }
            else
            {
                Console.WriteLine(
                    CommandText.Escape(
                        $"{entry.Id}: has a record of kernel panics ({entry.Source} entry)"
                    )
                );
                Field("what", entry.What);
                Field("signature", entry.Signature);
                Field("evidence", entry.Evidence);
                for (var i = 0; i < entry.Alternatives.Count; i++)
                {
                    Field(i == 0 ? "safer" : "", entry.Alternatives[i]);
                }

                Console.WriteLine(
                    "  rein run --model warns about it once per run; --on-known-panic block refuses such runs (75)"
                );
            }

            return entry is null ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return cmd;
    }

    static void Field(string name, string? value)
    {
        if (value is not null)
        {
            Console.WriteLine(CommandText.Escape($"  {name, -10} {value}"));
        }
    }

    static void WriteCheckJson(string id, KnownPanic? entry) =>
        DocumentOutput.Print(
            Documents.ModelsCheckDocument.From(id, entry),
            Documents.ReinJsonContext.Readable.ModelsCheckDocument
        );

    static Command Estimate()
    {
        var model = new Argument<string>("model") { Description = "The model id (as on the hub)" };
        var json = CadenceCommand.JsonOption("rein.models.estimate/1");
        var cmd = new Command(
            "estimate",
            "Estimate the memory MODEL's weights need from its id, and say how: parameters from `31b`, `e4b`, `350m` "
                + "(else a size word: mini, small, medium, large, xl) × bytes per parameter from the quantisation "
                + "(bf16/fp16/16bit 2, 8bit/q8 1, 6bit 0.75, 4bit/q4 0.5, 3bit 0.375, 2bit 0.25; default 2). "
                + "An id with no size is unknown, and the fit check passes for it."
        )
        {
            model,
            json,
        };
        cmd.SetAction(parse =>
        {
            var id = parse.GetValue(model)!;
            if (ModelId.Problem(id) is { } bad)
            {
                Console.Error.WriteLine($"rein models estimate: {bad}");
                return ExitCodes.BadUsage;
            }

            var config = CliConfig.Load(new Dictionary<string, (string, string)>());
            var overhead = config.Size(Settings.FitOverhead);
            var e = ModelSizeEstimator.Estimate(id, Caches);
            if (parse.GetValue(json))
            {
                WriteEstimateJson(e, overhead);
            }
            else
            {
                Console.WriteLine(CommandText.Escape(Describe(e, overhead)));
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Where the tools keep their models (HF_HUB_CACHE, HF_HOME, ~/.cache/huggingface/hub).</summary>
    internal static Rein.Cache.CacheLocations Caches =>
        Rein.Cache.CacheLocations.Resolve(Environment.GetEnvironmentVariable, null, []);

    internal static string Describe(ModelEstimate e, long overhead)
    {
        if (e.OnDisk is { } disk)
        {
            return $"{e.Model}: {SizeParser.Format(disk.Bytes)} of weights on disk ({disk.Files} file(s) in {disk.Folder}, "
                + $"{disk.How}); the fit check wants {SizeParser.Format(disk.Bytes + overhead)} available (with the "
                + $"{SizeParser.Format(overhead)} overhead)";
        }

        if (e.Bytes is not { } bytes)
        {
            return $"{e.Model}: unknown (not on disk here, and the id names no parameter count or a family's size word); the fit check passes for it "
                + "— give the size with rein run --model-size to have it checked";
        }

        var parameters =
            e.Parameters!.Value >= 1e9
                ? string.Create(CultureInfo.InvariantCulture, $"{e.Parameters.Value / 1e9:0.###}B")
                : string.Create(CultureInfo.InvariantCulture, $"{e.Parameters.Value / 1e6:0.###}M");
        var from = e.FromSizeWord
            ? $"the family size '{e.ParameterToken}'"
            : $"'{e.ParameterToken}'";
        var per = string.Create(CultureInfo.InvariantCulture, $"{e.BytesPerParameter:0.###}");
        var quant = e.QuantisationToken is { } q
            ? $"'{q}'"
            : "no quantisation in the id: the 16-bit default";
        return $"{e.Model}: about {SizeParser.Format(bytes)} — {parameters} parameters (from {from}) × {per} byte(s) each "
            + $"({quant}); the fit check wants {SizeParser.Format(bytes + overhead)} available (with the {SizeParser.Format(overhead)} overhead)";
    }

    static void WriteEstimateJson(ModelEstimate e, long overhead) =>
        DocumentOutput.Print(
            Documents.ModelsEstimateDocument.From(e, overhead),
            Documents.ReinJsonContext.Readable.ModelsEstimateDocument
        );
}
