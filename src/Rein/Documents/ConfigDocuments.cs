using Rein.Config;

namespace Rein.Documents;

/// <summary>The <c>rein.config/1</c> document (<c>rein config --json</c>): the effective settings and where each
/// came from.</summary>
public sealed record ConfigDocument(
    string Schema,
    string? RepoFile,
    string? UserFile,
    IReadOnlyList<ConfigSettingDocument> Settings
)
{
    public const string SchemaName = "rein.config/1";

    public static ConfigDocument From(EffectiveConfig config) =>
        new(
            SchemaName,
            config.RepoFile,
            config.UserFile,
            [
                .. config.All.Select(s => new ConfigSettingDocument(
                    s.Definition.Key,
                    s.Raw,
                    s.Source.Kind.ToString().ToLowerInvariant(),
                    s.Source.Where,
                    s.Definition.EnvironmentVariable,
                    s.Definition.Description
                )),
            ]
        );
}

/// <summary>One setting: its key, raw value, the kind of source (<see cref="ConfigSourceKind"/> in lower case) and
/// where exactly.</summary>
public sealed record ConfigSettingDocument(
    string Key,
    string Value,
    string Source,
    string Where,
    string Env,
    string Description
);
