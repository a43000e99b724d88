namespace Rein.Running;

/// <summary>What to do when a run's memory will reach its limit within <see cref="RunSpec.WarnBefore"/>.</summary>
public enum GrowthAction
{
    /// <summary>Say so once (stderr, the verdict); let the run go on.</summary>
    Warn,

    /// <summary>Say so and stop the run now (TERM, grace, KILL), before the kernel or the cap has to: a supervisor
    /// restarts it like any failure.</summary>
    Stop,
}

/// <summary>The names of <see cref="GrowthAction"/> in settings (<c>run.on_growth</c>).</summary>
public static class GrowthActions
{
    /// <summary><c>warn</c> or <c>stop</c>; null for anything else.</summary>
    public static GrowthAction? Parse(string? text) =>
        text switch
        {
            "warn" => GrowthAction.Warn,
            "stop" => GrowthAction.Stop,
            _ => null,
        };
}

/// <summary>The moment a run's memory growth was seen to reach a limit soon.</summary>
/// <param name="At">Time since the run started.</param>
/// <param name="BytesPerSecond">The whole tree's growth rate over the window.</param>
/// <param name="RssBytes">The tree's memory at the last sample.</param>
/// <param name="LimitBytes">The limit the growth heads for: the run's cap, or the tree's memory plus what the
/// machine has available.</param>
/// <param name="Limit"><c>memory</c> (the run's --memory) or <c>available</c> (the machine's available memory).</param>
/// <param name="TimeToLimit">At this rate, how long until the limit.</param>
public sealed record GrowthWarning(
    TimeSpan At,
    double BytesPerSecond,
    long RssBytes,
    long LimitBytes,
    string Limit,
    TimeSpan TimeToLimit
);

/// <summary>
/// metal-guard's KV-cache watch, for a whole process tree: from the memory samples the guard already takes, the
/// growth rate (least squares over the last <see cref="Window"/>) and the time until the run reaches its cap (or,
/// without one, the machine's available memory). Says once, the first time that time is within the warning
/// horizon. Pure: samples in, a warning out; the guard decides what to do with it.
/// </summary>
public sealed class GrowthMonitor
{
    /// <summary>How far back the rate looks: long enough that a burst of allocation is not a trend, short enough to
    /// see a leak start before the cap.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    /// <summary>The rate needs this many samples spanning <see cref="MinSpan"/>: two points are noise.</summary>
    const int MinSamples = 4;

    static readonly TimeSpan MinSpan = TimeSpan.FromSeconds(1);

    readonly TimeSpan _warnBefore;
    readonly long? _cap;
    readonly Func<long?> _available;
    readonly Queue<(double T, double Rss)> _samples = new();

    /// <param name="warnBefore">The horizon: warn when the limit is this close at the current rate.</param>
    /// <param name="cap">The run's memory cap in bytes, or null: then the limit is the machine's available memory.</param>
    /// <param name="available">The machine's available memory now (read only when the tree is growing).</param>
    public GrowthMonitor(TimeSpan warnBefore, long? cap, Func<long?> available)
    {
        if (warnBefore <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(warnBefore), "must be positive");
        }

        _warnBefore = warnBefore;
        _cap = cap;
        _available = available;
    }

    /// <summary>The warning, once it was given.</summary>
    public GrowthWarning? Warned { get; private set; }

    /// <summary>The growth rate over the window (bytes per second), once there are enough samples.</summary>
    public double? Rate { get; private set; }

    /// <summary>Adds a sample; returns the warning the first time the limit is within the horizon.</summary>
    public GrowthWarning? Add(TimeSpan at, long rssBytes)
    {
        var t = at.TotalSeconds;
        _samples.Enqueue((t, rssBytes));
        while (_samples.Count > 0 && _samples.Peek().T < t - Window.TotalSeconds)
        {
            _samples.Dequeue();
        }

        Rate = Slope();
        if (Warned is not null || Rate is not { } rate || rate <= 0)
        {
            return null;
        }

        var (limit, kind) =
            _cap is { } cap ? (cap, "memory")
            : _available() is { } free ? (rssBytes + free, "available")
            : (0L, "");
        if (limit <= 0)
        {
            return null;
        }

        var left = Math.Max(0, limit - rssBytes) / rate;
        if (left > _warnBefore.TotalSeconds)
        {
            return null;
        }

        Warned = new GrowthWarning(at, rate, rssBytes, limit, kind, TimeSpan.FromSeconds(left));
        return Warned;
    }

    double? Slope()
    {
        if (_samples.Count < MinSamples)
        {
            return null;
        }

        double n = 0,
            st = 0,
            sr = 0,
            stt = 0,
            str = 0,
            first = double.NaN,
            last = 0;
        foreach (var (t, r) in _samples)
        {
            first = double.IsNaN(first) ? t : first;
            last = t;
            n++;
            st += t;
            sr += r;
            stt += t * t;
            str += t * r;
        }

        if (last - first < MinSpan.TotalSeconds)
        {
            return null;
        }

        var d = n * stt - st * st;
        return d <= 0 ? null : (n * str - st * sr) / d;
    }
}
