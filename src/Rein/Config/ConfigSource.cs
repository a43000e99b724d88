namespace Rein.Config;

/// <summary>Where an effective value came from, in precedence order (first wins).</summary>
public enum ConfigSourceKind
{
    Flag,
    Environment,
    RepoFile,
    UserFile,
    Default,
}

/// <summary>A source and a human description of it: <c>--timeout</c>, <c>REIN_TIMEOUT</c>, a file path, <c>default</c>.</summary>
public sealed record ConfigSource(ConfigSourceKind Kind, string Where)
{
    public override string ToString() =>
        Kind switch
        {
            ConfigSourceKind.Flag => $"flag {Where}",
            ConfigSourceKind.Environment => $"env {Where}",
            ConfigSourceKind.Default => "default",
            _ => Where,
        };
}
