using Rein.Config;
using Rein.Containers;
using Rein.Forensics.Classification;
using Rein.Locking;
using Rein.Models;
using Rein.Running;

namespace Rein.Setup;

/// <summary>Settings → run: the one path from what the flags, REIN_* and rein.toml say to a <see cref="RunSpec"/>
/// and its admission, shared by <c>rein run</c>, <c>rein supervise</c>, <c>rein timeout</c> and library hosts.</summary>
public static class RunSpecBuilder
{
    /// <summary>The run <paramref name="settings"/> ask for under <paramref name="config"/> (from
    /// <see cref="RunSettings.Resolve"/>), checked in a fixed order so the first problem is the one said: lock, wait,
    /// cap method, growth action, containers, models, classification rules. With models in the settings,
    /// <paramref name="models"/> says where their gates look (<see cref="ModelAdmission.Create"/>).</summary>
    /// <exception cref="RunSettingsException">A setting that cannot make a run (the message names it).</exception>
    /// <exception cref="ConfigException">A configuration table (classification rules, known panics, cadence
    /// families) that does not parse.</exception>
    /// <exception cref="ArgumentException">Models given without <paramref name="models"/>.</exception>
    public static BuiltRun FromSettings(
        RunSettings settings,
        EffectiveConfig config,
        ModelAdmissionContext? models = null
    )
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(config);
        return settings.Verb switch
        {
            RunVerb.Timeout => Timeout(settings, config),
            _ => Guarded(settings, config, models),
        };
    }

    static BuiltRun Timeout(RunSettings settings, EffectiveConfig config)
    {
        var spec = new RunSpec
        {
            Command = settings.Command,
            Grace = config.Duration(Settings.Grace),
            KillWait = config.Duration(Settings.KillBound),
            Foreground = settings.Foreground,
            ClassificationRules = ClassificationRules.FromConfig(config),
        };
        return new BuiltRun(spec, new AdmissionRequest());
    }

    static BuiltRun Guarded(
        RunSettings settings,
        EffectiveConfig config,
        ModelAdmissionContext? models
    )
    {
        var run = settings.Verb == RunVerb.Run;
        LockRequest? lockRequest = null;
        if (
            settings.Lock is { } lockText
            && !LockRequest.TryParse(lockText, out lockRequest, out var lockError)
        )
        {
            throw new RunSettingsException($"--lock {lockError}");
        }

        TimeSpan? wait = null;
        if (run && settings.Wait is { } waitText)
        {
            wait =
                waitText.Length == 0 ? System.Threading.Timeout.InfiniteTimeSpan
                : DurationParser.TryParse(waitText, out var w, out var waitError) ? w
                : throw new RunSettingsException($"--wait: {waitError}");
        }

        var capMethod = config[Settings.CapMethod];
        var method = capMethod.Raw switch
        {
            "auto" => CapMethod.Auto,
            "cgroup" => CapMethod.Cgroup,
            "poll" => CapMethod.Poll,
            _ => throw new RunSettingsException(
                $"invalid run.cap_method from {capMethod.Source}: '{capMethod.Raw}' (use auto, cgroup or poll)"
            ),
        };

        var growth = config[Settings.OnGrowth];
        // A supervised worker is not stopped for good: "restart" (stop this incarnation, start the next) is the word
        // there, and "stop" from a shared rein.toml means the same.
        var onGrowth = run
            ? GrowthActions.Parse(growth.Raw)
                ?? throw new RunSettingsException(
                    $"invalid run.on_growth from {growth.Source}: '{growth.Raw}' (use warn or stop)"
                )
            : growth.Raw switch
            {
                "warn" => GrowthAction.Warn,
                "restart" or "stop" => GrowthAction.Stop,
                _ => throw new RunSettingsException(
                    $"invalid run.on_growth from {growth.Source}: '{growth.Raw}' (use warn or restart)"
                ),
            };

        var containers = ContainerMode.Off;
        if (run)
        {
            var setting = config[Settings.Containers];
            containers =
                ContainerModes.Parse(setting.Raw)
                ?? throw new RunSettingsException(
                    $"invalid run.containers from {setting.Source}: '{setting.Raw}' (use auto, on or off)"
                );
        }

        var modelAdmission = ModelAdmission.None;
        if (run && (settings.Models.Count > 0 || settings.ModelSize is not null))
        {
            modelAdmission = ModelAdmission.Create(
                settings.Models,
                settings.ModelSize,
                config,
                models
                    ?? (
                        settings.Models.Count == 0
                            ? ModelAdmissionContext.Unused
                            : throw new ArgumentException(
                                "models need a ModelAdmissionContext",
                                nameof(models)
                            )
                    )
            );
        }

        var rules = ClassificationRules.FromConfig(config);
        var spec = new RunSpec
        {
            Command = settings.Command,
            Timeout = config.Duration(Settings.Timeout),
            IdleTimeout = config.Duration(Settings.IdleTimeout),
            Grace = config.Duration(Settings.Grace),
            KillWait = config.Duration(Settings.KillBound),
            Foreground = run && settings.Foreground,
            EnvOffline = settings.EnvOffline,
            LockLabel = lockRequest?.Label,
            ModelLabel = modelAdmission.Label,
            MemoryLimit = config.Size(Settings.Memory) is > 0 and var m ? m : null,
            WarnBefore = config.Duration(Settings.WarnBefore) is { Ticks: > 0 } horizon
                ? horizon
                : null,
            OnGrowth = onGrowth,
            Containers = containers,
            MaxProcs = config.WholeNumber(Settings.MaxProcs) is > 0 and var p ? (int)p : null,
            CapMethod = method,
            Classify = run && settings.Classify,
            ClassificationRules = rules,
        };
        var admission = new AdmissionRequest
        {
            Lock = lockRequest,
            MinAvailable = config.Size(Settings.MinAvailable),
            MinAvailableSource = config[Settings.MinAvailable].Source,
            MaxPressure = config.WholeNumber(Settings.MaxMemoryPressure),
        };
        if (run)
        {
            admission = admission with
            {
                Wait = wait,
                Force = settings.Force,
                BreakerCooldown = config.Duration(Settings.BreakerCooldown),
                ExtraGates = modelAdmission.Gates,
            };
        }

        return new BuiltRun(spec, admission);
    }
}
