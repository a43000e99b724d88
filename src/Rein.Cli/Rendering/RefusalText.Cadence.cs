using System.Globalization;
using Rein.Config;
using Rein.Models;
using Rein.Running.Gates;

namespace Rein.Cli.Rendering;

/// <summary>Cadence and model refusals in words: which rule, against which earlier load (model, run, when), how
/// long is left, and what to do.</summary>
internal static partial class RefusalText
{
    static string Cadence(Refusal r, DateTimeOffset now, bool waitAsked)
    {
        var advice = waitAsked
            ? $"gave up after waiting {DurationParser.Format(TimeSpan.FromMilliseconds(r.WaitedMs))}; see `rein cadence status`"
            : "not started: wait with --wait, or see `rein cadence status`";
        return $"{CadenceReason(r, now)}. {char.ToUpperInvariant(advice[0])}{advice[1..]}";
    }

    /// <summary>The reason without advice: "'m' was loaded 40s ago (run R, still running); the same-model interval
    /// is 3m (default): 2m20s left".</summary>
    internal static string CadenceReason(Refusal r, DateTimeOffset now)
    {
        var earlier = r.Fact("blocking_model") ?? "?";
        var holder = r.Holders.Count > 0 ? r.Holders[0] : new RefusalHolder();
        var left = DurationParser.Format(TimeSpan.FromSeconds(r.Number("remaining_s") ?? 0));
        var interval = DurationParser.Format(TimeSpan.FromSeconds(r.Number("interval_s") ?? 0));
        var source = r.Fact("interval_source") is { } s and not "default" ? $" ({s})" : "";
        var load =
            $"'{earlier}' was loaded {Ago(r.Fact("blocking_started_at"), now)} (run {holder.RunId}, {State(r, now)})";
        return r.Fact("rule") switch
        {
            "same_model" => $"{load}; the same-model interval is {interval}{source}: {left} left",
            "cross_model" =>
                $"{load}; the cross-model interval is {interval}{source}: {left} left before '{r.Subject}' may load",
            "family_floor" =>
                $"{load}; {Members(r)} in the {r.Fact("family")} family, whose floor of {interval} ({r.Fact("interval_source")}) "
                    + $"spaces loads of different models: {left} left before '{r.Subject}' may load",
            _ =>
                $"the load of '{earlier}' (run {holder.RunId}) is stamped {left} in the future: the clock moved back; "
                    + $"'{r.Subject}' may not load until that time has passed",
        };
    }

    static string Members(Refusal r) =>
        (r.Fact("family_members") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries) switch
        {
            [var one] => $"'{one}' is",
            var many => string.Join(" and ", many.Select(m => $"'{m}'")) + " are",
        };

    static string CadenceWait(Refusal r, DateTimeOffset now)
    {
        var left = DurationParser.Format(TimeSpan.FromSeconds(r.Number("remaining_s") ?? 0));
        var rule = r.Fact("rule") switch
        {
            "same_model" => "same-model interval",
            "cross_model" => "cross-model interval",
            "family_floor" => $"{r.Fact("family")} floor",
            _ => "clock moved back",
        };
        var run = r.Holders.Count > 0 ? r.Holders[0].RunId : "?";
        return $"{left} left ({rule} after '{r.Fact("blocking_model")}', run {run}, {State(r, now)})";
    }

    static string State(Refusal r, DateTimeOffset now) =>
        r.Fact("blocking_state") switch
        {
            "running" => "still running",
            "vanished" =>
                $"its guard vanished; counted as released {Ago(r.Fact("blocking_released_at"), now)}",
            _ => $"released {Ago(r.Fact("blocking_released_at"), now)}",
        };

    static string Ago(string? stamp, DateTimeOffset now) =>
        DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, out var t)
            ? t <= now
                ? DurationParser.Format(now - t) + " ago"
                : DurationParser.Format(t - now) + " from now"
            : "at an unknown time";

    static string Models(Refusal r)
    {
        if (r.Code == RefusalCodes.KnownPanic)
        {
            var alternatives = r
                .Facts.Where(f => f.Key.StartsWith("alternative_", StringComparison.Ordinal))
                .OrderBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => f.Value)
                .ToList();
            var safer =
                alternatives.Count > 0 ? $" Safer: {string.Join("; or ", alternatives)}." : "";
            return $"model '{r.Subject}' has a record of kernel panics: {r.Fact("what")}"
                + (r.Fact("signature") is { } sig ? $" ({sig})" : "")
                + $".{safer} Not started (--on-known-panic block); `rein models check {r.Subject}` shows the record";
        }

        var needed = SizeParser.Format((long)(r.Number("needed_bytes") ?? 0));
        var overhead = SizeParser.Format((long)(r.Number("overhead_bytes") ?? 0));
        var how =
            r.Fact("estimate") == "declared"
                ? "--model-size"
                : $"estimated from the id: {r.Fact("derivation")}";
        var usable = SizeParser.Format((long)(r.Number("usable_bytes") ?? 0));
        var gpu = r.Fact("gpu_limit_source") is { } g ? $", counting the GPU's limit ({g})" : "";
        return $"'{r.Subject}' needs about {needed} ({how}) plus {overhead} overhead, but only {usable} of "
            + $"{SizeParser.Format((long)(r.Number("total_bytes") ?? 0))} memory is available{gpu}. "
            + "Not started: free memory, use a smaller quantisation, or skip the check with --no-fit-check";
    }

    /// <summary>The advisory printed (once) when a run loads a model with a record of kernel panics.</summary>
    public static string Advisory(KnownPanic entry) =>
        $"warning: model '{entry.Id}' has a record of kernel panics: {entry.What}"
        + (entry.Signature is { } sig ? $" ({sig})" : "")
        + "."
        + (
            entry.Alternatives.Count > 0
                ? $" Safer: {string.Join("; or ", entry.Alternatives)}."
                : ""
        )
        + " Going on; --on-known-panic block refuses such runs";
}
