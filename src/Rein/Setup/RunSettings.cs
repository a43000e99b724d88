using Rein.Config;
using Rein.Running;

namespace Rein.Setup;

/// <summary>
/// What a caller asked for a run, before resolution: the command, the values given as flags (which win over
/// REIN_* variables, then the repository's rein.toml, then the user's rein.toml, then the defaults — see
/// <see cref="Resolve"/>), and the flag-only choices (lock, wait, models…). The CLI fills it from its command line; a
/// host fills it itself and gets the run the CLI would build from <see cref="RunSpecBuilder.FromSettings"/>.
/// </summary>
public sealed record RunSettings
{
    /// <summary>Program and arguments, passed through untouched.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Which verb's reading of the configuration applies (default <see cref="RunVerb.Run"/>).</summary>
    public RunVerb Verb { get; init; } = RunVerb.Run;

    /// <summary>Settings given as flags: <see cref="SettingDefinition.Key"/> → the raw text and the flag's name
    /// (named in error messages, e.g. <c>--timeout</c>). Set them with <see cref="WithFlag"/>.</summary>
    public IReadOnlyDictionary<string, (string Raw, string Flag)> Flags { get; init; } =
        new Dictionary<string, (string, string)>();

    /// <summary><c>NAME[:SLOTS]</c>: hold a slot of this lock for the run; null: none.</summary>
    public string? Lock { get; init; }

    /// <summary>Wait for admission instead of refusing: null = do not wait, empty = forever, else a duration.</summary>
    public string? Wait { get; init; }

    /// <summary>Start even though the retry breaker is open.</summary>
    public bool Force { get; init; }

    /// <summary>Keep the command in the terminal's process group.</summary>
    public bool Foreground { get; init; }

    /// <summary>Set HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1 for the command.</summary>
    public bool EnvOffline { get; init; }

    /// <summary>Keep the tail of stderr so a failure is classified from its text too.</summary>
    public bool Classify { get; init; }

    /// <summary>The models the run loads (<c>--model</c>); empty: none (no model gates).</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>The memory the models need in total (<c>--model-size</c>, a size text); null: estimated.</summary>
    public string? ModelSize { get; init; }

    /// <summary>These settings with <paramref name="setting"/> given as flag <paramref name="flag"/>; a null
    /// <paramref name="raw"/> (the flag not given) leaves them as they are.</summary>
    public RunSettings WithFlag(SettingDefinition setting, string? raw, string flag)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (raw is null)
        {
            return this;
        }

        var flags = new Dictionary<string, (string, string)>(Flags) { [setting.Key] = (raw, flag) };
        return this with { Flags = flags };
    }

    /// <summary>The effective configuration for these settings: per setting the flag, else the environment variable
    /// (<see cref="SettingDefinition.EnvironmentVariable"/>), else the nearest rein.toml from
    /// <paramref name="workingDirectory"/> up to its repository's root (never for user-only settings such as
    /// <c>journal.keep_runs</c>), else <paramref name="userConfigFile"/>, else the default.</summary>
    /// <exception cref="ConfigException">A value that does not parse, or a rein.toml that does not.</exception>
    public EffectiveConfig Resolve(
        Func<string, string?> environment,
        string workingDirectory,
        string? userConfigFile
    ) => EffectiveConfig.Load(Flags, environment, workingDirectory, userConfigFile);
}
