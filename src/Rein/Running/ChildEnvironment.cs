namespace Rein.Running;

/// <summary>The command's environment: the host's, plus the run's marker and what the run asks for.</summary>
public static class ChildEnvironment
{
    /// <summary>KEY=VALUE strings: the host's environment, <c>REIN_RUN_ID</c>, <c>PYTHONFAULTHANDLER=1</c> unless set,
    /// the offline variables with --env-offline; <c>REIN_SHIM</c> (a host's setting) is not passed on.</summary>
    public static List<string> For(RunSpec spec)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? "";
        }

        env.Remove("REIN_SHIM");
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
}
