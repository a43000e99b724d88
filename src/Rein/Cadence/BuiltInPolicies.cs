using System.Text.RegularExpressions;
using Rein.Config;
using Rein.Models;

namespace Rein.Cadence;

/// <summary>
/// Rein's built-in model policies: data, compiled into the binary (C# rather than an embedded TOML file, so
/// <c>rein run --model</c> does not parse anything it does not have to). A rein.toml — the repository's or the
/// user's — adds entries with the same tables (<c>[[cadence.family]]</c>, <c>[[models.known_panic]]</c>); one with the
/// same name (family) or id (known panic) replaces the built-in one.
/// </summary>
public static partial class BuiltInPolicies
{
    /// <summary>Loading a large model right after another was unloaded can panic the kernel on Apple Silicon
    /// (IOGPU "prepare count underflow"). Eight of eight panics in one production timeline were in the gemma-4
    /// family, one 66 s after the previous unload: loads that involve this family are spaced by at least 90 s,
    /// whatever the cross-model interval says, when either the model being loaded or the previous one belongs to it.</summary>
    public static IReadOnlyList<ModelFamily> Families { get; } =
    [
        new ModelFamily
        {
            Name = "gemma-4",
            Vendors = ["mlx-community", "unsloth", "mlx-models"],
            Pattern = Gemma4Pattern,
            Floor = TimeSpan.FromSeconds(90),
            Compiled = Gemma4(),
        },
    ];

    public static IReadOnlyList<KnownPanic> KnownPanics { get; } =
    [
        new KnownPanic
        {
            Id = "mlx-community/gemma-4-31b-it-8bit",
            What = "kernel-panicked the machine twice, 24 hours apart, on the same pipeline",
            Signature = "IOGPUMemory.cpp:492 completeMemory() prepare count underflow",
            Evidence =
                "two kernel panic reports with this signature from one production pipeline, 24 hours apart",
            Alternatives =
            [
                "switch backend: llama.cpp or Ollama keep a persistent worker, which avoids the teardown race",
                "use a mixture-of-experts variant: a far smaller active-parameter footprint per forward pass",
            ],
        },
    ];

    const string Gemma4Pattern = @"^gemma-4-(\d+b|e\d+b)-[a-z0-9-]*$";

    [GeneratedRegex(Gemma4Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 100)]
    private static partial Regex Gemma4();

    /// <summary>Built-in entries overridden and extended by the configuration's: the repository file wins over the
    /// user file, which wins over the built-in entry with the same identity.</summary>
    public static IReadOnlyList<T> Merge<T>(
        IReadOnlyList<T> builtIn,
        string key,
        EffectiveConfig? config,
        Func<ConfigTable, T> read,
        Func<T, string> identity
    )
    {
        var tables = config?.Tables(key) ?? [];
        if (tables.Count == 0)
        {
            return builtIn;
        }

        var merged = new List<T>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Highest precedence first; the first entry of an identity wins.
        foreach (var item in tables.Select(read).Concat(builtIn))
        {
            if (seen.Add(identity(item)))
            {
                merged.Add(item);
            }
        }

        return merged;
    }
}
