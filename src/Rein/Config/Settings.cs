namespace Rein.Config;

/// <summary>The catalogue of every setting Rein reads. Adding one here makes it appear in
/// <c>rein config</c>, in rein.toml and as a <c>REIN_*</c> variable, with the same precedence everywhere.</summary>
public static class Settings
{
    public static readonly SettingDefinition Timeout = new(
        "run.timeout",
        SettingKind.Duration,
        "0",
        "wall-clock limit for a guarded run (0 = none)"
    );

    public static readonly SettingDefinition IdleTimeout = new(
        "run.idle_timeout",
        SettingKind.Duration,
        "0",
        "kill a run that printed nothing for this long (0 = off)"
    );

    public static readonly SettingDefinition Grace = new(
        "run.grace",
        SettingKind.Duration,
        "5s",
        "time between SIGTERM and SIGKILL at teardown"
    );

    public static readonly SettingDefinition KillBound = new(
        "run.kill_wait",
        SettingKind.Duration,
        "2s",
        "how long to wait after SIGKILL before declaring a process unkillable"
    );

    public static readonly SettingDefinition JournalKeepRuns = new(
        "journal.keep_runs",
        SettingKind.WholeNumber,
        "10000",
        "finished runs kept in the journal"
    );

    public static readonly SettingDefinition JournalKeepDays = new(
        "journal.keep_days",
        SettingKind.WholeNumber,
        "30",
        "days of finished runs kept in the journal"
    );

    public static IReadOnlyList<SettingDefinition> All { get; } =
    [Timeout, IdleTimeout, Grace, KillBound, JournalKeepRuns, JournalKeepDays];
}
