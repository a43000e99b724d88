using Rein.Config;

namespace Rein.Cadence;

/// <summary>
/// Rein's built-in model policies, as data: the same tables a rein.toml uses, embedded in the binary. A rein.toml
/// (the repository's, or the user's) adds entries; one with the same name (family) or id (known panic) replaces
/// the built-in one. Parsed only when a command asks about models.
/// </summary>
public static class BuiltInPolicies
{
    /// <summary>The text, shown by <c>rein cadence status</c>'s source column as <c>built-in</c>.</summary>
    public const string Toml = """
        # Loading a large model right after another was unloaded can panic the kernel on Apple Silicon (IOGPU
        # "prepare count underflow"). Eight of eight panics in one production timeline were in the gemma-4 family,
        # one 66 s after the previous unload: loads that involve this family are spaced by at least 90 s, whatever
        # the cross-model interval says, when either the model being loaded or the previous one belongs to it.
        [[cadence.family]]
        name = "gemma-4"
        vendors = ["mlx-community", "unsloth", "mlx-models"]
        pattern = '^gemma-4-(\d+b|e\d+b)-[a-z0-9-]*$'
        floor = "90s"

        [[models.known_panic]]
        id = "mlx-community/gemma-4-31b-it-8bit"
        what = "kernel-panicked the machine twice, 24 hours apart, on the same pipeline"
        signature = "IOGPUMemory.cpp:492 completeMemory() prepare count underflow"
        evidence = "two kernel panic reports with this signature from one production pipeline, 24 hours apart"
        alternatives = [
          "switch backend: llama.cpp or Ollama keep a persistent worker, which avoids the teardown race",
          "use a mixture-of-experts variant: a far smaller active-parameter footprint per forward pass",
        ]
        """;

    static IReadOnlyList<ConfigTable>? _tables;

    /// <summary>The built-in entries of a list of tables (<c>cadence.family</c>, <c>models.known_panic</c>).</summary>
    public static IReadOnlyList<ConfigTable> Tables(string key)
    {
        if (_tables is null)
        {
            var tables = new List<ConfigTable>();
            EffectiveConfig.ParseToml(
                Toml,
                "built-in",
                tables,
                new ConfigSource(ConfigSourceKind.Default, "built-in")
            );
            _tables = tables;
        }

        return [.. _tables.Where(t => t.Key == key)];
    }

    /// <summary>Built-in entries overridden and extended by the configuration's: the repository file wins over the
    /// user file, which wins over the built-in entry with the same identity.</summary>
    public static IReadOnlyList<T> Merge<T>(
        string key,
        EffectiveConfig? config,
        Func<ConfigTable, T> read,
        Func<T, string> identity
    )
    {
        var merged = new List<T>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Highest precedence first; the first entry of an identity wins.
        foreach (var table in (config?.Tables(key) ?? []).Concat(Tables(key)))
        {
            var item = read(table);
            if (seen.Add(identity(item)))
            {
                merged.Add(item);
            }
        }

        return merged;
    }
}
