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
        "finished runs kept in the journal (at least 100; never from a repository's rein.toml)"
    )
    {
        UserOnly = true,
        Floor = 100,
    };

    public static readonly SettingDefinition JournalKeepDays = new(
        "journal.keep_days",
        SettingKind.WholeNumber,
        "30",
        "days of finished runs kept in the journal (at least 1; never from a repository's rein.toml)"
    )
    {
        UserOnly = true,
        Floor = 1,
    };

    public static readonly SettingDefinition Memory = new(
        "run.memory",
        SettingKind.Size,
        "0",
        "memory cap for the whole tree, e.g. 8G (0 = none); exceeding it ends the run with 137"
    );

    public static readonly SettingDefinition WarnBefore = new(
        "run.warn_before",
        SettingKind.Duration,
        "0",
        "warn once when, at its growth rate, the tree's memory reaches run.memory (or the machine's available memory) within this time (0 = off)"
    );

    public static readonly SettingDefinition OnGrowth = new(
        "run.on_growth",
        SettingKind.Text,
        "warn",
        "what a growth warning does: warn, or stop the run (137) before the cap"
    );

    public static readonly SettingDefinition Containers = new(
        "run.containers",
        SettingKind.Text,
        "auto",
        "stop the containers a run started at its end: auto (a foreground docker run or compose up), on, off"
    );

    public static readonly SettingDefinition MaxProcs = new(
        "run.max_procs",
        SettingKind.WholeNumber,
        "0",
        "cap on live processes in the tree (0 = none)"
    );

    public static readonly SettingDefinition CapMethod = new(
        "run.cap_method",
        SettingKind.Text,
        "auto",
        "how caps are enforced: auto (cgroup if possible), cgroup, poll"
    );

    public static readonly SettingDefinition MinAvailable = new(
        "run.min_available",
        SettingKind.Size,
        "0",
        "refuse to start (75) when less memory than this is available (0 = off)"
    );

    public static readonly SettingDefinition MaxMemoryPressure = new(
        "run.max_memory_pressure",
        SettingKind.WholeNumber,
        "40",
        "with min_available: refuse when memory pressure (Linux PSI some avg10, %) is above this"
    );

    public static readonly SettingDefinition BreakerCooldown = new(
        "breaker.cooldown",
        SettingKind.Duration,
        "10m",
        "refuse to re-run a command whose last run timed out, went idle or was unkillable this recently"
    );

    public static readonly SettingDefinition CadenceEnabled = new(
        "cadence.enabled",
        SettingKind.Boolean,
        "true",
        "space model loads (rein run --model, rein cadence); off is the kill switch",
        "REIN_CADENCE"
    );

    public static readonly SettingDefinition SameModelInterval = new(
        "cadence.same_model_interval",
        SettingKind.Interval,
        "180s",
        "minimum time between two loads of the same model (negative = 0)",
        "REIN_SAME_MODEL_INTERVAL"
    );

    public static readonly SettingDefinition CrossModelInterval = new(
        "cadence.cross_model_interval",
        SettingKind.Interval,
        "0",
        "minimum time between loads of different models (0 = off; family floors still apply)",
        "REIN_CROSS_MODEL_INTERVAL"
    );

    public static readonly SettingDefinition OnKnownPanic = new(
        "models.on_known_panic",
        SettingKind.Text,
        "warn",
        "a model with a record of kernel panics: warn (advisory on stderr) or block (refuse, 75)",
        "REIN_ON_KNOWN_PANIC"
    );

    public static readonly SettingDefinition FitCheck = new(
        "models.fit_check",
        SettingKind.Boolean,
        "true",
        "refuse a --model run (75) when available memory is below its estimate plus the overhead",
        "REIN_FIT_CHECK"
    );

    public static readonly SettingDefinition FitOverhead = new(
        "models.fit_overhead",
        SettingKind.Size,
        "2G",
        "memory the fit check adds to a model's estimate (runtime, activations, KV cache)",
        "REIN_FIT_OVERHEAD"
    );

    public static readonly SettingDefinition PanicGateEnabled = new(
        "panic_gate.enabled",
        SettingKind.Boolean,
        "true",
        "refuse --model runs and cadence acquires after kernel panics (cooldowns, lockout until rein ack); off is the kill switch",
        "REIN_PANIC_GATE"
    );

    public static readonly SettingDefinition PanicCooldown = new(
        "panic_gate.cooldown",
        SettingKind.Duration,
        "2h",
        "after a kernel panic in the last 24h, refuse model runs for this long from it"
    );

    public static readonly SettingDefinition PanicBreakerWindow = new(
        "panic_gate.breaker_window",
        SettingKind.Duration,
        "1h",
        "two kernel panics this close together trip the breaker"
    );

    public static readonly SettingDefinition PanicBreakerCooldown = new(
        "panic_gate.breaker_cooldown",
        SettingKind.Duration,
        "1h",
        "how long the breaker refuses model runs after the second panic"
    );

    public static readonly SettingDefinition PanicLockoutInDay = new(
        "panic_gate.lockout_in_day",
        SettingKind.WholeNumber,
        "2",
        "this many kernel panics within 24h lock model runs out until rein ack (0 = rule off)"
    );

    public static readonly SettingDefinition PanicLockoutInWindow = new(
        "panic_gate.lockout_in_window",
        SettingKind.WholeNumber,
        "3",
        "this many kernel panics within lockout_max lock model runs out until rein ack (0 = rule off)"
    );

    public static readonly SettingDefinition PanicLockoutMax = new(
        "panic_gate.lockout_max",
        SettingKind.Duration,
        "72h",
        "a lockout lifts by itself this long after its earliest panic (also the window of lockout_in_window)"
    );

    public static readonly SettingDefinition PanicAckValid = new(
        "panic_gate.ack_valid",
        SettingKind.Duration,
        "24h",
        "how long rein ack lifts a lockout (any newer panic voids it)"
    );

    public static readonly SettingDefinition CleanupProtect = new(
        "cleanup.protect",
        SettingKind.Text,
        "",
        "programs rein cleanup never signals, comma-separated, added to the built-in list (editors, language servers, agent CLIs, browsers)"
    );

    public static readonly SettingDefinition HangAfter = new(
        "inference.hang_after",
        SettingKind.Duration,
        "90s",
        "an inference (rein mark pre, InferenceGuard) open this long while its process lives is reported by rein ps and rein doctor as in flight",
        "REIN_HANG_AFTER"
    );

    public static readonly SettingDefinition Settle = new(
        "inference.settle",
        SettingKind.Text,
        "auto",
        "InferenceGuard's wait before a model's first inference: auto (per family, gemma-4 3s), off, or a duration for every model",
        "REIN_SETTLE"
    );

    // Where run verdicts go is the user's to say: a cloned repository must not send them elsewhere.
    public static readonly SettingDefinition TelemetryEndpoint = new(
        "telemetry.endpoint",
        SettingKind.Text,
        "",
        "OTLP/HTTP endpoint for rein export otlp, e.g. http://localhost:4318 (OTEL_EXPORTER_OTLP_ENDPOINT wins; empty = off)"
    )
    {
        UserOnly = true,
    };

    public static readonly SettingDefinition TelemetryAtRunEnd = new(
        "telemetry.at_run_end",
        SettingKind.Duration,
        "0",
        "after each rein run, ship what waits to the OTLP collector within this budget (e.g. 200ms; 0 = off)"
    )
    {
        UserOnly = true,
    };

    public static readonly SettingDefinition TelemetryCommandLines = new(
        "telemetry.command_lines",
        SettingKind.Boolean,
        "false",
        "send whole command lines in exported spans (default: the program's name and a hash of the arguments)"
    )
    {
        UserOnly = true,
    };

    public static IReadOnlyList<SettingDefinition> All { get; } =
    [
        Timeout,
        IdleTimeout,
        Grace,
        KillBound,
        Memory,
        WarnBefore,
        OnGrowth,
        Containers,
        MaxProcs,
        CapMethod,
        MinAvailable,
        MaxMemoryPressure,
        BreakerCooldown,
        JournalKeepRuns,
        JournalKeepDays,
        CadenceEnabled,
        SameModelInterval,
        CrossModelInterval,
        OnKnownPanic,
        FitCheck,
        FitOverhead,
        PanicGateEnabled,
        PanicCooldown,
        PanicBreakerWindow,
        PanicBreakerCooldown,
        PanicLockoutInDay,
        PanicLockoutInWindow,
        PanicLockoutMax,
        PanicAckValid,
        CleanupProtect,
        HangAfter,
        Settle,
        TelemetryEndpoint,
        TelemetryAtRunEnd,
        TelemetryCommandLines,
    ];
}
