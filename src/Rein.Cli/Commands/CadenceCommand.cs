using System.CommandLine;
using System.Diagnostics;
using Rein.Cadence;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Cli.Commands;

/// <summary><c>rein cadence acquire|release|check|status</c>: the cadence guard for a process that loads models
/// itself (a server swapping models): the same atomic check-and-mark as <c>rein run --model</c>, callable from any
/// language right before a load.</summary>
internal static class CadenceCommand
{
    public static Command Build()
    {
        var cmd = new Command(
            "cadence",
            "Space model loads across processes (a kernel panics when a large model loads right after another unloads): "
                + "acquire before a load, release after the unload, check without marking, status.\n\nExamples:\n"
                + "  rein cadence acquire mlx-community/gemma-4-31b-it-8bit --wait 5m && load-model\n"
                + "  rein cadence release mlx-community/gemma-4-31b-it-8bit\n  rein cadence status"
        );
        cmd.Subcommands.Add(CadenceAcquireCommand.Build());
        cmd.Subcommands.Add(Release());
        cmd.Subcommands.Add(Check());
        cmd.Subcommands.Add(CadenceStatusCommand.Build());
        return cmd;
    }

    internal static Argument<string[]> ModelsArgument(string what) =>
        new("model") { Description = what, Arity = ArgumentArity.OneOrMore };

    internal static Option<bool> JsonOption(string schema) =>
        new("--json") { Description = $"Print one JSON document (schema {schema})" };

    internal sealed class Intervals
    {
        public readonly Option<string?> Same = new("--same-model-interval")
        {
            Description =
                "Minimum time between two loads of the same model (default 180s). Env REIN_SAME_MODEL_INTERVAL",
            HelpName = "DUR",
        };

        public readonly Option<string?> Cross = new("--cross-model-interval")
        {
            Description =
                "Minimum time between loads of different models (default 0; family floors still apply). Env REIN_CROSS_MODEL_INTERVAL",
            HelpName = "DUR",
        };

        public void AddTo(Command cmd)
        {
            cmd.Options.Add(Same);
            cmd.Options.Add(Cross);
        }

        /// <summary>The configuration with these flags on top; a bad value anywhere fails loudly (exit 2).</summary>
        public EffectiveConfig Config(ParseResult parse)
        {
            var flags = new Dictionary<string, (string, string)>();
            if (parse.GetValue(Same) is { } same)
            {
                flags[Settings.SameModelInterval.Key] = (same, Same.Name);
            }

            if (parse.GetValue(Cross) is { } cross)
            {
                flags[Settings.CrossModelInterval.Key] = (cross, Cross.Name);
            }

            return CliConfig.Load(flags);
        }
    }

    internal static CadenceGuard Guard(EffectiveConfig config) =>
        new(JournalAccess.StateDir, CadencePolicy.FromConfig(config));

    internal static string? Problem(string[] models) =>
        models.Select(ModelId.Problem).FirstOrDefault(p => p is not null);

    static Command Release()
    {
        var models = ModelsArgument("The model(s) just unloaded");
        var cmd = new Command(
            "release",
            "Record that a model acquired with `rein cadence acquire` was unloaded (spacing then counts from now). "
                + "Exit 0; 1 when no load of a model is on record (a typo?). Releasing twice is harmless."
        )
        {
            models,
        };
        cmd.SetAction(parse =>
        {
            var ids = parse.GetValue(models)!;
            if (Problem(ids) is { } bad)
            {
                return Usage($"release: {bad}");
            }

            var guard = Guard(CliConfig.Load(new Dictionary<string, (string, string)>()));
            var code = ExitCodes.Ok;
            foreach (var id in ids)
            {
                switch (guard.Release(id))
                {
                    case ReleaseResult.AlreadyReleased:
                        Console.Error.WriteLine(
                            $"rein cadence: '{CommandText.Escape(id)}' was already released"
                        );
                        break;
                    case ReleaseResult.Unknown:
                        Console.Error.WriteLine(
                            $"rein cadence: no load of '{CommandText.Escape(id)}' is on record (see `rein cadence status`)"
                        );
                        code = ExitCodes.Findings;
                        break;
                }
            }

            return code;
        });
        return cmd;
    }

    static Command Check()
    {
        var models = ModelsArgument("The model(s) to ask about");
        var json = JsonOption("rein.cadence/1");
        var intervals = new Intervals();
        var cmd = new Command(
            "check",
            "Would loading MODEL be allowed now? Marks nothing. Exit 0 = yes, 75 = not yet (with the reason)."
        )
        {
            models,
            json,
        };
        intervals.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var ids = parse.GetValue(models)!;
            if (Problem(ids) is { } bad)
            {
                return Usage($"check: {bad}");
            }

            var config = intervals.Config(parse);
            var refusal = config.Flag(Settings.CadenceEnabled)
                ? Guard(config).Check(ids)?.ToRefusal()
                : null;
            if (!parse.GetValue(json))
            {
                Console.WriteLine(
                    refusal is null
                        ? $"clear: {string.Join(", ", ids.Select(i => $"'{CommandText.Escape(i)}'"))} may load now"
                        : $"not yet: {RefusalText.CadenceReason(refusal, DateTimeOffset.UtcNow)}"
                );
            }

            return Report(parse.GetValue(json), "check", ids, refusal, null);
        });
        return cmd;
    }

    /// <summary>The JSON document (with --json) and the exit code: 0 clear, 75 blocked.</summary>
    internal static int Report(
        bool json,
        string action,
        string[] models,
        Refusal? refusal,
        string? token
    )
    {
        if (json)
        {
            DocumentOutput.Print(
                Rein.Documents.CadenceDocument.From(action, models, refusal, token),
                Rein.Documents.ReinJsonContext.Readable.CadenceDocument
            );
        }

        return refusal is null ? ExitCodes.Ok : ExitCodes.TryLater;
    }

    internal static int Usage(string message)
    {
        Console.Error.WriteLine($"rein cadence {CommandText.Escape(message)}");
        return ExitCodes.BadUsage;
    }
}
