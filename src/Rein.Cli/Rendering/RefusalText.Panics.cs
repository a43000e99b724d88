using Rein.Config;
using Rein.Running.Gates;

namespace Rein.Cli.Rendering;

/// <summary>Panic-gate refusals in words: which rule, the panics behind it (when, class, signature), when it lifts,
/// and what to do — a lockout wants a person (`rein ack`), a cooldown only time.</summary>
internal static partial class RefusalText
{
    static string Panic(Refusal r, DateTimeOffset now)
    {
        var panics = string.Join(
            "; ",
            r.Holders.Take(3)
                .Select(h =>
                    $"{(h.Since is { } t ? Ago(t.ToString("O"), now) : "at an unknown time")}"
                    + $"{(h.Condition == "suspected" ? " (suspected: the machine went down under a model run)" : "")}"
                    + (h.Condition == "suspected" ? "" : $" ({h.Command})")
                )
        );
        var more = r.Holders.Count > 3 ? $" and {r.Holders.Count - 3} more" : "";
        var left = r.RetryAt is { } at && at > now ? DurationParser.Format(at - now) : "0s";
        var lifts = r.RetryAt is { } when ? when.ToLocalTime().ToString("yyyy-MM-dd HH:mm") : "?";
        var reason = r.Fact("rule") switch
        {
            "one_panic" =>
                $"a kernel panic {panics}: cooldown after a panic, {left} left (until {lifts})",
            "breaker" =>
                $"two kernel panics close together ({panics}{more}): breaker cooldown, {left} left (until {lifts})",
            "lockout_day" =>
                $"{r.Holders.Count} kernel panics within 24h ({panics}{more}): locked out until someone runs `rein ack` (or by itself at {lifts}, in {left})",
            "lockout_window" =>
                $"{r.Holders.Count} kernel panics within 72h ({panics}{more}): locked out until someone runs `rein ack` (or by itself at {lifts}, in {left})",
            _ => $"the panic gate refused ({r.Code}), {left} left",
        };
        var advice =
            r.Code == RefusalCodes.PanicLockout
                ? "Not started: look at `rein panics`, then `rein ack` lifts the lockout for 24h"
                : "Not started: `rein panics` lists them; the cooldown ends by itself (REIN_PANIC_GATE=off skips the gate)";
        return $"{reason}. {advice}";
    }
}
