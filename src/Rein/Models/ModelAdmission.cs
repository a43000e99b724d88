using Rein.Cadence;
using Rein.Config;
using Rein.Forensics.Panics;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Models;

/// <summary>The admission gates of a run that loads models (<c>rein run --model</c>), in their order: a person's load
/// hold, the panic gate, known panics, the fit check, the cadence — and the run's model label.</summary>
public sealed record ModelAdmission(string? Label, IReadOnlyList<IAdmissionGate> Gates)
{
    /// <summary>No models: no label, no gates.</summary>
    public static ModelAdmission None { get; } = new(null, []);

    /// <summary>The gates for <paramref name="models"/> under <paramref name="config"/>: the panic gate when
    /// <c>models.panic_gate</c> is on, known panics (blocking under <c>models.on_known_panic = block</c>), the fit
    /// check unless <c>models.fit_check</c> is off (against <paramref name="modelSize"/> when given, else the
    /// estimate), the cadence when <c>cadence.enabled</c>. No models and no size: <see cref="None"/>.</summary>
    /// <exception cref="RunSettingsException">A size without models, a size or model id that does not parse, or an
    /// <c>on_known_panic</c> other than warn or block.</exception>
    /// <exception cref="ConfigException">The known-panic or cadence tables do not parse.</exception>
    public static ModelAdmission Create(
        IReadOnlyList<string> models,
        string? modelSize,
        EffectiveConfig config,
        ModelAdmissionContext context
    )
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        long? declared = null;
        if (modelSize is not null)
        {
            if (models.Count == 0)
            {
                throw new RunSettingsException(
                    "--model-size needs --model (the size of which model?)"
                );
            }

            if (!SizeParser.TryParse(modelSize, out var size, out var sizeError))
            {
                throw new RunSettingsException($"--model-size: {sizeError}");
            }

            declared = size;
        }

        if (models.Count == 0)
        {
            return None;
        }

        if (models.Select(ModelId.Problem).FirstOrDefault(p => p is not null) is { } bad)
        {
            throw new RunSettingsException($"--model: {bad}");
        }

        var onPanic = config[Settings.OnKnownPanic];
        if (onPanic.Raw is not ("warn" or "block"))
        {
            throw new RunSettingsException(
                $"invalid models.on_known_panic from {onPanic.Source}: '{onPanic.Raw}' (use warn or block)"
            );
        }

        // A person's hold first, then the panic gate: after a kernel panic nothing else about the load matters.
        var gates = new List<IAdmissionGate>
        {
            new LoadHoldGate(new LoadHoldStore(context.StateDirectory), models, context.Warn),
        };
        if (config.Flag(Settings.PanicGateEnabled))
        {
            var policy = PanicGatePolicy.FromConfig(config);
            gates.Add(
                new PanicGate(
                    now =>
                        PanicGateCheck.Run(
                            context.StateDirectory,
                            context.PanicSources,
                            context.BootId(),
                            policy,
                            now
                        ),
                    models,
                    context.Warn
                )
            );
        }

        gates.Add(
            new KnownPanicGate(
                KnownPanicRegistry.FromConfig(config),
                models,
                block: onPanic.Raw == "block",
                advise: context.Advise
            )
        );
        if (config.Flag(Settings.FitCheck))
        {
            gates.Add(
                new ModelFitGate(
                    [.. models.Select(m => ModelSizeEstimator.Estimate(m, context.Caches))],
                    declared,
                    config.Size(Settings.FitOverhead)
                )
            );
        }

        if (config.Flag(Settings.CadenceEnabled))
        {
            gates.Add(
                new CadenceGate(
                    new CadenceGuard(context.StateDirectory, CadencePolicy.FromConfig(config)),
                    models
                )
            );
        }

        return new ModelAdmission(string.Join(",", models), gates);
    }
}
