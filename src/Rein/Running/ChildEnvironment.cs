using Rein.Processes;

namespace Rein.Running;

/// <summary>The command's environment: the host's, plus the run's marker and what the run asks for.</summary>
public static class ChildEnvironment
{
    /// <summary>KEY=VALUE strings: the host's environment, <c>REIN_RUN_ID</c>, <c>PYTHONFAULTHANDLER=1</c> unless set,
    /// the offline variables with --env-offline; <c>REIN_SHIM</c> (a host's setting) and the test hooks
    /// (<see cref="TestHooks.Variables"/>) are not passed on.</summary>
    public static List<string> For(RunSpec spec)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Processes.Shim.NativePart.CallerEnvironment() is { } raw)
        {
            // The rein binary: the environment it started with, every byte of every name and value kept (.NET's
            // view replaces what is not UTF-8 and drops a name that is not). The first of two equal names wins, as
            // getenv(3) finds it.
            foreach (var entry in raw)
            {
                var eq = entry.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    env.TryAdd(entry[..eq], entry[(eq + 1)..]);
                }
            }
        }
        else
        {
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            {
                env[(string)e.Key] = (string?)e.Value ?? "";
            }
        }

        if (spec.ClearEnvironment)
        {
            env.Clear();
        }

        foreach (var (name, value) in spec.EnvironmentVariables)
        {
            if (value is null)
            {
                env.Remove(name);
            }
            else
            {
                env[name] = value;
            }
        }

        env.Remove("REIN_SHIM");
        // Test hooks are rein's, never the command's (a nested rein would inherit them). A test build's shim reads
        // REIN_FAULT itself and drops it before the exec.
        foreach (var hook in TestHooks.Variables)
        {
            if (!TestHooks.Enabled || hook != "REIN_FAULT")
            {
                env.Remove(hook);
            }
        }
        // A run inside another run (a worker under `rein supervise` that calls `rein run`): the outer run's id moves
        // onto the chain instead of being overwritten, so the outer run's marker scan still finds this run's tree.
        if (
            ParentChain(
                env.GetValueOrDefault(ParentRunIdsVariable),
                env.GetValueOrDefault(RunSpec.RunIdVariable)
            ) is
            { } chain
        )
        {
            env[ParentRunIdsVariable] = chain;
        }

        env[RunSpec.RunIdVariable] = spec.RunId;
        // Native crashes in extension modules then leave a Python traceback on stderr.
        env.TryAdd("PYTHONFAULTHANDLER", "1");
        if (spec.EnvOffline)
        {
            env["HF_HUB_OFFLINE"] = "1";
            env["TRANSFORMERS_OFFLINE"] = "1";
        }

        return [.. env.Select(kv => $"{kv.Key}={kv.Value}")];
    }

    /// <summary>The ids of the runs this run is nested in, outermost first, separated by <c>:</c>.</summary>
    public const string ParentRunIdsVariable = RunMarker.ParentRunIdsVariable;

    /// <summary>The chain a nested run's command carries: the host's chain plus the host's own run id.</summary>
    public static string? ParentChain(string? hostChain, string? hostRunId) =>
        string.IsNullOrEmpty(hostRunId) ? (string.IsNullOrEmpty(hostChain) ? null : hostChain)
        : string.IsNullOrEmpty(hostChain) ? hostRunId
        : $"{hostChain}:{hostRunId}";

    /// <summary>Whether a process's REIN_RUN_ID or REIN_PARENT_RUN_IDS names <paramref name="runId"/>.</summary>
    public static bool Names(string? runIdValue, string? chainValue, string runId) =>
        RunMarker.Names(runIdValue, chainValue, runId);
}
