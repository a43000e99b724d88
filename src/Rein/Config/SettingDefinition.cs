namespace Rein.Config;

/// <summary>One configurable value: its key in rein.toml (<c>section.name</c>), its environment variable,
/// its type and its built-in default. The catalogue lives in <see cref="Settings"/>.</summary>
public sealed record SettingDefinition(
    string Key,
    SettingKind Kind,
    string Default,
    string Description,
    string? EnvironmentOverride = null
)
{
    /// <summary>Read from the user's own file, the environment and flags only; a repository's rein.toml cannot set
    /// it (retention: a cloned repository must not be able to delete the journal of every other one).</summary>
    public bool UserOnly { get; init; }

    /// <summary>For whole numbers: a smaller value from any source is raised to this floor.</summary>
    public long? Floor { get; init; }

    /// <summary><c>run.idle_timeout</c> → <c>REIN_IDLE_TIMEOUT</c>: the section is dropped for the run
    /// section (the most used), kept otherwise (<c>journal.keep_runs</c> → <c>REIN_JOURNAL_KEEP_RUNS</c>).</summary>
    public string EnvironmentVariable
    {
        get
        {
            // A few settings keep a shorter, documented name (REIN_CADENCE, REIN_CROSS_MODEL_INTERVAL).
            if (EnvironmentOverride is { } chosen)
            {
                return chosen;
            }

            var dot = Key.IndexOf('.');
            var section = Key[..dot];
            var name = Key[(dot + 1)..];
            var stem = section == "run" ? name : $"{section}_{name}";
            return "REIN_" + stem.ToUpperInvariant();
        }
    }

    public string Section => Key[..Key.IndexOf('.')];

    public string Name => Key[(Key.IndexOf('.') + 1)..];
}
