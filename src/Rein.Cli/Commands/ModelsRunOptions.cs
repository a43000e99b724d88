using System.CommandLine;
using Rein.Cadence;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Models;
using Rein.Running.Gates;

namespace Rein.Cli.Commands;

/// <summary><c>rein run</c>'s model options (<c>--model</c> and friends): parsed here, turned into admission gates
/// (panic gate → known panics → fit check → cadence) over the library.</summary>
internal sealed class ModelsRunOptions
{
    public readonly Option<string[]> Model = new("--model")
    {
        Description =
            "The run loads model MODEL (repeatable): loads are spaced (cadence; busy → 75), a model with a record of kernel panics is flagged, and one that cannot fit in memory is refused",
        HelpName = "MODEL",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public readonly Option<string?> SameModelInterval = new("--same-model-interval")
    {
        Description =
            "Minimum time between two loads of the same model (default 180s). Env REIN_SAME_MODEL_INTERVAL",
        HelpName = "DUR",
    };

    public readonly Option<string?> CrossModelInterval = new("--cross-model-interval")
    {
        Description =
            "Minimum time between loads of different models (default 0 = off; family floors such as gemma-4's 90s still apply). Env REIN_CROSS_MODEL_INTERVAL",
        HelpName = "DUR",
    };

    public readonly Option<string?> OnKnownPanic = new("--on-known-panic")
    {
        Description =
            "A model with a record of kernel panics: warn (advisory on stderr, default) or block (refuse, 75). Env REIN_ON_KNOWN_PANIC",
        HelpName = "warn|block",
    };

    public readonly Option<string?> ModelSize = new("--model-size")
    {
        Description =
            "Memory the run's models need in total, e.g. 18G, instead of the estimate from their ids (fit check)",
        HelpName = "SIZE",
    };

    public readonly Option<bool> NoFitCheck = new("--no-fit-check")
    {
        Description =
            "Start even when available memory is below the models' estimate plus the overhead (models.fit_overhead, 2G)",
    };

    public IEnumerable<Option> All =>
        [Model, SameModelInterval, CrossModelInterval, OnKnownPanic, ModelSize, NoFitCheck];

    /// <summary>The settings these flags set, for <see cref="CliConfig.Load"/>.</summary>
    public void AddFlags(Dictionary<string, (string, string)> flags, ParseResult parse)
    {
        if (parse.GetValue(SameModelInterval) is { } same)
        {
            flags[Settings.SameModelInterval.Key] = (same, SameModelInterval.Name);
        }

        if (parse.GetValue(CrossModelInterval) is { } cross)
        {
            flags[Settings.CrossModelInterval.Key] = (cross, CrossModelInterval.Name);
        }

        if (parse.GetValue(OnKnownPanic) is { } onPanic)
        {
            flags[Settings.OnKnownPanic.Key] = (onPanic, OnKnownPanic.Name);
        }

        if (parse.GetValue(NoFitCheck))
        {
            flags[Settings.FitCheck.Key] = ("false", NoFitCheck.Name);
        }
    }

    /// <summary>The models (null when none) and their gates; or a one-line usage problem.</summary>
    public (string? Label, IReadOnlyList<IAdmissionGate> Gates, string? Problem) Gates(
        ParseResult parse,
        EffectiveConfig config
    )
    {
        var models = parse.GetValue(Model) ?? [];
        long? declared = null;
        if (parse.GetValue(ModelSize) is { } sizeText)
        {
            if (models.Length == 0)
            {
                return (null, [], "--model-size needs --model (the size of which model?)");
            }

            if (!SizeParser.TryParse(sizeText, out var size, out var sizeError))
            {
                return (null, [], $"--model-size: {sizeError}");
            }

            declared = size;
        }

        if (models.Length == 0)
        {
            return (null, [], null);
        }

        if (models.Select(ModelId.Problem).FirstOrDefault(p => p is not null) is { } bad)
        {
            return (null, [], $"--model: {bad}");
        }

        var onPanic = config[Settings.OnKnownPanic];
        if (onPanic.Raw is not ("warn" or "block"))
        {
            return (
                null,
                [],
                $"invalid models.on_known_panic from {onPanic.Source}: '{onPanic.Raw}' (use warn or block)"
            );
        }

        // A person's hold first, then the panic gate: after a kernel panic nothing else about the load matters.
        var gates = new List<IAdmissionGate> { PanicGateAccess.Hold(models, "run") };
        if (PanicGateAccess.Gate(config, models, "run") is { } panicGate)
        {
            gates.Add(panicGate);
        }

        gates.AddRange([
            new KnownPanicGate(
                KnownPanicRegistry.FromConfig(config),
                models,
                block: onPanic.Raw == "block",
                advise: entry => Console.Error.WriteLine($"rein run: {RefusalText.Advisory(entry)}")
            ),
        ]);
        if (config.Flag(Settings.FitCheck))
        {
            gates.Add(
                new ModelFitGate(
                    [.. models.Select(m => ModelSizeEstimator.Estimate(m, ModelsCommand.Caches))],
                    declared,
                    config.Size(Settings.FitOverhead)
                )
            );
        }

        if (config.Flag(Settings.CadenceEnabled))
        {
            gates.Add(
                new CadenceGate(
                    new CadenceGuard(JournalAccess.StateDir, CadencePolicy.FromConfig(config)),
                    models
                )
            );
        }

        return (string.Join(",", models), gates, null);
    }
}
