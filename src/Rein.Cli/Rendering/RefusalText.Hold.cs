using Rein.Config;
using Rein.Running.Gates;

namespace Rein.Cli.Rendering;

internal static partial class RefusalText
{
    /// <summary>"model loads are on hold until … (… left), set by … at …: REASON; not started — …".</summary>
    static string Hold(Refusal r, DateTimeOffset now)
    {
        var left = r.RetryAt is { } at && at > now ? DurationParser.Format(at - now) : "0s";
        var until = r.RetryAt is { } u ? u.ToLocalTime().ToString("yyyy-MM-dd HH:mm") : "?";
        var set = (r.Holders.Count > 0 ? r.Holders[0].Since : null) is { } s
            ? s.ToLocalTime().ToString("yyyy-MM-dd HH:mm")
            : "?";
        return $"model loads are on hold until {until} ({left} left), set by {r.Fact("set_by")} at {set}: "
            + $"{r.Fact("reason")}; not started. Do not retry; `rein gate release` lifts the hold";
    }
}
