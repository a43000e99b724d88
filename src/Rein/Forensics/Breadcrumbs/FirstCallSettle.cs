using Rein.Cadence;
using Rein.Config;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>How long the first inference on a freshly loaded model waits before it starts: some families panic the
/// GPU driver when the first forward pass follows the load too closely (gemma-4 on Apple Silicon: 3 s). Setting
/// <c>inference.settle</c> / <c>REIN_SETTLE</c>: <c>auto</c> (per family), <c>off</c>, or a duration applied to
/// every model's first call.</summary>
public static class FirstCallSettle
{
    /// <summary>Built-in settle per family (<see cref="BuiltInPolicies.Families"/> decides membership).</summary>
    public static IReadOnlyDictionary<string, TimeSpan> ByFamily { get; } =
        new Dictionary<string, TimeSpan> { ["gemma-4"] = TimeSpan.FromSeconds(3) };

    /// <summary>The settle for <paramref name="modelId"/> under <paramref name="setting"/> (null or empty:
    /// auto). Zero: none.</summary>
    /// <exception cref="ConfigException">The setting is neither auto, off, nor a duration.</exception>
    public static TimeSpan For(string modelId, string? setting)
    {
        var value = setting?.Trim() ?? "";
        if (value is "" or "auto")
        {
            return BuiltInPolicies
                .Families.Where(f => ByFamily.ContainsKey(f.Name) && f.Matches(modelId))
                .Select(f => ByFamily[f.Name])
                .DefaultIfEmpty(TimeSpan.Zero)
                .Max();
        }

        if (value is "off" or "0" or "false")
        {
            return TimeSpan.Zero;
        }

        return DurationParser.TryParse(value, out var d, out var error)
            ? d
            : throw new ConfigException(
                $"REIN_SETTLE={value}: {error} (auto, off, or a duration such as 3s)"
            );
    }
}
