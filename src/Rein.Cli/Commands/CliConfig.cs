using Rein.Config;

namespace Rein.Cli.Commands;

/// <summary>Loads the effective configuration for a command, given the flags it was called with, and warns (one
/// line each, on stderr) about configuration files it found but would not obey.</summary>
internal static class CliConfig
{
    public static EffectiveConfig Load(
        IReadOnlyDictionary<string, (string Raw, string Flag)> flags
    ) => Load(flags, readOnly: false);

    /// <summary>For verbs that only look (ps, doctor, cleanup, cadence status, config, journal, gate): a repository's
    /// broken rein.toml is said once, as a warning, and left out; the verb goes on with the rest.</summary>
    public static EffectiveConfig LoadForReading(
        IReadOnlyDictionary<string, (string Raw, string Flag)>? flags = null
    ) => Load(flags ?? new Dictionary<string, (string, string)>(), readOnly: true);

    static EffectiveConfig Load(
        IReadOnlyDictionary<string, (string Raw, string Flag)> flags,
        bool readOnly
    )
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name);
        var said = new HashSet<string>(StringComparer.Ordinal);
        var config = EffectiveConfig.Load(
            flags,
            Env,
            Environment.CurrentDirectory,
            EffectiveConfig.DefaultUserConfigFile(Env),
            readOnly
                ? problem =>
                {
                    if (said.Add(problem))
                    {
                        Console.Error.WriteLine($"rein: warning: {problem}");
                    }
                }
                : null
        );
        foreach (var file in config.Ignored)
        {
            Console.Error.WriteLine($"rein: {Describe(file)}");
        }

        return config;
    }

    static string Describe(IgnoredConfigFile file)
    {
        var mode = "0" + Convert.ToString((int)file.Mode, 8);
        return file.Problem switch
        {
            ConfigFileProblem.OwnedByAnotherUser =>
                $"ignoring {file.Path}: it belongs to uid {file.OwnerUid}, not to you; rein obeys only your own configuration files",
            _ =>
                $"ignoring {file.Path}: other users can write it (mode {mode}); make it yours alone with chmod go-w",
        };
    }
}
