using Rein.Processes;

namespace Rein.Running;

/// <summary>What to run and under which bounds. Immutable; built by the CLI (or a library user) and handed to <see cref="Guard"/>.</summary>
public sealed record RunSpec
{
    /// <summary>Program and arguments, passed through untouched (never through a shell).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Wall-clock limit; null or zero means none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Stuck when neither stdout nor stderr produced a byte for this long; null or zero means off.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Time between the polite signal and SIGKILL at teardown.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The polite signal sent when --timeout or --idle-timeout expires (SIGTERM; <c>timeout -s</c>).</summary>
    public int TimeoutSignal { get; init; } = 15;

    /// <summary>SIGALRM sent to the host ends the run as timed out, as coreutils' timeout reads it (its own timer is
    /// SIGALRM): <c>rein timeout</c>. Otherwise SIGALRM is passed on to the command like USR1.</summary>
    public bool AlarmTimesOut { get; init; }

    /// <summary>How long to wait after SIGKILL before declaring survivors unkillable (G5).</summary>
    public TimeSpan KillWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Keep the child in the caller's process group (terminal input works); tree kill then relies on tracking.</summary>
    public bool Foreground { get; init; }

    /// <summary>The command's working directory (absolute); null: rein's own. The journal records it as the run's
    /// <c>cwd</c>; a directory that does not exist ends the run as not started, with the reason.</summary>
    /// <exception cref="ArgumentException">A relative path (relative to what would depend on the host).</exception>
    public string? WorkingDirectory
    {
        get;
        init =>
            field =
                value is null || Path.IsPathRooted(value)
                    ? value
                    : throw new ArgumentException(
                        "the working directory must be an absolute path",
                        nameof(WorkingDirectory)
                    );
    }

    /// <summary>Variables set (a value) or removed (null) in the command's environment, over the host's — or over
    /// none with <see cref="ClearEnvironment"/>. <c>REIN_RUN_ID</c> is always the run's own (the tree is found by
    /// it).</summary>
    /// <exception cref="ArgumentException">A name that is empty or holds '=' or NUL.</exception>
    public IReadOnlyDictionary<string, string?> EnvironmentVariables
    {
        get;
        init =>
            field = value.Keys.All(k => k.Length > 0 && !k.Contains('=') && !k.Contains('\0'))
                ? value
                : throw new ArgumentException(
                    "an environment variable's name is not empty and holds no '=' or NUL",
                    nameof(EnvironmentVariables)
                );
    } = new Dictionary<string, string?>();

    /// <summary>Start the command with only <see cref="EnvironmentVariables"/> (and Rein's own markers), not the
    /// host's environment.</summary>
    public bool ClearEnvironment { get; init; }

    /// <summary>The command's standard input (default: the host's).</summary>
    public RunStdio StandardInput { get; init; } = RunStdio.Inherit;

    /// <summary>The command's standard output (default: the host's). With <see cref="IdleTimeout"/> or
    /// <see cref="Classify"/>, which relay the host's own output, only <see cref="RunStdio.Inherit"/> is supported
    /// for output (anything else is a start failure that says so).</summary>
    public RunStdio StandardOutput { get; init; } = RunStdio.Inherit;

    /// <summary>The command's standard error (default: the host's); see <see cref="StandardOutput"/>.</summary>
    public RunStdio StandardError { get; init; } = RunStdio.Inherit;

    /// <summary>Set HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1 for the child.</summary>
    public bool EnvOffline { get; init; }

    /// <summary>The run id; also the value of REIN_RUN_ID in the child's environment. It names the run's spool
    /// file and cgroup, so a library host's id is checked (<see cref="IsValidRunId"/>): <c>../../x</c> would
    /// otherwise reach outside the state folder.</summary>
    /// <exception cref="ArgumentException">Not 1-64 letters, digits, '.', '_' or '-', or starts with '.'.</exception>
    public string RunId
    {
        get;
        init =>
            field = IsValidRunId(value)
                ? value
                : throw new ArgumentException(
                    "a run id is 1-64 letters, digits, '.', '_' or '-', not starting with '.'",
                    nameof(RunId)
                );
    } = NewRunId();

    /// <summary>1-64 ASCII letters, digits, '.', '_' or '-', not starting with '.': a file and cgroup name that
    /// stays where it is put.</summary>
    public static bool IsValidRunId(string? id) =>
        id is { Length: > 0 and <= 64 }
        && id[0] != '.'
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>How often the tree's memory is sampled.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Shown in the journal and rein ps: the --lock this run holds (<c>ci</c>, <c>gpu:2</c>).</summary>
    public string? LockLabel { get; init; }

    /// <summary>Shown in the journal and rein ps: the model this run loads.</summary>
    public string? ModelLabel { get; init; }

    /// <summary>Set for an incarnation of a supervised worker: the journal links the run to its supervision.</summary>
    public SupervisionLink? Supervision { get; init; }

    /// <summary>Relay the output (as --idle-timeout does) to keep the last 64 KiB of stderr, so a failure can be
    /// classified from its text too (<c>rein run --classify</c>).</summary>
    public bool Classify { get; init; }

    /// <summary>The rules a failure is classified with; null: the built-in ones.</summary>
    public Forensics.Classification.ClassificationRules? ClassificationRules { get; init; }

    /// <summary>Cap on the whole tree's memory (bytes); null means none.</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>Cap on the number of live processes in the tree; null means none.</summary>
    public int? MaxProcs { get; init; }

    /// <summary>Warn when, at the rate the tree's memory grows, it reaches <see cref="MemoryLimit"/> (or, without one,
    /// the machine's available memory) within this time (<see cref="GrowthMonitor"/>); null means off.</summary>
    public TimeSpan? WarnBefore { get; init; }

    /// <summary>What a growth warning does: say so, or also stop the run.</summary>
    public GrowthAction OnGrowth { get; init; } = GrowthAction.Warn;

    /// <summary>Whether the containers the run started (labelled <c>rein.run=RUN_ID</c>, or a compose project run
    /// from its folder) are stopped at its end like any other member (<see cref="Containers.ContainerSweep"/>).
    /// Off by default for a library host; <c>rein run</c>'s default is <see cref="Containers.ContainerMode.Auto"/>.</summary>
    public Containers.ContainerMode Containers { get; init; } = Rein.Containers.ContainerMode.Off;

    /// <summary>How caps are enforced: <see cref="CapMethod.Auto"/> uses a kernel cgroup when one can be made, else polls.</summary>
    public CapMethod CapMethod { get; init; } = CapMethod.Auto;

    public const string RunIdVariable = RunMarker.RunIdVariable;

    /// <summary>A sortable, unique id: UTC time plus 40 random bits (<c>20261122T185628Z-3f9a1c2b0d</c>). Guid's
    /// randomness comes from the kernel directly; the crypto RNG would load OpenSSL on every run (~1 ms).</summary>
    public static string NewRunId() =>
        $"{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}"[..27];
}

public enum CapMethod
{
    Auto,
    Cgroup,
    Poll,
}
