using Rein.Config;
using Rein.Running;

namespace Rein.Cli.Rendering;

/// <summary>A growth warning in words: the rate, the limit it heads for, and when.</summary>
internal static class GrowthText
{
    /// <summary>"memory grows 120M/s (now 1.2G); at this rate it reaches the 2G cap (--memory) in about 7s".</summary>
    public static string Rate(GrowthWarning g)
    {
        var limit =
            g.Limit == "memory"
                ? $"the {SizeParser.Format(g.LimitBytes)} cap (--memory)"
                : $"the machine's available memory ({SizeParser.Format(g.LimitBytes - g.RssBytes)} left)";
        var eta =
            g.TimeToLimit < TimeSpan.FromSeconds(1)
                ? "now"
                : $"in about {DurationParser.Format(TimeSpan.FromSeconds(Math.Ceiling(g.TimeToLimit.TotalSeconds)))}";
        return $"memory grows {SizeParser.Format((long)g.BytesPerSecond)}/s (now {SizeParser.Format(g.RssBytes)}); "
            + $"at this rate it reaches {limit} {eta}";
    }

    /// <summary>"growing 120M/s at 1.2G, 7s from the 2G cap".</summary>
    public static string Short(GrowthWarning g) =>
        $"growing {SizeParser.Format((long)g.BytesPerSecond)}/s at {SizeParser.Format(g.RssBytes)}, "
        + $"{DurationParser.Format(TimeSpan.FromSeconds(Math.Ceiling(g.TimeToLimit.TotalSeconds)))} from "
        + (
            g.Limit == "memory"
                ? $"the {SizeParser.Format(g.LimitBytes)} cap"
                : "the machine's available memory"
        );

    /// <summary>Says a growth warning on stderr as it happens (once per run).</summary>
    public sealed class Sayer(string verb) : IRunObserver
    {
        public void GrowthWarned(GrowthWarning warning) =>
            Console.Error.WriteLine($"rein {verb}: warning: {Rate(warning)}");
    }
}
