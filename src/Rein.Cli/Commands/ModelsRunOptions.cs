using System.CommandLine;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Models;
using Rein.Running;
using Rein.Setup;

namespace Rein.Cli.Commands;

/// <summary><c>rein run</c>'s model options (<c>--model</c> and friends): parsed here into <see cref="RunSettings"/>;
/// the library turns them into admission gates (<see cref="ModelAdmission.Create"/>).</summary>
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

    /// <summary><paramref name="settings"/> with what these flags say.</summary>
    public RunSettings Apply(RunSettings settings, ParseResult parse) =>
        settings
            .WithFlag(
                Settings.SameModelInterval,
                parse.GetValue(SameModelInterval),
                SameModelInterval.Name
            )
            .WithFlag(
                Settings.CrossModelInterval,
                parse.GetValue(CrossModelInterval),
                CrossModelInterval.Name
            )
            .WithFlag(Settings.OnKnownPanic, parse.GetValue(OnKnownPanic), OnKnownPanic.Name)
            .WithFlag(
                Settings.FitCheck,
                parse.GetValue(NoFitCheck) ? "false" : null,
                NoFitCheck.Name
            ) with
        {
            Models = parse.GetValue(Model) ?? [],
            ModelSize = parse.GetValue(ModelSize),
        };

    /// <summary>Where the model gates of <c>rein <paramref name="verb"/></c> look, and their lines on stderr.</summary>
    public static ModelAdmissionContext Context(string verb) =>
        new()
        {
            StateDirectory = JournalAccess.StateDir,
            Caches = ModelsCommand.Caches,
            PanicSources = PanicGateAccess.Sources,
            BootId = () => JournalAccess.Boot.BootId,
            Warn = message => Console.Error.WriteLine($"rein {verb}: WARNING: {message}"),
            Advise = entry =>
                Console.Error.WriteLine($"rein {verb}: {RefusalText.Advisory(entry)}"),
        };
}
