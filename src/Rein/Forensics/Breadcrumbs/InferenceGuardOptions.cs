using Rein.Config;
using Rein.Processes;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>A failure the guard caught and did not let through: a hook that threw, or a breadcrumb it could not
/// write. <see cref="Stage"/> is <c>pre-hook</c>, <c>post-hook</c>, <c>pre-breadcrumb</c>, <c>post-breadcrumb</c> or <c>settle</c> (a bad
/// <c>REIN_SETTLE</c>: the built-in settle applies).</summary>
public sealed record InferenceGuardFailure(string Stage, string ModelId, Exception Error);

/// <summary>How an <see cref="InferenceGuard"/> behaves. Every member has a working default.</summary>
public sealed class InferenceGuardOptions
{
    /// <summary>Runs before each inference (after the settle, before the PRE): e.g. release cached GPU buffers.
    /// Its failure is logged and the inference runs anyway.</summary>
    public Action<string>? PreHook { get; init; }

    /// <summary>Runs after each inference, success or not (before the POST): e.g. synchronize the GPU and release
    /// buffers. Its failure is logged; it never replaces the inference's own exception.</summary>
    public Action<string>? PostHook { get; init; }

    /// <summary>Where caught failures go. Default: a warning on <see cref="System.Diagnostics.Trace"/>.</summary>
    public Action<InferenceGuardFailure> Log { get; init; } =
        f =>
            System.Diagnostics.Trace.TraceWarning(
                $"rein InferenceGuard: {f.Stage} failed for {f.ModelId}: {f.Error.Message}"
            );

    /// <summary><c>inference.settle</c>: auto (per family), off, or a duration (see <see cref="FirstCallSettle"/>).
    /// Default: <c>REIN_SETTLE</c> from the environment.</summary>
    public string? Settle { get; init; } = Environment.GetEnvironmentVariable("REIN_SETTLE");

    /// <summary>The clock the settle waits on (a FakeTimeProvider in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The state directory breadcrumbs go to. Default: rein's (REIN_HOME, XDG_STATE_HOME, ...).</summary>
    public string StateDirectory { get; init; } =
        Config.StateDirectory.Resolve(Environment.GetEnvironmentVariable);

    /// <summary>The run this process belongs to. Default: <c>REIN_RUN_ID</c> (set by rein run).</summary>
    public string? RunId { get; init; } = Caller.RunId(Environment.GetEnvironmentVariable);

    /// <summary>Reads this process's start time (its identity together with the pid).</summary>
    public IProcessTable Table { get; init; } = ProcessTables.Current;

    /// <summary>Options with the settle from a loaded configuration (rein.toml and REIN_SETTLE).</summary>
    public static InferenceGuardOptions FromConfig(EffectiveConfig config) =>
        new() { Settle = config.Text(Settings.Settle) };
}
