using Rein.Config;

namespace Rein.Cli.Commands;

/// <summary>Loads the effective configuration for a command, given the flags it was called with.</summary>
internal static class CliConfig
{
    public static EffectiveConfig Load(IReadOnlyDictionary<string, (string Raw, string Flag)> flags)
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name);
        return EffectiveConfig.Load(
            flags,
            Env,
            Environment.CurrentDirectory,
            EffectiveConfig.DefaultUserConfigFile(Env)
        );
    }
}
