using Rein.Cache;
using Rein.Config;
using Rein.Forensics.Panics;
using Rein.Models;
using Rein.Running;
using Rein.Setup;

namespace Rein.Tests.Models;

/// <summary>The gates a model run gets from its settings (<see cref="ModelAdmission"/> through
/// <see cref="RunSpecBuilder"/>), as a host builds them: no CLI.</summary>
public sealed class ModelAdmissionTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-model-admission-").FullName;
    readonly Dictionary<string, string> _env = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    ModelAdmissionContext Context =>
        new()
        {
            StateDirectory = Path.Combine(_root, "state"),
            Caches = CacheLocations.Resolve(_ => null, null, []),
            PanicSources = PanicSources.FromEnvironment(_ => null),
            BootId = () => "boot",
        };

    BuiltRun Build(RunSettings settings) =>
        RunSpecBuilder.FromSettings(
            settings,
            settings.Resolve(k => _env.GetValueOrDefault(k), _root, null),
            Context
        );

    static RunSettings Models(params string[] models) =>
        new() { Command = ["true"], Models = models };

    static List<string> GateTypes(BuiltRun built) =>
        [.. built.Admission.ExtraGates.Select(g => g.GetType().Name)];

    [Fact]
    public void A_model_run_gets_hold_panic_known_panics_fit_and_cadence_in_that_order()
    {
        var built = Build(Models("org/alpha-7b", "org/beta-3b"));
        Assert.Equal(
            ["LoadHoldGate", "PanicGate", "KnownPanicGate", "ModelFitGate", "CadenceGate"],
            GateTypes(built)
        );
        Assert.Equal("org/alpha-7b,org/beta-3b", built.Spec.ModelLabel);
    }

    [Fact]
    public void The_settings_turn_gates_off()
    {
        _env[Settings.PanicGateEnabled.EnvironmentVariable] = "false";
        _env[Settings.CadenceEnabled.EnvironmentVariable] = "false";
        var built = Build(
            Models("org/alpha-7b").WithFlag(Settings.FitCheck, "false", "--no-fit-check")
        );
        Assert.Equal(["LoadHoldGate", "KnownPanicGate"], GateTypes(built));
    }

    [Fact]
    public void No_models_no_gates_and_no_label()
    {
        var built = Build(Models());
        Assert.Empty(built.Admission.ExtraGates);
        Assert.Null(built.Spec.ModelLabel);
    }

    [Fact]
    public void Bad_model_settings_are_refused_with_the_cli_words()
    {
        Assert.Equal(
            "--model-size needs --model (the size of which model?)",
            Assert
                .Throws<RunSettingsException>(() => Build(Models() with { ModelSize = "8G" }))
                .Message
        );
        _env[Settings.OnKnownPanic.EnvironmentVariable] = "shrug";
        Assert.Equal(
            $"invalid models.on_known_panic from env {Settings.OnKnownPanic.EnvironmentVariable}: 'shrug' (use warn or block)",
            Assert.Throws<RunSettingsException>(() => Build(Models("org/alpha-7b"))).Message
        );
    }

    [Fact]
    public void Models_without_a_context_are_a_programming_error()
    {
        var settings = Models("org/alpha-7b");
        Assert.Throws<ArgumentException>(() =>
            RunSpecBuilder.FromSettings(
                settings,
                settings.Resolve(k => _env.GetValueOrDefault(k), _root, null)
            )
        );
    }
}
